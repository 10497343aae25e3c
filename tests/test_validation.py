"""Published distances against the shipped networks (networks.validation), and where routes go.

Each published figure must be met within its tolerance (by kind of leg) and each route must stay
in the countries it should. The figures and their sources are in ``networks.validation.REFERENCES``
(written by hand from the cited publications); the network is the shipped one.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from networks.multimodal import SINUOSITY, load_network
from networks.routing import shortest_route
from networks.validation import (
    GENERATED_MARK,
    REFERENCES,
    ValidationWriteError,
    error_distribution,
    fit_sinuosity,
    leave_one_out,
    validation_table,
    write_validation,
)

# Khlong Toei is a river port, now reached up the Chao Phraya (GSHHG river line, networks.sea):
# -28.4 % before, -10.07 % after, still just outside the 10 % tolerance; the rest of the sailing
# is the open-water lower bound (a straight line to the river mouth, not the Bangkok Bar fairway).
# Lao R12 (-12.1 % before) passes since split pieces of a sinuosity-corrected edge keep the factor.
KNOWN_MISSES = {
    "Laem Chabang - Bangkok (Khlong Toei) by sea",
}


@pytest.fixture(scope="module")
def network() -> nx.MultiDiGraph:
    return load_network("all")


@pytest.fixture(scope="module")
def table(network: nx.MultiDiGraph) -> pd.DataFrame:
    return validation_table(network)


@pytest.fixture(scope="module")
def loo() -> pd.DataFrame:
    return leave_one_out()


def _row(table: pd.DataFrame, name: str) -> dict:
    return table[table["name"] == name].to_dict("records")[0]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            r.name,
            marks=pytest.mark.xfail(strict=True, reason="known miss, see KNOWN_MISSES")
            if r.name in KNOWN_MISSES
            else (),
        )
        for r in REFERENCES
        if r.role != "cross-check"
    ],
)
def test_published_distance_within_its_tolerance(table: pd.DataFrame, name: str) -> None:
    row = _row(table, name)
    assert abs(row["error_pct"]) <= row["tolerance_pct"], (name, row["error_pct"])


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.name)
def test_route_stays_in_its_countries(table: pd.DataFrame, ref) -> None:
    assert _row(table, ref.name)["route_countries"] == " > ".join(ref.countries)


def test_tolerances_are_eight_to_twelve_percent() -> None:
    assert {r.tolerance_pct for r in REFERENCES} <= {8.0, 10.0, 12.0}
    kinds = {r.kind for r in REFERENCES if r.role == "validation"}
    assert kinds >= {"trunk", "border", "sea"}
    assert {r.kind for r in REFERENCES} >= {"trunk", "border", "island", "mountain", "sea"}


def test_sources_are_not_the_projects_brief() -> None:
    for ref in REFERENCES:
        assert "project brief" not in ref.source
        assert len(ref.source) > 30


def test_error_distribution_covers_only_validation_rows(table: pd.DataFrame) -> None:
    dist = error_distribution(table)
    rows = table[table["role"] == "validation"]
    assert dist["n"] == len(rows)
    assert dist["max_abs_pct"] == pytest.approx(rows["error_pct"].abs().max())
    assert dist["within"] == dist["n"] - len(KNOWN_MISSES & set(rows["name"]))


def test_split_pieces_of_a_corrected_edge_keep_the_sinuosity(network) -> None:
    # The sinuosity models a mountain road as great-circle x factor; where such an edge is split
    # at a border crossing off its straight line, each piece is modelled on its own great-circle
    # (sharing the modelled length instead gave R12 only 1.28 x, measured: -12.1 %).
    from networks.geo import haversine_m

    pieces = [
        (u, v, d)
        for u, v, d in network.edges(data=True)
        if d.get("connector_kind") == "split" and d.get("length_corrected")
    ]
    assert pieces
    for u, v, d in pieces:
        a, b = network.nodes[u], network.nodes[v]
        straight = haversine_m(a["y"], a["x"], b["y"], b["x"])
        assert d["length"] == pytest.approx(straight * SINUOSITY, rel=1e-9), (u, v)


def test_refitting_the_sinuosity_gives_the_recorded_factor() -> None:
    assert fit_sinuosity() == pytest.approx(SINUOSITY)


# -- routes that must stay in one country (points near a border) ----------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "countries", "max_km"),
    [
        # Danok border post to Sadao town: Thai Route 4, not through Malaysia.
        ("6.520,100.430", "6.640,100.424", ["TH"], 20.0),
        # Savannakhet riverfront to Dansavanh on Lao NR9: all in Laos.
        ("16.556,104.753", "16.612,106.560", ["LA"], 290.0),
        # Lao Bao town to Dong Ha on QL9: all in Viet Nam.
        ("Lao Bao", "Dong Ha", ["VN"], 90.0),
        # Kuala Lumpur to George Town ends on Penang Island, over a bridge.
        ("Kuala Lumpur", "George Town", ["MY"], 400.0),
    ],
)
def test_near_border_routes_stay_home(network, origin, destination, countries, max_km) -> None:
    route = shortest_route(network, origin, destination, weight="length")
    assert route.countries == countries
    assert route.distance_km <= max_km


def test_george_town_is_reached_over_a_penang_bridge(network) -> None:
    route = shortest_route(network, "Kuala Lumpur", "George Town", weight="length")
    end = network.nodes[route.nodes[-1]]
    assert end["x"] < 100.34  # on the island, not the mainland (Butterworth is at 100.36)
    fixes = {
        network.edges[u, v, k].get("correction")
        for u, v in zip(route.nodes, route.nodes[1:], strict=False)
        for k in network[u][v]
    }
    assert fixes & {"penang-bridge", "second-penang-bridge"}


# -- writing the report ----------------------------------------------------------------------


def test_leave_one_out_predicts_each_fit_row_from_the_others(loo: pd.DataFrame) -> None:
    fits = [r.name for r in REFERENCES if r.role == "fit"]
    assert list(loo["name"]) == fits
    assert loo["factor"].between(1.2, 1.6).all()
    # Each fit row predicted from the other two within the mountain tolerance (measured: 9.9 %).
    assert loo["error_pct"].abs().max() < 12


def test_write_validation_refuses_a_file_it_did_not_write(tmp_path, table, loo) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# My notes\n\nkeep me\n", encoding="utf-8")
    with pytest.raises(ValidationWriteError, match=r"--out .*notes\.md.*not written by"):
        write_validation(doc, table=table, loo=loo)
    assert doc.read_text(encoding="utf-8") == "# My notes\n\nkeep me\n"


def test_write_validation_writes_a_new_file_and_rewrites_its_own(tmp_path, table, loo) -> None:
    out = tmp_path / "validation.md"
    write_validation(out, table=table, loo=loo)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == GENERATED_MARK
    for section in (
        "## Error distribution",
        "## Mountain sinuosity: fit and leave-one-out",
        "## Road corrections",
        "## Every connector",
    ):
        assert section in text
    misses = table[~table["within"]].to_dict("records")
    assert {r["name"] for r in misses} == KNOWN_MISSES
    listed = "; ".join(f"{r['name']} ({r['error_pct']:+.1f} %)" for r in misses) or "none"
    assert f"Rows outside their tolerance (any role): {listed}." in text
    write_validation(out, table=table, loo=loo)  # its own file: rewritten
    assert out.read_text(encoding="utf-8") == text
