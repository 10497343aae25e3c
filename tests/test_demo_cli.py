"""`corridor demo --scale K`: K shifted copies of the demo flows and a K-times fleet, read back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from logistics.cli import main
from logistics.shipments import (
    check_fleet_fits,
    demo_fleet,
    demo_shipments,
    read_fleet,
    read_shipments,
    scaled_demo,
)


def test_scale_3_writes_237_shifted_shipments_and_a_3x_fleet(tmp_path: Path, capsys) -> None:
    out = tmp_path / "k3"
    assert main(["demo", "--scale", "3", "--out", str(out)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    shipments = read_shipments(out / "shipments.csv")
    fleet = read_fleet(out / "fleet.csv")
    check_fleet_fits(shipments, fleet)  # what `corridor optimize --shipments --fleet` checks

    base = {s.shipment_id: s for s in demo_shipments()}
    assert len(base) == 79 and len(shipments) == 237
    assert len({s.shipment_id for s in shipments}) == 237
    for s in shipments:
        sid, copy = s.shipment_id.rsplit("-c", 1)
        b, shift = base[sid], timedelta(days=int(copy))
        assert (s.ready_utc, s.earliest_utc, s.latest_utc) == (
            b.ready_utc + shift,
            b.earliest_utc + shift,
            b.latest_utc + shift,
        )
        assert (s.origin, s.destination, s.weight_t, s.pallets, s.teu) == (
            b.origin,
            b.destination,
            b.weight_t,
            b.pallets,
            b.teu,
        )
    assert {s.shipment_id.rsplit("-c", 1)[1] for s in shipments} == {"00", "01", "02"}
    assert [v.count for v in fleet] == [3 * v.count for v in demo_fleet()]
    assert [v.vehicle_type for v in fleet] == [v.vehicle_type for v in demo_fleet()]
    for name in ("shipments.csv", "fleet.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert text.startswith("# SYNTHETIC")
        assert text.splitlines()[1].endswith(",synthetic")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # atomic: no temporary left


def test_same_objects_from_the_api_and_the_files(tmp_path: Path) -> None:
    shipments, fleet = scaled_demo(2, shift_days=0.5)
    assert main(["demo", "--scale", "2", "--shift-days", "0.5", "--out", str(tmp_path)]) == 0
    assert list(read_shipments(tmp_path / "shipments.csv")) == shipments
    assert list(read_fleet(tmp_path / "fleet.csv")) == fleet
    late = {s.shipment_id: s.ready_utc for s in shipments}
    assert late["D001-c01"] - late["D001-c00"] == timedelta(hours=12)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scale", "0"], "scale 0 is out of range; allowed: a whole number 1-50"),
        (["--scale", "51"], "scale 51 is out of range"),
        (["--scale", "2", "--shift-days", "-1"], "shift_days -1.0 is out of range"),
    ],
)
def test_bad_scale_is_one_line(tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    assert main(["demo", *argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_scale_must_be_a_whole_number(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--scale", "2.5", "--out", "x"])
    assert "invalid int value: '2.5'" in capsys.readouterr().err
