"""`corridor sweep`: sensitivity and break-even sweeps on Dask distributed (docs/sweep.md)."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this family's sub-command to sub."""
    p = sub.add_parser(
        "sweep",
        help="sensitivity / break-even sweep of a spec on Dask (resumable Parquet results)",
        description=(
            "Run the points of a sweep spec (TOML) on a Dask LocalCluster, or on a running "
            "cluster with --scheduler, into DIR/results/part-*.parquet with DIR/sweep.json. "
            "A rerun into the same DIR computes only the missing chunks. Then writes the "
            "analysis: indices.csv + tornado.png (Sobol, Morris), breakeven.csv/.png/.json."
        ),
    )
    p.add_argument("--spec", required=True, help="sweep spec, TOML (see docs/sweep.md)")
    p.add_argument("--out", required=True, help="results folder (created; reused to resume)")
    p.add_argument(
        "--scheduler", default=None, help="address of a running Dask scheduler, tcp://host:8786"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of the LocalCluster (default one per core; 0: in this process)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from logistics.sweep import analyse, load_spec, run_sweep

    if args.scheduler is not None and args.workers is not None:
        raise ValueError("--workers applies to the LocalCluster; allowed: --scheduler or --workers")
    spec = load_spec(args.spec)
    if not args.verbose:  # Dask logs each worker's start and stop at INFO (read at its import)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    bar = tqdm(desc=f"sweep {spec.name}", unit="chunk", disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        info = run_sweep(
            spec, args.out, scheduler=args.scheduler, workers=args.workers, progress=update
        )
    finally:
        bar.close()
    written = analyse(spec, args.out)
    out: dict[str, Any] = {
        "out": args.out,
        **{k: info[k] for k in ("points", "chunks", "computed_chunks", "rows", "failed_rows")},
        "ran_on": info["ran_on"],
        "elapsed_s": info["elapsed_s"],
        "files": {k: str(v) for k, v in written.items() if k != "answer"},
    }
    if "answer" in written:
        out["breakeven"] = written["answer"]
    if args.format == "json":
        print(json.dumps(out, indent=2, default=str))
        return 0
    print(
        f"sweep {spec.name}: {out['points']} points, {out['rows']} rows "
        f"({out['failed_rows']} failed), {out['computed_chunks']} of {out['chunks']} chunks "
        f"computed on {out['ran_on']} in {out['elapsed_s']} s -> {args.out}"
    )
    for key, path in out["files"].items():
        print(f"  {key}: {path}")
    if "breakeven" in out:
        print(f"break-even: {out['breakeven']['message']}")
    return 0
