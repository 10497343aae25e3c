"""The comparison chart: one panel per headline KPI, scenarios side by side."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from networks.io import save_figure_atomic


def comparison_chart(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Served and dropped shipments, cost per served shipment, vehicles, on-time rate and modal
    split per scenario. Cost is shown per served shipment, beside what was served, so a plan
    that drops shipments never looks cheap; with replicas, whiskers show min-max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(table["scenario"])
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, 5, figsize=(19, 4.4))
    served = table["served"].astype(float)
    dropped = table["dropped"].astype(float)
    axes[0].bar(x, served, color="#55a868", label="served")
    axes[0].bar(x, dropped, bottom=served, color="#c44e52", label="dropped")
    axes[0].set_title("shipments")
    axes[0].legend(loc="lower right")
    if "served_min" in table:
        axes[0].errorbar(
            x,
            table["served_median"],
            yerr=[
                table["served_median"] - table["served_min"],
                table["served_max"] - table["served_median"],
            ],
            fmt="none",
            ecolor="black",
            capsize=4,
        )
    axes[1].bar(x, table["cost_per_served_usd"].astype(float).fillna(0.0), color="#4c72b0")
    axes[1].set_title("cost per served shipment (USD)")
    axes[2].bar(x, table["vehicles_used"].astype(float), color="#8c8c8c")
    axes[2].set_title("vehicles used")
    axes[3].bar(x, table["on_time_rate"].astype(float).fillna(0.0) * 100, color="#dd8452")
    axes[3].set_title("on-time rate (%, Monte Carlo)")
    axes[3].set_ylim(0, 100)
    road = table["road_share"].astype(float) * 100
    sea = table["sea_share"].astype(float) * 100
    axes[4].bar(x, road, color="#8172b2", label="road")
    axes[4].bar(x, sea, bottom=road, color="#64b5cd", label="sea")
    axes[4].set_title("modal split of served (%)")
    axes[4].legend(loc="lower right")
    for ax in axes:
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    fig.suptitle("Same shipments and fleet under each scenario")
    fig.tight_layout()
    return save_figure_atomic(fig, path)
