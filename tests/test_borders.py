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


def test_verify_crossings_against_a_local_osm_file(tmp_path) -> None:
    """A hand-written OSM file (not real data): one border post near each Mukdahan checkpoint,
    one far away, and an untagged node."""
    from networks.borders import border_posts, verify_crossings

    path = tmp_path / "posts.osm"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand-written test fixture">
  <node id="1" lat="16.5990" lon="104.7300" version="1">
    <tag k="barrier" v="border_control"/><tag k="name" v="Test post TH"/>
  </node>
  <node id="2" lat="16.6100" lon="104.7620" version="1">
    <tag k="barrier" v="border_control"/>
  </node>
  <node id="3" lat="10.0000" lon="100.0000" version="1">
    <tag k="barrier" v="border_control"/>
  </node>
  <node id="4" lat="16.6000" lon="104.7400" version="1"/>
</osm>
""",
        encoding="utf-8",
    )
    assert list(border_posts(path)["osm_id"]) == [1, 2, 3]
    rows = verify_crossings(path).to_dict("records")
    assert [r["crossing_id"] for r in rows] == ["mukdahan-savannakhet"] * 2
    found = {r["country"]: r for r in rows}
    assert found["TH"]["osm_id"] == 1 and found["TH"]["osm_name"] == "Test post TH"
    assert found["LA"]["osm_id"] == 2
    assert 0 < found["TH"]["distance_m"] < 500


def test_verify_crossings_bad_file(tmp_path) -> None:
    from networks.borders import verify_crossings

    with pytest.raises(FileNotFoundError, match="no such OSM file"):
        verify_crossings(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf")
    with pytest.raises(CrossingError, match="not a readable OSM file"):
        verify_crossings(bad)
