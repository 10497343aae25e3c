"""The fleet plan: what a solve returns, what the replay adds to, what the writers write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class FleetPlan:
    """A solved plan and its results.

    Attributes
    ----------
    scenario : str
    percentile : int
    soft_windows : bool
    t0_utc : datetime
        Time origin of the solver (minutes are counted from it).
    shipments : DataFrame
        One row per shipment: ``shipment_id``, ``status`` (served/dropped), ``mode``,
        ``reason``, ``legs``, ``vehicles``, ``crossings`` (planned crossing ids in order,
        ``;``-separated), ``pickup_utc``, ``delivery_utc``, ``lateness_h``, ``cost_usd``... and,
        after the replay, ``replay_crossings``, ``on_time_probability``, ``p90_lateness_h``.
    stops : DataFrame
        One row per vehicle stop in order (``vehicle``, ``seq``, ``kind``, ``shipment_id``,
        ``leg``, ``place``, ``lat``, ``lon``, ``arrival_utc``, ``on_board``...).
    vehicles : DataFrame
        One row per vehicle used: ``km``, ``driving_h``, ``empty_km``, ``cost_usd``...
    legs : DataFrame
        One row per served leg: the exact graph node path the plan drives or sails
        (``nodes``), the crossings on it and the transfer after it; the replay walks it.
    kpis : dict
    geometry : dict
        Vehicle id -> list of (lon, lat) along the road network.
    solver : dict
        How the search went (budgets, ``stopped_by``, objective, bounds; timing fields end in
        ``_s``).
    """

    scenario: str
    percentile: int
    soft_windows: bool
    t0_utc: datetime
    shipments: pd.DataFrame
    stops: pd.DataFrame
    vehicles: pd.DataFrame
    legs: pd.DataFrame
    kpis: dict[str, Any]
    geometry: dict[str, list[tuple[float, float]]] = field(default_factory=dict, repr=False)
    solver: dict[str, Any] = field(default_factory=dict)
