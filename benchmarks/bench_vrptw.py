"""VRPTW solver quality against published best-known solutions (figures in docs/benchmarks.md).

Runs ``corridor bench vrptw`` on the Solomon and Homberger instances of ``../shared/benchmarks``
(read-only reference data, not shipped) and prints the per-instance table and the mean gap.

Usage::

    python benchmarks/bench_vrptw.py                       # Solomon at 10 s, Homberger at 10 s
    python benchmarks/bench_vrptw.py --time-limit 30 --sets solomon
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import ortools

from logistics.cli import main as corridor

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


def run(argv: list[str] | None = None) -> int:
    """Run the benchmark sets; return the worst exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=SHARED)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sets", default="solomon,homberger")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    print(
        f"# python {platform.python_version()}, OR-Tools {ortools.__version__}, "
        f"{platform.machine()}, time limit {args.time_limit:g} s, {args.workers} workers",
        flush=True,
    )
    code = 0
    for name in args.sets.split(","):
        print(f"\n## {name}", flush=True)
        code = max(
            code,
            corridor(
                [
                    "bench",
                    "vrptw",
                    "--dir",
                    str(args.dir),
                    "--instances",
                    f"{name}/*.txt",
                    "--time-limit",
                    str(args.time_limit),
                    "--workers",
                    str(args.workers),
                    "--format",
                    args.format,
                ]
            ),
        )
    return code


if __name__ == "__main__":
    sys.exit(run())
