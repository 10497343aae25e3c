"""The shipped bibliography: every source column and scenario source cites entries that exist."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from logistics.parameters import (
    ParameterError,
    bibliography,
    border_parameters,
    cited_keys,
    country_costs,
    general_parameters,
    load_parameters,
    port_parameters,
    sea_lanes,
)

TABLES = [border_parameters, port_parameters, sea_lanes, country_costs, general_parameters]


def _source_cells() -> list[tuple[str, str]]:
    cells = []
    for table in TABLES:
        df = table()
        for col in (c for c in df.columns if c.endswith("source")):
            cells += [(f"{table.__name__}.{col}", str(v)) for v in df[col]]
    return cells


def _scenario_sources() -> list[tuple[str, str]]:
    folder = resources.files("logistics").joinpath("data", "scenarios")
    out = []
    for path in folder.iterdir():
        if path.name.endswith(".toml"):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            out += [(f"{path.name} {k}", v) for k, v in data.get("sources", {}).items()]
    return out


def test_every_entry_has_a_citation_an_address_and_a_flag() -> None:
    bib = bibliography()
    assert len(bib) >= 30
    for key, source in bib.items():
        assert source.key == key
        assert len(source.citation) > 20, key
        assert source.url.startswith(("http://", "https://")), key
        assert source.reliability in ("A", "B", "C"), key


@pytest.mark.parametrize("where, text", _source_cells() + _scenario_sources())
def test_every_cited_key_resolves(where: str, text: str) -> None:
    bib = bibliography()
    for key in cited_keys(text):
        assert key in bib, f"{where} cites [@{key}], not in bibliography.toml"


def test_every_source_cites_an_entry_or_says_assumption() -> None:
    for where, text in _source_cells() + _scenario_sources():
        assert cited_keys(text) or "assumption" in text or text.startswith("as in "), where


def test_no_source_points_to_the_projects_working_notes() -> None:
    data = resources.files("logistics").joinpath("data")
    for path in [*data.iterdir(), *data.joinpath("scenarios").iterdir()]:
        if path.name.endswith((".csv", ".toml")):
            assert "border-facts" not in path.read_text(encoding="utf-8"), path.name


def test_every_entry_is_cited_somewhere() -> None:
    cited = {k for _, text in _source_cells() + _scenario_sources() for k in cited_keys(text)}
    assert set(bibliography()) == cited, set(bibliography()) ^ cited


def test_cited_keys_in_order_without_repeats() -> None:
    assert cited_keys("a [@x] b [@y-2] c [@x] [not] [@]") == ["x", "y-2"]


def test_a_table_citing_an_unknown_key_is_refused(tmp_path: Path) -> None:
    text = resources.files("logistics").joinpath("data", "sea_lanes.csv").read_text("utf-8")
    bad = tmp_path / "lanes.csv"
    bad.write_text(text.replace("frequencies not found", "see [@nikei-2015]", 1), "utf-8")
    with pytest.raises(ParameterError, match=r"field 'source': cites \[@nikei-2015\].*nikkei-2015"):
        load_parameters(lanes=bad)


def test_the_delay_export_sidecar_resolves_its_citations() -> None:
    import json

    from logistics.report import _parameters_with_sources

    sidecar = _parameters_with_sources(load_parameters())
    text = json.dumps(sidecar, ensure_ascii=False)
    assert "border-facts" not in text
    bib = sidecar["bibliography"]
    assert set(cited_keys(text)) <= set(bib)
    assert bib["nikkei-2015"]["url"].startswith("https://asia.nikkei.com/")
