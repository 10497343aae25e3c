"""Sensitivity and break-even sweeps on Dask distributed (``docs/sweep.md``).

Stages, one module each: ``spec`` (the TOML spec, validated) -> ``design`` (the points: grid,
LHS, Sobol/Saltelli, Morris) -> ``variant`` (a point applied to the base scenario and tables) ->
``tasks`` (one chunk of points: Monte Carlo per OD pair and mode, or one fleet solve per point)
-> ``run`` (Dask orchestration, resumable partitioned Parquet, provenance) -> ``analysis``
(SALib indices), ``breakeven`` and ``chart``. :func:`analyse` writes the analysis files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from logistics.sweep.analysis import INDEX_COLUMNS, OUTPUTS, headline_outputs, sensitivity
from logistics.sweep.breakeven import CURVE_COLUMNS, break_even
from logistics.sweep.chart import breakeven_chart, tornado_chart
from logistics.sweep.design import design, n_points
from logistics.sweep.run import SweepError, load_results, missing_chunks, run_sweep
from logistics.sweep.spec import SweepSpec, SweepSpecError, load_spec, parse_spec
from logistics.sweep.tasks import METRICS
from networks.io import write_csv_atomic, write_text_atomic

__all__ = [
    "CURVE_COLUMNS",
    "INDEX_COLUMNS",
    "METRICS",
    "OUTPUTS",
    "SweepError",
    "SweepSpec",
    "SweepSpecError",
    "analyse",
    "break_even",
    "breakeven_chart",
    "design",
    "headline_outputs",
    "load_results",
    "load_spec",
    "missing_chunks",
    "n_points",
    "parse_spec",
    "run_sweep",
    "sensitivity",
    "tornado_chart",
]


def analyse(spec: SweepSpec, out: str | Path) -> dict[str, Any]:
    """Write the analysis of a finished sweep into ``out`` and return what was written.

    ``indices.csv`` + ``tornado.png`` (Sobol or Morris designs), ``breakeven.csv`` +
    ``breakeven.png`` + ``breakeven.json`` (specs with ``[breakeven]``).
    """
    out = Path(out)
    results = load_results(out)
    written: dict[str, Any] = {}
    if spec.kind != "od":
        return written
    indices = sensitivity(spec, results)
    if not indices.empty:
        write_csv_atomic(out / "indices.csv", indices)
        written["indices"] = out / "indices.csv"
        try:
            written["tornado"] = tornado_chart(indices, out / "tornado.png")
        except ValueError as exc:
            written["tornado_note"] = str(exc)
    if spec.breakeven is not None:
        curve, answer = break_even(spec, results)
        write_csv_atomic(out / "breakeven.csv", curve)
        write_text_atomic(out / "breakeven.json", json.dumps(answer, indent=2))
        written.update(
            {
                "breakeven": out / "breakeven.csv",
                "breakeven_chart": breakeven_chart(curve, answer, out / "breakeven.png"),
                "answer": answer,
            }
        )
    return written
