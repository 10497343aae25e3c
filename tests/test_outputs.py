"""Contained outputs: a set of files replaces its target in one step (never two runs mixed, no
stale or temporary file left, also after ENOSPC midway or Ctrl-C), ``--out`` that is a link,
FIFO, device or a foreign folder is refused before any work, CSV cells a spreadsheet would
execute are neutralised, and killing ``corridor compare`` leaves no worker process."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.cli import main
from logistics.fleet import FleetPlan, write_comparison, write_plan
from logistics.fleet.io import PLAN_FILES
from logistics.report import export_delays
from networks.io import (
    OutputError,
    atomic_folder,
    csv_cell,
    csv_cell_restore,
    staged_files,
    to_safe_csv,
    write_csv_atomic,
)

FORMULA = "=cmd|' /C calc'!A0"
FIXTURE = HealthCheck.function_scoped_fixture


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _plan(scenario: str, ids: list[str]) -> FleetPlan:
    """A small hand-written plan (no solve): what the writers need."""
    ship = pd.DataFrame(
        {
            "shipment_id": ids,
            "status": ["served"] * len(ids),
            "reason": ["+1 day", *["ok"] * (len(ids) - 1)],
            "lateness_h": [-1.5] * len(ids),
            "crossings": [""] * len(ids),
        }
    )
    stops = pd.DataFrame(
        [
            {
                "vehicle": "V1",
                "seq": 1,
                "kind": "pickup",
                "shipment_id": ids[0],
                "leg": 1,
                "place": "@home",
                "lat": 13.7,
                "lon": 100.5,
                "arrival_utc": "2026-03-02T01:00:00+00:00",
            }
        ]
    )
    veh = pd.DataFrame([{"vehicle": "V1", "vehicle_type": "semi", "km": 12.0, "cost_usd": 30.0}])
    legs = pd.DataFrame(
        [{"shipment_id": ids[0], "leg": 1, "vehicle": "V1", "crossings": "", "nodes": [1, 2]}]
    )
    kpis = {
        "scenario": scenario,
        "shipments": len(ids),
        "served": len(ids),
        "dropped": 0,
        "cost_usd": 30.0,
        "cost_per_served_usd": 30.0 / len(ids),
        "vehicles_used": 1,
        "on_time_rate": 1.0,
        "road_share": 1.0,
        "sea_share": 0.0,
        "km": 12.0,
        "driving_h": 0.3,
        "empty_km_share": 0.0,
        "co2_kg": 9.0,
        "objective_usd": 30.0,
        "objective_lower_bound_usd": 20.0,
        "stopped_by": "budget",
    }
    return FleetPlan(
        scenario=scenario,
        percentile=50,
        soft_windows=False,
        t0_utc=datetime(2026, 3, 2, tzinfo=UTC),
        shipments=ship,
        stops=stops,
        vehicles=veh,
        legs=legs,
        kpis=kpis,
        geometry={"V1": [(100.5, 13.7), (100.6, 13.8)]},
        solver={"seed": 0},
    )


def _table(plans: dict[str, FleetPlan]) -> pd.DataFrame:
    return pd.DataFrame([p.kpis for p in plans.values()]).assign(relaxes="")


# --------------------------------------------------------------------------- one step


def test_a_rerun_with_fewer_scenarios_leaves_no_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    two = {n: _plan(n, ["S1", "S2"]) for n in ("status-quo", "through-trucking")}
    write_comparison(_table(two), two, out)
    assert {p.name for p in out.iterdir()} >= {"status-quo", "through-trucking", "kpis.json"}
    one = {"status-quo": _plan("status-quo", ["S9"])}
    written = write_comparison(_table(one), one, out)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["status-quo"]
    assert all(p.exists() and out in p.parents for p in written)  # final paths, not temporary
    assert "S9" in (out / "status-quo" / "shipments.csv").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]  # no temporary folder beside it
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["schema_version"] == 1 and set(kpis["scenarios"]) == {"status-quo"}


def test_write_plan_keeps_the_plan_files_only(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_plan(_plan("status-quo", ["S1"]), out)
    write_plan(_plan("status-quo", ["S2"]), out)
    assert {p.name for p in out.iterdir()} == set(PLAN_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    old=st.lists(st.sampled_from(["a.csv", "b.json", "c.png", "d.csv"]), unique=True),
    new=st.lists(st.sampled_from(["a.csv", "b.json", "e.csv"]), min_size=1, unique=True),
    fail_at=st.integers(0, 4),
    interrupt=st.booleans(),
)
def test_enospc_or_ctrl_c_midway_leaves_the_old_run_whole(
    tmp_path_factory: pytest.TempPathFactory,
    old: list[str],
    new: list[str],
    fail_at: int,
    interrupt: bool,
) -> None:
    base = tmp_path_factory.mktemp("w")
    out = base / "out"
    with atomic_folder(out) as tmp:
        for name in old:
            (tmp / name).write_text(f"old {name}")
    before = _tree(out)
    failed = False
    try:
        with atomic_folder(out) as tmp:
            for i, name in enumerate(new):
                if i == fail_at:
                    if interrupt:
                        raise KeyboardInterrupt
                    raise OSError(errno.ENOSPC, "No space left on device")
                (tmp / name).write_text(f"new {name}")
    except (OSError, KeyboardInterrupt):
        failed = True
    after = _tree(out)
    if failed:
        assert after == before  # the old run, whole
    else:
        assert after == {n: f"new {n}".encode() for n in new}  # the new run, nothing old
    assert [p.name for p in base.iterdir()] == ["out"]  # no temporary folder left


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fail_at=st.integers(0, 12))
def test_a_real_comparison_that_fails_midway_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, fail_at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logistics.fleet.io as fleet_io

    base = tmp_path_factory.mktemp("c")
    out = base / "cmp"
    first = {n: _plan(n, ["S1"]) for n in ("a", "b")}
    write_comparison(_table(first), first, out)
    before = _tree(out)
    calls = {"n": 0}
    real = fleet_io.write_csv_atomic

    def full_disk(path: Path, frame: pd.DataFrame) -> Path:
        calls["n"] += 1
        if calls["n"] > fail_at:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, frame)

    second = {n: _plan(n, ["S2", "S3"]) for n in ("a", "c")}
    with monkeypatch.context() as mp:
        mp.setattr(fleet_io, "write_csv_atomic", full_disk)
        try:
            write_comparison(_table(second), second, out)
            done = True
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            done = False
    after = _tree(out)
    if done:
        assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["a", "c"]
    else:
        assert after == before
    assert [p.name for p in base.iterdir()] == ["cmp"]


def test_file_and_sidecar_move_together_in_a_fixed_order(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("old data")
    (tmp_path / "d.csv.json").write_text("old sidecar")
    with pytest.raises(OSError), staged_files(tmp_path, companions=["d.csv.json"]) as tmp:
        (tmp / "d.csv").write_text("new data")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert _tree(tmp_path) == {"d.csv": b"old data", "d.csv.json": b"old sidecar"}
    seen: list[tuple[str, ...]] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(tuple(sorted(p.name for p in tmp_path.iterdir() if p.name[0] != ".")))
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", spy)
        with staged_files(tmp_path, companions=["d.csv.json"]) as tmp:
            (tmp / "d.csv").write_text("new data")
            (tmp / "d.csv.json").write_text("new sidecar")
    # the old sidecar is gone before the new data arrives; the new sidecar comes last
    assert seen == [("d.csv",), ("d.csv",)]
    assert _tree(tmp_path) == {"d.csv": b"new data", "d.csv.json": b"new sidecar"}


def test_delays_export_sidecar_names_its_data(tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    for seed in (1, 2):
        export_delays("status-quo", fmt="csv", out=out, draws=20, seed=seed)
    meta = json.loads((tmp_path / "d.csv.json").read_text())
    import hashlib

    assert meta["seed"] == 2 and meta["data_file"] == "d.csv"
    assert meta["data_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "d.csv.json"]


# --------------------------------------------------------------------------- refused --out


def _special(tmp_path: Path, kind: str) -> Path:
    if kind == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir()
        link = tmp_path / "link"
        link.symlink_to(target)
        return link
    if kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
        return path
    if kind == "file":
        path = tmp_path / "file"
        path.write_text("keep me")
        return path
    if kind == "foreign":
        path = tmp_path / "home"
        path.mkdir()
        (path / "thesis.docx").write_text("keep me")
        return path
    return Path("/dev/null")


@pytest.mark.parametrize("kind", ["symlink", "fifo", "file", "foreign", "device"])
@pytest.mark.parametrize("command", ["optimize", "compare"])
def test_bad_out_is_refused_before_the_solve(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _special(tmp_path, kind)
    before = _tree(tmp_path)
    argv = [command, "--demo", "--out", str(out), "--budget", "1", "--workers", "1"]
    if command == "compare":
        argv += ["--scenarios", "status-quo"]
    t0 = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - t0 < 30  # refused before the network loads or anything solves
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith(f"corridor {command}: error: --out: bad value"), err
    assert _tree(tmp_path) == before
    if kind == "symlink":
        assert not any((tmp_path / "elsewhere").iterdir())


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_delays_export_refuses_a_special_out(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _special(tmp_path, kind)
    argv = ["delays", "export", "--format", "csv", "--no-routes", "--draws", "10"]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "bad value" in err and "allowed" in err, err


@pytest.mark.parametrize("kind", ["symlink", "fifo", "file", "device", "foreign"])
def test_atomic_folder_refuses_special_targets(kind: str, tmp_path: Path) -> None:
    target = _special(tmp_path, kind)
    with (
        pytest.raises(OutputError, match="--out: bad value"),
        atomic_folder(target, owned=lambda p: False),
    ):
        pytest.fail("the writer must not run")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --------------------------------------------------------------------------- CSV cells


@given(st.text(max_size=30))
def test_csv_cell_round_trips(text: str) -> None:
    safe = csv_cell(text)
    assert csv_cell_restore(safe) == text
    if safe:
        assert not safe.startswith(("=", "+", "@", "\t", "\r")) or safe == text
        if safe.startswith("-"):
            assert safe == text  # only a plain number keeps a leading '-'


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.integers(-(10**9), 10**9),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_csv_safe_through_a_file_round_trips_and_numbers_stay_numbers(
    rows: list[tuple[str, float, int]],
) -> None:
    import io

    frame = pd.DataFrame(rows, columns=["id", "x", "n"])
    buf = io.StringIO()
    to_safe_csv(frame, buf)
    back = pd.read_csv(
        io.StringIO(buf.getvalue()), dtype={"id": str}, keep_default_na=False, na_filter=False
    )
    assert [csv_cell_restore(v) for v in back["id"]] == [r[0] for r in rows]
    assert back["n"].tolist() == frame["n"].tolist()  # negative numbers stay numeric
    assert pd.api.types.is_numeric_dtype(back["x"])


def test_plan_csvs_neutralise_formulas(tmp_path: Path) -> None:
    write_plan(_plan("status-quo", [FORMULA, "-5", "+cmd", "@SUM(A1)", "plain"]), tmp_path / "p")
    text = (tmp_path / "p" / "shipments.csv").read_text()
    table = pd.read_csv(tmp_path / "p" / "shipments.csv", dtype={"shipment_id": str})
    assert list(table["shipment_id"]) == ["'" + FORMULA, "-5", "'+cmd", "'@SUM(A1)", "plain"]
    assert "'+1 day" in text  # text that would be a formula
    assert (table["lateness_h"] == -1.5).all()  # numbers untouched
    assert "'@home" in (tmp_path / "p" / "routes.csv").read_text()


def test_the_one_csv_writer_neutralises_text_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"id": [FORMULA, "-5", "\tx", "ok"], "x": [-1.5, 2.0, -3.0, 0.0], "n": [-7, 8, 9, 10]}
    )
    path = write_csv_atomic(tmp_path / "t.csv", frame)
    back = pd.read_csv(path, dtype={"id": str})
    assert list(back["id"]) == ["'" + FORMULA, "-5", "'\tx", "ok"]
    assert back["x"].tolist() == [-1.5, 2.0, -3.0, 0.0] and back["n"].tolist() == [-7, 8, 9, 10]
    assert [csv_cell_restore(v) for v in back["id"]] == list(frame["id"])


# --------------------------------------------------------------------------- empty plan


def test_an_empty_plan_is_loud_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipments = tmp_path / "s.csv"
    shipments.write_text(
        "shipment_id,origin,destination,ready_time,earliest_delivery,latest_delivery,"
        "weight_t,pallets\n"
        "S1,Bangkok,Hanoi,2026-03-02 08:00,2026-03-02 08:00,2026-03-02 09:00,8,10\n"
    )
    fleet = tmp_path / "f.csv"
    fleet.write_text(
        "vehicle_type,depot,count,capacity_weight_t,capacity_pallets,cost_per_km_usd,"
        "cost_per_h_usd,fixed_cost_usd,crew,country,cross_border_permit\n"
        "semi,Bangkok,1,30,33,0.9,6,120,single,TH,yes\n"
    )
    out = tmp_path / "out"
    argv = ["optimize", "--shipments", str(shipments), "--fleet", str(fleet), "--out", str(out)]
    code = main([*argv, "--budget", "5", "--draws", "8", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "WARNING: 0 of 1 shipments served" in captured.err
    cost_line = next(ln for ln in captured.out.splitlines() if "cost_usd" in ln)
    value_line = captured.out.splitlines()[captured.out.splitlines().index(cost_line) + 1]
    assert " - " in f" {value_line} "  # no "cost 0"
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["served"] == 0 and kpis["warning"]


# --------------------------------------------------------------------------- kill


def _demo_head(tmp_path: Path, n: int) -> tuple[Path, Path]:
    """The first ``n`` shipments of the shipped synthetic demo set, and its fleet."""
    from importlib import resources

    data = resources.files("logistics") / "data"
    s, f = tmp_path / "s.csv", tmp_path / "f.csv"
    pd.read_csv(str(data / "demo_shipments.csv"), comment="#").head(n).to_csv(s, index=False)
    f.write_bytes((data / "demo_fleet.csv").read_bytes())
    return s, f


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killing_compare_leaves_no_worker(tmp_path: Path, sig: signal.Signals) -> None:
    s, f = _demo_head(tmp_path, 24)
    out = tmp_path / "cmp"
    argv = [sys.executable, "-c", "from logistics.cli import main; raise SystemExit(main())"]
    argv += ["compare", "--shipments", str(s), "--fleet", str(f), "--out", str(out)]
    argv += ["--scenarios", "status-quo,through-trucking", "--workers", "2", "--group-size", "12"]
    argv += ["--draws", "8"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            children = parent.children(recursive=True)
            if len(children) >= 2:
                break
            time.sleep(0.2)
        assert len(children) >= 2, "compare never started its workers"
        time.sleep(1.0)  # the workers are solving
        proc.send_signal(sig)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(children, timeout=5)
        assert not alive, f"{len(alive)} worker(s) survived {sig.name}: {alive}"
    finally:
        for p in [*children, parent]:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        proc.wait(timeout=30)
    assert not out.exists()  # killed before the write: nothing half-written
    if sig == signal.SIGTERM:
        assert proc.returncode == 130
        assert proc.stderr is not None
        assert proc.stderr.read().decode().strip().endswith("corridor compare: interrupted")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_app_downloads_and_sweep_csvs_are_spreadsheet_safe(tmp_path: Path) -> None:
    """The app's download bytes and the sweep's CSVs go through the same neutraliser as the
    plan files: a formula-like text cell gets a leading quote, numbers stay numbers."""
    import pandas as pd

    from app import _state
    from networks.io import write_csv_atomic

    frame = pd.DataFrame({"id": ["=cmd|' /C calc'!A0", "D001"], "cost_usd": [-5.0, 12.5]})
    text = _state.csv_bytes(frame).decode("utf-8")
    assert "'=cmd" in text and "-5.0" in text and "'-5" not in text
    back = pd.read_csv(write_csv_atomic(tmp_path / "x.csv", frame))
    assert back["id"][0].startswith("'=") and back["cost_usd"][0] == -5.0
