"""Tests of the shipped crossings table and via/route names (networks.borders)."""

from __future__ import annotations

import pytest

from networks.borders import ROUTE_CROSSINGS, CrossingError, crossings_table, resolve_via
from networks.countries import country_of

REQUIRED = {
    "mukdahan-savannakhet",
    "dansavanh-lao-bao",
    "nakhon-phanom-thakhek",
    "na-phao-cha-lo",
    "nong-khai-vientiane",
    "nam-phao-cau-treo",
    "woodlands-johor-bahru",
    "tuas-second-link",
    "bukit-kayu-hitam-sadao",
    "padang-besar",
    "rantau-panjang-sungai-kolok",
}


def test_table_has_every_required_crossing_with_sources() -> None:
    table = crossings_table()
    assert set(table["crossing_id"]) >= REQUIRED
    assert table["crossing_id"].is_unique
    for col in ("position_source", "name_source", "route_source", "countries_source"):
        assert (table[col].str.len() > 0).all(), col
    # No position is dressed up as measured: every one is labelled an assumption for now.
    assert table["position_source"].str.startswith("assumption:").all()


@pytest.mark.parametrize("side", ["a", "b"])
def test_checkpoints_lie_in_their_own_country(side: str) -> None:
    """Each checkpoint is on its country's side of the shipped Natural Earth boundary."""
    table = crossings_table()
    for row in table.to_dict("records"):
        got = country_of(row[f"lat_{side}"], row[f"lon_{side}"], tolerance_km=0.0)
        assert got == row[f"country_{side}"], (row["crossing_id"], side, got)


def test_checkpoints_are_close_to_each_other() -> None:
    table = crossings_table()
    from networks.sea import haversine_m

    for row in table.to_dict("records"):
        d = haversine_m(row["lat_a"], row["lon_a"], row["lat_b"], row["lon_b"])
        assert 100 < d < 6_000, row["crossing_id"]


def test_route_names_resolve_to_crossings_in_order() -> None:
    assert resolve_via("R9") == ("mukdahan-savannakhet", "dansavanh-lao-bao")
    assert resolve_via("r12") == ROUTE_CROSSINGS["R12"]
    assert resolve_via("R8") == ("nong-khai-vientiane", "nam-phao-cau-treo")


def test_crossing_id_and_name_resolve() -> None:
    assert resolve_via("bavet-moc-bai") == ("bavet-moc-bai",)
    assert resolve_via("Na Phao-Cha Lo") == ("na-phao-cha-lo",)


def test_unknown_via_lists_closest_first() -> None:
    with pytest.raises(CrossingError, match=r"unknown via 'R99'.*valid routes and crossings: R9"):
        resolve_via("R99")
    with pytest.raises(CrossingError, match=r"closest|valid.*mukdahan-savannakhet"):
        resolve_via("mukdahan-savanakhet")
