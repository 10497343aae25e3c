"""Charts of a sweep (matplotlib PNG, written atomically): tornado and break-even curve."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from networks.io import save_figure_atomic

__all__ = ["breakeven_chart", "tornado_chart"]

_MAX_PANELS = 4


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tornado_chart(indices: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Tornado chart: per output (at most four panels), parameters ranked by total-order index
    ``ST`` (bars, with its confidence interval; ``S1`` beside it) or Morris ``mu_star``."""
    plt = _pyplot()
    usable = indices[indices["note"].fillna("") == ""]
    outputs = list(dict.fromkeys(usable["output"]))[:_MAX_PANELS]
    if not outputs:
        raise ValueError("no sensitivity indices to chart (every output failed or is constant)")
    morris = usable["ST"].isna().all()
    fig, axes = plt.subplots(
        len(outputs),
        1,
        figsize=(9, 1.2 + 0.45 * usable["parameter"].nunique() * len(outputs)),
        squeeze=False,
    )
    for ax, output in zip(axes[:, 0], outputs, strict=False):
        g = usable[usable["output"] == output].sort_values("mu_star" if morris else "ST")
        y = np.arange(len(g))
        if morris:
            ax.barh(y, g["mu_star"], xerr=g["mu_star_conf"], color="#4c72b0", label="mu*")
            ax.set_xlabel("Morris mu* (mean absolute elementary effect)")
        else:
            ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], color="#4c72b0", label="ST")
            ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], color="#dd8452", label="S1")
            ax.set_xlabel("Sobol index (bars: 95 % confidence)")
        ax.set_yticks(y, list(g["parameter"]), fontsize=8)
        ax.set_title(output, fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return save_figure_atomic(fig, path)


def breakeven_chart(
    curve: pd.DataFrame, answer: dict[str, Any], path: str | os.PathLike[str]
) -> Path:
    """Both modes' on-time probability and cost per tonne along the break-even parameter, with
    the break-even value marked (or the answer's reason when there is none)."""
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    x = curve["value"]
    for mode, color in (("road", "#c44e52"), ("sea", "#4c72b0")):
        ax1.plot(x, curve[f"{mode}_on_time_probability"], "o-", color=color, label=mode)
        ax2.plot(x, curve[f"{mode}_cost_usd_per_t"], "o-", color=color, label=mode)
    ax1.set_ylabel(f"on-time probability ({answer.get('window_h')} h window)")
    ax2.set_ylabel("cost, USD per tonne")
    for ax in (ax1, ax2):
        ax.set_xlabel(answer["parameter"])
        if len(x) > 1 and x.iloc[0] > x.iloc[-1]:
            ax.invert_xaxis()
        if answer["found"]:
            ax.axvline(answer["value"], color="k", ls="--", lw=1)
        ax.legend(fontsize=8)
    fig.suptitle(f"{answer['od']}: {answer['message']}", fontsize=9, wrap=True)
    fig.tight_layout()
    return save_figure_atomic(fig, path)
