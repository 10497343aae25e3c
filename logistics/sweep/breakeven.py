"""Break-even along one parameter: where road overtakes sea, or on-time reaches a target.

The sweep is a grid over one parameter (in the order of its range, so a range ``[1.0, 0.1]``
walks a clearance scale downwards). At each value the curve holds both modes' P90, on-time
probability and cost per tonne, and the winner by :func:`logistics.report.compare_od`'s rule.
Criteria: ``road-wins`` (that rule names road), ``on-time`` (``mode``'s on-time probability
reaches ``target``; the crossing is interpolated linearly between grid values) and
``road-cheaper`` (road's cost per tonne at most sea's).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from logistics.report import RELIABLE_ENOUGH
from logistics.sweep.spec import SweepSpec

__all__ = ["CURVE_COLUMNS", "break_even"]

CURVE_COLUMNS = (
    "value",
    "road_p90_h",
    "sea_p90_h",
    "road_on_time_probability",
    "sea_on_time_probability",
    "road_cost_usd_per_t",
    "sea_cost_usd_per_t",
    "winner",
    "holds",
)


def _curve(spec: SweepSpec, results: pd.DataFrame) -> pd.DataFrame:
    be = spec.breakeven
    assert be is not None
    rows = results[(results["od"] == be.od) & (results["error"] == "")]
    wide = rows.pivot_table(
        index="point",
        columns="mode",
        values=["p90_h", "on_time_probability", "cost_usd_per_t"],
        aggfunc="first",
        dropna=False,
    )
    out = pd.DataFrame(index=wide.index)
    out["value"] = rows.groupby("point")[be.parameter].first()
    for mode in ("road", "sea"):
        for metric in ("p90_h", "on_time_probability", "cost_usd_per_t"):
            key = (metric, mode)
            out[f"{mode}_{metric}"] = wide[key] if key in wide.columns else math.nan
    out["winner"] = rows.groupby("point")["winner"].first()
    if be.criterion == "road-wins":
        out["holds"] = out["winner"] == "road"
    elif be.criterion == "on-time":
        out["holds"] = out[f"{be.mode}_on_time_probability"] >= be.target
    else:
        out["holds"] = out["road_cost_usd_per_t"] <= out["sea_cost_usd_per_t"]
    return out.sort_index().reset_index(drop=True)[list(CURVE_COLUMNS)]


def _why_never(spec: SweepSpec, first: pd.Series, last: pd.Series) -> str:
    be = spec.breakeven
    assert be is not None
    at = f"at {be.parameter} = {last['value']:g}"
    costs = f"road {last['road_cost_usd_per_t']:.1f} USD/t vs sea {last['sea_cost_usd_per_t']:.1f}"
    if be.criterion == "on-time":
        return (
            f"{be.mode} on-time probability stays below {be.target:g}: "
            f"{last[f'{be.mode}_on_time_probability']:.3f} {at} (P90 "
            f"{last[f'{be.mode}_p90_h']:.1f} h for a {spec.window_h:g} h window)"
        )
    if be.criterion == "road-cheaper":
        return (
            f"road stays dearer per tonne: {costs} {at} (road "
            f"{first['road_cost_usd_per_t']:.1f} USD/t at the first value)"
        )
    road_ok = last["road_on_time_probability"] >= RELIABLE_ENOUGH
    sea_ok = last["sea_on_time_probability"] >= RELIABLE_ENOUGH
    if sea_ok and road_ok:
        return f"both modes are on time {at} and sea stays cheaper ({costs})"
    return (
        f"road on-time probability {last['road_on_time_probability']:.3f} vs sea "
        f"{last['sea_on_time_probability']:.3f} {at} ({costs}); the winner is the cheapest mode "
        f"on time with probability >= {RELIABLE_ENOUGH:g}, else the most reliable"
    )


def break_even(spec: SweepSpec, results: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The break-even curve and answer of a sweep with a ``[breakeven]`` table.

    Returns
    -------
    (DataFrame, dict)
        The curve (:data:`CURVE_COLUMNS`, one row per grid value in walking order) and the answer:
        ``found`` (bool), ``value`` (the break-even value, interpolated for ``on-time``, else the
        first grid value where the criterion holds; ``None`` when it never does), ``already``
        (it holds at the first value) and ``message`` (one sentence, with why when it never does).
    """
    be = spec.breakeven
    if be is None:
        raise ValueError("break_even needs a spec with a [breakeven] table")
    curve = _curve(spec, results)
    what = {
        "road-wins": "road wins",
        "on-time": f"{be.mode} on-time probability reaches {be.target:g}",
        "road-cheaper": "road is cheaper per tonne than sea",
    }[be.criterion]
    answer: dict[str, Any] = {
        "od": spec.od[be.od].label,
        "parameter": be.parameter,
        "criterion": be.criterion,
        "window_h": spec.window_h,
        "found": False,
        "value": None,
        "already": False,
    }
    holds = curve["holds"].to_numpy(dtype=bool)
    if curve.empty:
        answer["message"] = "no point of the break-even sweep ran without error"
        return curve, answer
    if not holds.any():
        answer["message"] = (
            f"{what} nowhere from {curve['value'].iloc[0]:g} to {curve['value'].iloc[-1]:g}: "
            + _why_never(spec, curve.iloc[0], curve.iloc[-1])
        )
        return curve, answer
    i = int(np.argmax(holds))
    value = float(curve["value"].iloc[i])
    if i > 0 and be.criterion == "on-time":
        col = f"{be.mode}_on_time_probability"
        y0, y1 = curve[col].iloc[i - 1], curve[col].iloc[i]
        x0 = float(curve["value"].iloc[i - 1])
        if y1 > y0:
            value = x0 + (be.target - y0) / (y1 - y0) * (value - x0)
    answer.update({"found": True, "value": value, "already": i == 0})
    if i == 0:
        answer["message"] = f"{what} already at {be.parameter} = {value:g} (the first value)"
    else:
        answer["message"] = f"{what} from {be.parameter} = {value:.4g}"
    return curve, answer
