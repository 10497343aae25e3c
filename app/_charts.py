"""Altair charts of the app: time/cost-distance, Monte Carlo histogram, scenario bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

#: Colours of the reference lines on the reliability histogram.
MARKER_COLOURS = {"P50": "#0b6e4f", "P90": "#e68c14", "P95": "#8c564b", "window": "#c81e28"}


def events_frame(itinerary: Any) -> pd.DataFrame:
    """The itinerary's event table as a DataFrame, whatever container the engine returns."""
    for attr in ("events_frame", "to_frame", "table"):
        fn = getattr(itinerary, attr, None)
        if callable(fn):
            return pd.DataFrame(fn())
    events = getattr(itinerary, "events", None)
    if isinstance(events, pd.DataFrame):
        return events
    if events is not None:
        rows = [e.to_dict() if hasattr(e, "to_dict") else vars(e) for e in events]
        return pd.DataFrame(rows)
    if hasattr(itinerary, "to_dict"):
        return pd.DataFrame(itinerary.to_dict().get("legs", []))
    raise ValueError("itinerary: no event table found")


def _column(frame: pd.DataFrame, *candidates: str) -> str | None:
    for name in candidates:
        if name in frame.columns:
            return name
    return None


def time_cost_distance(events: pd.DataFrame) -> alt.HConcatChart | None:
    """The UNESCAP time/cost-distance chart: cumulative hours and USD against cumulative km.

    Returns None when the table lacks the cumulative columns.
    """
    km = _column(events, "cum_km", "cumulative_km", "km_cum")
    hours = _column(events, "cum_h", "cumulative_h", "cum_hours")
    cost = _column(events, "cum_cost_usd", "cumulative_cost_usd", "cum_cost")
    activity = _column(events, "activity", "kind", "event")
    place = _column(events, "place", "name")
    if km is None or hours is None:
        return None
    data = pd.DataFrame(
        {
            "km": events[km].astype(float),
            "hours": events[hours].astype(float),
            "cost_usd": events[cost].astype(float) if cost else np.nan,
            "activity": events[activity].astype(str) if activity else "",
            "place": events[place].astype(str) if place else "",
        }
    )
    tooltip = ["place", "activity", alt.Tooltip("km:Q", format=",.0f")]
    time_chart = (
        alt.Chart(data, title="Time-distance")
        .mark_line(point=True, color="#0b6e4f")
        .encode(
            x=alt.X("km:Q", title="distance (km)"),
            y=alt.Y("hours:Q", title="cumulative time (h)"),
            tooltip=[*tooltip, alt.Tooltip("hours:Q", format=",.1f")],
        )
        .properties(width=420, height=300)
    )
    if cost is None:
        return alt.hconcat(time_chart)
    cost_chart = (
        alt.Chart(data, title="Cost-distance")
        .mark_line(point=True, color="#1e64c8")
        .encode(
            x=alt.X("km:Q", title="distance (km)"),
            y=alt.Y("cost_usd:Q", title="cumulative cost (USD)"),
            tooltip=[*tooltip, alt.Tooltip("cost_usd:Q", format=",.0f")],
        )
        .properties(width=420, height=300)
    )
    return alt.hconcat(time_chart, cost_chart)


def histogram(
    samples: Sequence[float] | np.ndarray,
    *,
    markers: Mapping[str, float],
    x_title: str,
    bins: int = 40,
) -> alt.LayerChart | alt.FacetChart:
    """A histogram of Monte Carlo samples with labelled vertical reference lines."""
    values = np.asarray(samples, dtype=float)
    counts, edges = np.histogram(values, bins=bins)
    bars = pd.DataFrame(
        {"start": edges[:-1], "end": edges[1:], "share": counts / max(len(values), 1)}
    )
    base = (
        alt.Chart(bars)
        .mark_bar(color="#9ecae1")
        .encode(
            x=alt.X("start:Q", title=x_title),
            x2="end:Q",
            y=alt.Y("share:Q", title="share of draws", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("start:Q", format=",.1f"),
                alt.Tooltip("end:Q", format=",.1f"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )
    lines = pd.DataFrame(
        [{"marker": k, "hours": float(v)} for k, v in markers.items() if np.isfinite(v)]
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeWidth=2, strokeDash=[6, 3])
        .encode(
            x="hours:Q",
            color=alt.Color(
                "marker:N",
                scale=alt.Scale(
                    domain=list(lines["marker"]),
                    range=[MARKER_COLOURS.get(k, "#333333") for k in lines["marker"]],
                ),
                title=None,
            ),
            tooltip=["marker", alt.Tooltip("hours:Q", format=",.1f")],
        )
    )
    return alt.layer(base, rules).properties(height=280)


def grouped_bars(
    frame: pd.DataFrame, *, x: str, y: str, colour: str, title: str, y_title: str
) -> alt.Chart:
    """Bars of ``y`` per ``x``, side by side per ``colour`` group."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None),
            xOffset=f"{colour}:N",
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{colour}:N"),
            tooltip=[x, colour, alt.Tooltip(f"{y}:Q", format=",.1f")],
        )
        .properties(height=280)
    )
