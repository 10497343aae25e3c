"""Altair charts of the app: time/cost-distance, Monte Carlo histogram, scenario bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

#: Colours of the reference lines on the reliability histogram.
MARKER_COLOURS = {"P50": "#0b6e4f", "P90": "#e68c14", "P95": "#8c564b", "window": "#c81e28"}


def time_cost_distance(events: pd.DataFrame) -> alt.HConcatChart | None:
    """The UNESCAP time/cost-distance chart: cumulative hours and USD against cumulative km.

    Stops (borders, rests, ports) show as vertical steps; crossings are marked and labelled.
    Returns None when the table lacks the cumulative columns.
    """
    needed = {"cum_km", "cum_h", "cum_cost_usd"}
    if not needed <= set(events.columns):
        return None
    place = events["place"].astype(str) if "place" in events else ""
    activity = events["activity"].astype(str) if "activity" in events else ""
    data = pd.DataFrame(
        {
            "km": events["cum_km"].astype(float),
            "hours": events["cum_h"].astype(float),
            "cost_usd": events["cum_cost_usd"].astype(float),
            "place": place,
            "activity": activity,
        }
    )
    start = pd.DataFrame([{"km": 0.0, "hours": 0.0, "cost_usd": 0.0, "place": "", "activity": ""}])
    data = pd.concat([start, data], ignore_index=True)
    data["step"] = range(len(data))
    marks = pd.DataFrame(columns=["km", "crossing"])
    if "crossing_id" in events:
        border = events[events["crossing_id"].astype(str).str.len() > 0]
        marks = (
            border.groupby("crossing_id", sort=False)["cum_km"]
            .first()
            .reset_index()
            .rename(columns={"crossing_id": "crossing", "cum_km": "km"})
        )
    tooltip = [
        "place",
        "activity",
        alt.Tooltip("km:Q", format=",.0f", title="km"),
        alt.Tooltip("hours:Q", format=",.1f", title="hours"),
        alt.Tooltip("cost_usd:Q", format=",.0f", title="USD"),
    ]

    def panel(field: str, title: str, colour: str) -> alt.LayerChart | alt.FacetChart:
        line = (
            alt.Chart(data)
            .mark_line(point=alt.OverlayMarkDef(size=18), color=colour)
            .encode(
                x=alt.X("km:Q", title="cumulative distance (km)"),
                y=alt.Y(f"{field}:Q", title=title),
                order="step:Q",
                tooltip=tooltip,
            )
        )
        rules = alt.Chart(marks).mark_rule(color="#999999", strokeDash=[3, 3]).encode(x="km:Q")
        return alt.layer(rules, line).properties(height=300, width=400)

    time_panel = panel("hours", "cumulative time (h)", "#0b6e4f")
    labels = (
        alt.Chart(marks)
        .mark_text(angle=270, align="left", dx=4, dy=-4, fontSize=10, color="#555555")
        .encode(x="km:Q", y=alt.value(0), text="crossing:N")
    )
    cost_panel = panel("cost_usd", "cumulative cost (USD)", "#1e64c8")
    return alt.hconcat(alt.layer(time_panel, labels), cost_panel)


def histogram(
    samples: Sequence[float] | np.ndarray,
    *,
    markers: Mapping[str, float],
    x_title: str,
    bins: int = 40,
) -> alt.LayerChart | alt.FacetChart:
    """A histogram of Monte Carlo samples with labelled vertical reference lines."""
    values = np.asarray(samples, dtype=float)
    # Bins over the central 99.5 % so a thin far tail does not squash the bars; the tail is
    # counted in the last bin.
    lo, hi = np.percentile(values, [0.0, 99.5])
    counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
    bars = pd.DataFrame(
        {"start": edges[:-1], "end": edges[1:], "share": counts / max(len(values), 1)}
    )
    base = (
        alt.Chart(bars)
        .mark_bar(color="#9ecae1")
        .encode(
            x=alt.X("start:Q", title=x_title, scale=alt.Scale(zero=False)),
            x2="end:Q",
            y=alt.Y("share:Q", title="share of draws", axis=alt.Axis(format="%")),
            y2=alt.datum(0),
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
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["marker", alt.Tooltip("hours:Q", format=",.1f")],
        )
    )
    return alt.layer(base, rules).properties(height=280)


def grouped_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    title: str,
    y_title: str,
    order: Sequence[str] | None = None,
) -> alt.Chart:
    """Bars of ``y`` per ``x`` (in ``order``), side by side per ``colour`` group."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None, sort=list(order) if order else "ascending"),
            xOffset=f"{colour}:N",
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{colour}:N"),
            tooltip=[x, colour, alt.Tooltip(f"{y}:Q", format=",.1f")],
        )
        .properties(height=280)
    )


def stacked_share(
    frame: pd.DataFrame, *, title: str, order: Sequence[str] | None = None
) -> alt.Chart:
    """Stacked bars of ``share`` per ``scenario`` by ``mode`` (road / sea)."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("scenario:N", title=None, sort=list(order) if order else "ascending"),
            y=alt.Y("share:Q", title="share", axis=alt.Axis(format="%"), stack="zero"),
            color=alt.Color(
                "mode:N", scale=alt.Scale(domain=["road", "sea"], range=["#0b6e4f", "#1e64c8"])
            ),
            tooltip=["scenario", "mode", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=280)
    )


def cost_per_served(
    table: pd.DataFrame, *, order: Sequence[str] | None = None
) -> alt.LayerChart | alt.FacetChart:
    """Cost per served shipment per scenario, with served / dropped written beside each bar.

    A scenario that served nothing has no cost per served shipment: it gets no bar (never a
    bar of 0, which would look cheapest) and the label "nothing served".
    """
    data = pd.DataFrame(
        {
            "scenario": table["scenario"].astype(str),
            "cost_per_served_usd": pd.to_numeric(table["cost_per_served_usd"], errors="coerce"),
            "served": table["served"].astype(int),
            "dropped": table["dropped"].astype(int),
        }
    )
    data["label"] = [
        f"served {s} · dropped {d}" if s else f"nothing served · dropped {d}"
        for s, d in zip(data["served"], data["dropped"], strict=True)
    ]
    data["at"] = data["cost_per_served_usd"].fillna(0.0)
    x = alt.X("scenario:N", title=None, sort=list(order) if order else "ascending")
    tooltip = [
        "scenario",
        alt.Tooltip("cost_per_served_usd:Q", format=",.0f", title="USD per served shipment"),
        "served",
        "dropped",
    ]
    bars = (
        alt.Chart(data[data["cost_per_served_usd"].notna()])
        .mark_bar(color="#1e64c8")
        .encode(
            x=x, y=alt.Y("cost_per_served_usd:Q", title="USD per served shipment"), tooltip=tooltip
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", angle=270, dx=6, fontSize=11, color="#333333")
        .encode(x=x, y=alt.Y("at:Q"), text="label:N", tooltip=tooltip)
    )
    return alt.layer(bars, labels).properties(title="Cost per served shipment", height=280)
