"""Sweeps on real Dask clusters: a LocalCluster of two worker processes, a run killed and
resumed, and a scheduler and workers started as separate processes over TCP on localhost. Each
gives byte-identical Parquet partitions to the in-process (serial) run of the same spec."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from logistics.sweep import load_results, parse_spec, run_sweep
from logistics.sweep.spec import SweepSpec

ROOT = Path(__file__).resolve().parents[1]
NP = "crossings.nakhon-phanom-thakhek"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_LOGGING__DISTRIBUTED": "warning"}


def spec(**changes: Any) -> SweepSpec:
    data: dict[str, Any] = {
        "name": "dask-small",
        "seed": 11,
        "design": "lhs",
        "samples": 24,
        "draws": 500,
        "window_h": 96.0,
        "corridor": "bangkok-hanoi",
        "chunk_points": 3,
        "od": [{"from": "Bangkok", "to": "Hanoi", "via": "R12"}],
        "parameters": [
            {"path": f"{NP}.clearance_scale", "range": [0.5, 3.0]},
            {"path": "depart_h", "range": [0.0, 168.0]},
        ],
    }
    data.update(changes)
    return parse_spec(data)


def same_parts(a: Path, b: Path) -> None:
    pa = sorted(p.name for p in (a / "results").glob("part-*.parquet"))
    pb = sorted(p.name for p in (b / "results").glob("part-*.parquet"))
    assert pa == pb and pa
    for name in pa:
        assert (a / "results" / name).read_bytes() == (b / "results" / name).read_bytes(), name


def test_local_cluster_equals_serial(tmp_path: Path) -> None:
    s = spec()
    run_sweep(s, tmp_path / "serial", workers=0)
    info = run_sweep(s, tmp_path / "dask", workers=2)
    assert info["ran_on"].startswith("dask tcp://") and "(2 workers)" in info["ran_on"]
    assert info["computed_chunks"] == info["chunks"] == 8
    same_parts(tmp_path / "serial", tmp_path / "dask")
    assert len(load_results(tmp_path / "dask")) == 24 * 2


def test_fleet_sweep_on_a_local_cluster_equals_serial(tmp_path: Path) -> None:
    from test_sweep import tiny_fleet_spec

    from logistics.sweep import load_spec

    s = load_spec(tiny_fleet_spec(tmp_path))
    run_sweep(s, tmp_path / "serial", workers=0)
    info = run_sweep(s, tmp_path / "dask", workers=2)
    assert info["computed_chunks"] == 2 and info["failed_rows"] == 0
    same_parts(tmp_path / "serial", tmp_path / "dask")


def test_killed_run_resumes_on_a_local_cluster(tmp_path: Path) -> None:
    s_file = tmp_path / "slow.toml"
    s_file.write_text(
        'seed = 5\ndesign = "grid"\nlevels = 40\ndraws = 20000\nwindow_h = 96.0\n'
        'corridor = "bangkok-hanoi"\nchunk_points = 1\n'
        '[[od]]\nfrom = "Bangkok"\nto = "Hanoi"\nvia = "R12"\n'
        f'[[parameters]]\npath = "{NP}.clearance_scale"\nrange = [0.5, 3.0]\n'
    )
    out = tmp_path / "killed"
    code = "import sys; from logistics.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "sweep",
            "--spec",
            str(s_file),
            "--out",
            str(out),
            "--workers",
            "0",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "results").glob("part-*.parquet"))) < 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # a crash: nothing is cleaned up
    finally:
        proc.kill()
        proc.wait()
    done = len(list((out / "results").glob("part-*.parquet")))
    assert 3 <= done < 40
    from logistics.sweep import load_spec

    s = load_spec(s_file)
    info = run_sweep(s, out, workers=2)
    assert info["computed_chunks"] == 40 - done and info["status"] == "complete"
    run_sweep(s, tmp_path / "serial", workers=0)
    same_parts(tmp_path / "serial", out)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_tcp_scheduler_and_separate_workers(tmp_path: Path) -> None:
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            ["dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        time.sleep(1.0)
        procs.append(
            subprocess.Popen(
                ["dask", "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                cwd=ROOT,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        s = spec()
        info = run_sweep(s, tmp_path / "tcp", scheduler=address)
        assert info["ran_on"].startswith(f"dask {address}") and "(2 workers)" in info["ran_on"]
        run_sweep(s, tmp_path / "serial", workers=0)
        same_parts(tmp_path / "serial", tmp_path / "tcp")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("workers", [-1, 257, 1.5])
def test_bad_worker_count(tmp_path: Path, workers: int) -> None:
    from logistics.sweep import SweepError

    with pytest.raises(SweepError, match="--workers"):
        run_sweep(spec(), tmp_path, workers=workers)
