"""PDPTW quality of the shared search engine against Li & Lim best-known solutions.

Runs ``corridor bench pdptw`` on instances of ``../shared/benchmarks/lilim`` (read-only
reference data, not shipped) and prints the per-instance table with the mean vehicle and
distance gaps; figures are recorded in docs/benchmarks.md.

Usage::

    python benchmarks/bench_pdptw.py                                  # the measured set
    python benchmarks/bench_pdptw.py --instances 'pdp_200/*_2_1.txt' --rr-iterations 600
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import ortools

from logistics import pdptw
from logistics.cli import main as corridor

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "lilim"

#: The 14 100-task instances ending in 1 or 7: none was used for tuning (docs/benchmarks.md).
MEASURED = "pdp_100/l*[0-9][17].txt"


def run(argv: list[str] | None = None) -> int:
    """Print versions, then run ``corridor bench pdptw``; return its exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", type=Path, default=SHARED)
    parser.add_argument("--instances", default=MEASURED)
    parser.add_argument("--rr-iterations", type=int, default=pdptw.DEFAULT_SETTINGS.rr_iterations)
    parser.add_argument("--rm-positions", type=int, default=pdptw.DEFAULT_RM_POSITIONS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    print(
        f"# python {platform.python_version()}, OR-Tools {ortools.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {args.workers} workers, "
        f"{args.rr_iterations} ruin-and-recreate iterations, route minimisation "
        f"{args.rm_positions} positions, seed {args.seed}",
        flush=True,
    )
    return corridor(
        [
            "bench",
            "pdptw",
            "--dir",
            str(args.dir),
            "--instances",
            args.instances,
            "--rr-iterations",
            str(args.rr_iterations),
            "--rm-positions",
            str(args.rm_positions),
            "--workers",
            str(args.workers),
            "--seed",
            str(args.seed),
            "--format",
            args.format,
        ]
    )


if __name__ == "__main__":
    sys.exit(run())
