"""Benchmark the fleet stage: the scaling curve and exact repeatability.

Run::

    python benchmarks/bench_fleet.py scale [--scales 1,4,12] [--scenario status-quo]
    python benchmarks/bench_fleet.py repeat [--scenarios status-quo,through-trucking]

``scale`` plans K copies of the demo flows (``corridor demo --scale K``: shifted days, a
proportional fleet) with default settings, one solve per K in a fresh process, and prints
shipments, served, served / (K x served at K=1), wall time and peak memory (parent plus the
largest worker). Targets (issue 10): K=4 serves >= 95 % of 4x the K=1 count within 60 s, K=12
>= 90 % of 12x within 5 min, under 2 GB.

``repeat`` runs ``corridor compare --demo`` twice, the second time with the other core kept
busy by a spinning process, and compares the plan files byte for byte (``kpis.json`` without
its timing fields, names ending in ``_s``).

Figures are recorded in ``docs/performance.md`` ("Fleet routing").
"""

from __future__ import annotations

import argparse
import filecmp
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _spin(stop_at: float) -> None:
    while time.time() < stop_at:
        pass


def _strip_timing(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _strip_timing(v) for k, v in obj.items() if not str(k).endswith("_s")}
    if isinstance(obj, list):
        return [_strip_timing(v) for v in obj]
    return obj


def _solve_one(k: int, scenario: str, out: Path) -> dict[str, float]:
    """One solve of the K-times demo in this process (called in a fresh interpreter)."""
    import networks
    from logistics.fleet import SolverSettings, solve_fleet
    from logistics.shipments import scaled_demo

    shipments, fleet = scaled_demo(k)
    G = networks.load_network("all")
    t = time.perf_counter()
    plan = solve_fleet(G, shipments, fleet, scenario=scenario, settings=SolverSettings())
    wall = time.perf_counter() - t
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {
        "k": k,
        "shipments": len(shipments),
        "vehicles": sum(v.count for v in fleet),
        "served": plan.kpis["served"],
        "groups": plan.solver["groups"],
        "stopped_by": plan.kpis["stopped_by"],
        "wall_s": round(wall, 1),
        "parent_mb": round(self_mb),
        "worker_mb": round(child_mb),
    }


def scale(args: argparse.Namespace) -> None:
    rows = []
    for k in [int(x) for x in args.scales.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            out = (
                subprocess.run(
                    [sys.executable, __file__, "_one", str(k), args.scenario, tmp],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
        rows.append(json.loads(out))
        print(json.dumps(rows[-1]), flush=True)
    base = next((r["served"] for r in rows if r["k"] == 1), None)
    print(f"\n{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print("K | shipments | vehicles | groups | served | share of K x (K=1) | wall s | peak MB")
    for r in rows:
        share = f"{r['served'] / (r['k'] * base):.3f}" if base else "-"
        peak = r["parent_mb"] + r["worker_mb"]
        print(
            f"{r['k']} | {r['shipments']} | {r['vehicles']} | {r['groups']} | {r['served']} | "
            f"{share} | {r['wall_s']} | {peak} ({r['parent_mb']} + {r['worker_mb']})"
        )


def repeat(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outs = [Path(tmp) / "quiet", Path(tmp) / "busy"]
        cmd = ["corridor", "compare", "--demo", "--scenarios", args.scenarios, "--out"]
        walls = []
        for i, out in enumerate(outs):
            spinner = None
            if i == 1:
                spinner = multiprocessing.Process(target=_spin, args=(time.time() + 1800,))
                spinner.start()
            try:
                t = time.perf_counter()
                subprocess.run([*cmd, str(out)], check=True, capture_output=True)
                walls.append(time.perf_counter() - t)
            finally:
                if spinner is not None:
                    spinner.terminate()
                    spinner.join()
        same, differ = [], []
        for f in sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file()):
            a, b = outs[0] / f, outs[1] / f
            if f.name == "kpis.json":
                ok = _strip_timing(json.loads(a.read_text())) == _strip_timing(
                    json.loads(b.read_text())
                )
            elif f.suffix == ".png":
                continue  # matplotlib metadata; the table it draws is comparison.csv
            else:
                ok = filecmp.cmp(a, b, shallow=False)
            (same if ok else differ).append(str(f))
        print(f"quiet run {walls[0]:.1f} s, busy run {walls[1]:.1f} s")
        print(f"identical: {len(same)} files; different: {differ or 'none'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("scale")
    s.add_argument("--scales", default="1,4,12")
    s.add_argument("--scenario", default="status-quo")
    r = sub.add_parser("repeat")
    r.add_argument("--scenarios", default="status-quo,through-trucking")
    one = sub.add_parser("_one")
    one.add_argument("k", type=int)
    one.add_argument("scenario")
    one.add_argument("out")
    args = p.parse_args()
    if args.what == "scale":
        scale(args)
    elif args.what == "repeat":
        repeat(args)
    else:
        print(json.dumps(_solve_one(args.k, args.scenario, Path(args.out))))


if __name__ == "__main__":
    main()
