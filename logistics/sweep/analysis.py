"""Sensitivity indices with SALib for the headline outputs of a sweep.

Outputs per OD pair: door-to-door P90 (``p90_h``), cost per tonne (``cost_usd_per_t``) and
on-time probability (with a window) of each mode, and the road share over all OD pairs (share of
the pairs where road wins). A Sobol design gives first-order and total indices (``S1``, ``ST``)
with confidence intervals (:func:`SALib.analyze.sobol.analyze`), a Morris design ``mu_star`` (with
its interval) and ``sigma`` (:func:`SALib.analyze.morris.analyze`). Bootstrap resamples are
seeded from the spec seed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from logistics.sweep.design import MORRIS_LEVELS, design, salib_problem
from logistics.sweep.spec import SweepSpec

__all__ = ["INDEX_COLUMNS", "OUTPUTS", "headline_outputs", "sensitivity"]

#: Per-OD, per-mode outputs the indices are computed for.
OUTPUTS = ("p90_h", "cost_usd_per_t", "on_time_probability")
#: Columns of the indices table.
INDEX_COLUMNS = (
    "output",
    "parameter",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "mu_star",
    "mu_star_conf",
    "sigma",
    "note",
)


def headline_outputs(spec: SweepSpec, results: pd.DataFrame) -> pd.DataFrame:
    """One row per point, one column per headline output (``<od>|<mode>|<metric>`` and
    ``road_share``), in point order."""
    cols: dict[str, pd.Series] = {}
    ok = results[results["error"] == ""]
    for (od, mode), g in ok.groupby(["od_label", "mode"], sort=False):
        for metric in OUTPUTS:
            if metric == "on_time_probability" and spec.window_h is None:
                continue
            cols[f"{od}|{mode}|{metric}"] = g.set_index("point")[metric]
    wins = results.drop_duplicates(["point", "od"])
    road = np.where(wins["winner"] == "", math.nan, (wins["winner"] == "road").astype(float))
    wins = wins.assign(road=road)
    cols["road_share"] = wins.groupby("point")["road"].mean()
    points = pd.Index(sorted(results["point"].unique()), name="point")
    return pd.DataFrame(cols).reindex(points)


def _rows(output: str, names: list[str], res: dict[str, Any], keys: tuple[str, ...]) -> list[dict]:
    return [
        {"output": output, "parameter": n, **{k: float(res[k][j]) for k in keys}, "note": ""}
        for j, n in enumerate(names)
    ]


def sensitivity(spec: SweepSpec, results: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of every headline output (see the module docstring).

    Returns
    -------
    DataFrame
        :data:`INDEX_COLUMNS`; an output that cannot be analysed (a point failed, or the output
        does not vary) gets one row with ``note`` saying why. Empty for grid and LHS designs.
    """
    if spec.design not in ("sobol", "morris"):
        return pd.DataFrame(columns=list(INDEX_COLUMNS))
    from SALib.analyze import morris, sobol

    problem = salib_problem(spec)
    names = problem["names"]
    _, X = design(spec)
    table = headline_outputs(spec, results)
    rows: list[dict[str, Any]] = []
    for output in table.columns:
        Y = table[output].to_numpy(dtype=float)
        note = ""
        if len(Y) != len(X) or np.isnan(Y).any():
            note = f"{int(np.isnan(Y).sum())} of {len(X)} points failed or are missing"
        elif np.ptp(Y) == 0:
            note = f"does not vary (always {Y[0]:g})"
        if note:
            rows.append({"output": output, "parameter": "", "note": note})
            continue
        if spec.design == "sobol":
            res = sobol.analyze(problem, Y, calc_second_order=False, seed=spec.seed)
            rows += _rows(output, names, res, ("S1", "S1_conf", "ST", "ST_conf"))
        else:
            res = morris.analyze(problem, X, Y, num_levels=MORRIS_LEVELS, seed=spec.seed)
            rows += _rows(output, names, res, ("mu_star", "mu_star_conf", "sigma"))
    return pd.DataFrame(rows).reindex(columns=list(INDEX_COLUMNS))
