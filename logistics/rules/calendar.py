"""Weekly calendars: the arithmetic of opening hours (borders, port gates).

A calendar is a tuple of open intervals ``(start_h, end_h)`` in hours since Monday 00:00 local time,
sorted, disjoint, within ``[0, 168]`` (what :class:`logistics.parameters.OpeningHours` holds).
Times are hours since the Unix epoch (UTC); a calendar is read in a local time ``utc_offset_h``.
Every engine (itinerary, Monte Carlo, matrix, fleet, app) uses these functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

__all__ = [
    "ALWAYS_OPEN",
    "EPOCH_WEEKDAY_H",
    "HOURS_PER_WEEK",
    "Intervals",
    "closed_minutes",
    "closing",
    "finish",
    "intersect",
    "next_open",
    "shift",
    "wait_quantile_h",
    "week_hour",
]

HOURS_PER_WEEK = 168.0
#: 1970-01-01 (the Unix epoch) was a Thursday: Monday 00:00 is 72 h before it.
EPOCH_WEEKDAY_H = 72.0
#: Monday 1970-01-05 00:00 UTC in hours since the epoch: the start of per-minute week tables.
FIRST_MONDAY_H = HOURS_PER_WEEK - EPOCH_WEEKDAY_H
_EPS = 1e-9

Intervals = tuple[tuple[float, float], ...]
ALWAYS_OPEN: Intervals = ((0.0, HOURS_PER_WEEK),)


def _arrays(intervals: Intervals) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.array([s for s, _ in intervals], dtype=float)
    ends = np.array([e for _, e in intervals], dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(ends - starts)])
    return starts, ends, cum


def _never(intervals: Intervals) -> None:
    if not intervals:
        raise ValueError("the calendar is never open")


def week_hour(t_utc_h: Any, utc_offset_h: float) -> np.ndarray:
    """Local hours since Monday 00:00 of the week containing ``t_utc_h``, in ``[0, 168)``."""
    local = np.asarray(t_utc_h, dtype=float) + utc_offset_h + EPOCH_WEEKDAY_H
    return local - np.floor(local / HOURS_PER_WEEK) * HOURS_PER_WEEK


def next_open(intervals: Intervals, t_utc_h: Any, utc_offset_h: float) -> np.ndarray:
    """Earliest time ``>= t_utc_h`` when the calendar is open (``ValueError`` if never open)."""
    t = np.asarray(t_utc_h, dtype=float)
    _never(intervals)
    if intervals == ALWAYS_OPEN:
        return t.copy()
    starts, ends, _ = _arrays(intervals)
    w = week_hour(t, utc_offset_h)
    idx = np.searchsorted(ends, w, side="right")
    wrap = idx >= len(ends)
    nxt = np.where(wrap, starts[0] + HOURS_PER_WEEK, starts[np.minimum(idx, len(ends) - 1)])
    return t + np.maximum(nxt - w, 0.0)


def closing(intervals: Intervals, t_utc_h: Any, utc_offset_h: float) -> np.ndarray:
    """End of the opening containing ``t_utc_h`` (an open time); ``inf`` when always open."""
    t = np.asarray(t_utc_h, dtype=float)
    if intervals == ALWAYS_OPEN:
        return np.full(t.shape, np.inf)
    _never(intervals)
    _, ends, _ = _arrays(intervals)
    w = week_hour(t, utc_offset_h)
    idx = np.minimum(np.searchsorted(ends, w, side="right"), len(ends) - 1)
    return t + np.maximum(ends[idx] - w, 0.0)


def finish(intervals: Intervals, start_utc_h: Any, work_h: Any, utc_offset_h: float) -> np.ndarray:
    """When ``work_h`` hours of work started at ``start_utc_h`` end.

    Work progresses only while open: it waits for the opening, pauses at closing and resumes at the
    next opening.
    """
    t = np.asarray(start_utc_h, dtype=float)
    work = np.broadcast_to(np.asarray(work_h, dtype=float), t.shape)
    _never(intervals)
    if intervals == ALWAYS_OPEN:
        return t + work
    starts, ends, cum = _arrays(intervals)
    total = cum[-1]
    shift_h = utc_offset_h + EPOCH_WEEKDAY_H
    begin = next_open(intervals, t, utc_offset_h)
    local = begin + shift_h
    week = np.floor(local / HOURS_PER_WEEK)
    w = local - week * HOURS_PER_WEEK
    # open time from Monday 00:00 of the start week up to w
    bp = np.concatenate([[0.0], np.column_stack([starts, ends]).ravel(), [HOURS_PER_WEEK]])
    cum_bp = np.concatenate([[0.0], np.repeat(cum, 2)[1:-1], [total]])
    pos = np.interp(w, bp, cum_bp)
    target = pos + work
    k = np.floor(target / total)
    r = target - k * total
    at_zero = (r <= 1e-12) & (k > 0)
    k = np.where(at_zero, k - 1, k)
    r = np.where(at_zero, total, r)
    i = np.clip(np.searchsorted(cum[1:], r, side="left"), 0, len(starts) - 1)
    out = (week + k) * HOURS_PER_WEEK + starts[i] + (r - cum[i]) - shift_h
    return np.where(work > 0, np.maximum(out, begin), t)


def _gaps(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Closed periods ``(end of an opening, start of the next)``, the last one across Sunday."""
    ivs = list(intervals)
    out = []
    for (_, e1), (s2, _) in zip(ivs, [*ivs[1:], (ivs[0][0] + HOURS_PER_WEEK, 0.0)], strict=True):
        if s2 - e1 > _EPS:
            out.append((e1, s2))
    return out


def wait_quantile_h(intervals: Sequence[tuple[float, float]], *, quantile: float) -> float:
    """Wait for an opening at ``quantile`` for a truck arriving at a uniformly random time.

    Empty ``intervals`` (never open) give ``inf``. This is the wait used where the arrival time
    within the week is not known (travel matrices, port gates in the fleet model).
    """
    if not intervals:
        return math.inf
    gaps = [b - a for a, b in _gaps(intervals)]
    if not gaps:
        return 0.0
    # P(wait > w) = sum(max(g - w, 0)) / week; find w with P = 1 - quantile.
    target = (1.0 - quantile) * HOURS_PER_WEEK
    lo, hi = 0.0, max(gaps)
    if sum(gaps) <= target:
        return 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(max(g - mid, 0.0) for g in gaps) > target:
            lo = mid
        else:
            hi = mid
    return hi


def closed_minutes(
    intervals: Intervals, utc_offset_h: float, t0: datetime, horizon_min: int
) -> list[tuple[int, int]]:
    """Closed periods over ``[0, horizon_min]`` minutes after ``t0`` (inclusive integer minutes).

    The fleet model forbids these minutes for a calendar-bound stop.
    """
    if not intervals:
        return [(0, horizon_min)]
    if intervals == ALWAYS_OPEN:
        return []
    local0 = t0 + timedelta(hours=utc_offset_h)
    monday_local = datetime(local0.year, local0.month, local0.day) - timedelta(
        days=local0.weekday()
    )
    monday_utc = monday_local.replace(tzinfo=UTC) - timedelta(hours=utc_offset_h)
    base_min = (monday_utc - t0).total_seconds() / 60.0
    gaps = _gaps(intervals)
    out = []
    weeks = int(horizon_min / (168 * 60)) + 2
    for w in range(-1, weeks + 1):
        for a, b in gaps:
            lo = math.ceil(base_min + (w * 168 + a) * 60 + 1e-9)
            hi = math.floor(base_min + (w * 168 + b) * 60 - 1e-9)
            lo, hi = max(lo, 0), min(hi, horizon_min)
            if lo <= hi:
                out.append((lo, hi))
    return out


def _normalise(pieces: list[tuple[float, float]]) -> Intervals:
    pieces = sorted((s, e) for s, e in pieces if e - s > _EPS)
    merged: list[list[float]] = []
    for s, e in pieces:
        if merged and s <= merged[-1][1] + _EPS:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((float(s), float(e)) for s, e in merged)


def shift(intervals: Intervals, hours: float) -> Intervals:
    """The same calendar read ``hours`` later on the clock (e.g. ``+1`` from UTC+7 to UTC+8)."""
    pieces: list[tuple[float, float]] = []
    for s, e in intervals:
        s2, e2 = s + hours, e + hours
        k = math.floor(s2 / HOURS_PER_WEEK)
        s2, e2 = s2 - k * HOURS_PER_WEEK, e2 - k * HOURS_PER_WEEK
        if e2 <= HOURS_PER_WEEK + _EPS:
            pieces.append((s2, min(e2, HOURS_PER_WEEK)))
        else:
            pieces += [(s2, HOURS_PER_WEEK), (0.0, e2 - HOURS_PER_WEEK)]
    return _normalise(pieces)


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """Times open in both calendars (same local time)."""
    pieces = [
        (max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if min(e1, e2) > max(s1, s2)
    ]
    return _normalise(pieces)


#: Arrivals per hour of the week over which the fleet's rules take a wait quantile or the
#: arrivals that pass without pausing (:func:`week_minutes`).
WAIT_GRID_PER_H = 60


def week_minutes() -> np.ndarray:
    """Every minute of one week from Monday 00:00 UTC, in UTC hours (:func:`minute_runs` reads
    a boolean grid of these)."""
    return FIRST_MONDAY_H + np.arange(int(HOURS_PER_WEEK * WAIT_GRID_PER_H)) / WAIT_GRID_PER_H


def minute_runs(ok: np.ndarray, offset_h: float) -> Intervals:
    """Intervals (local hours of the week at ``offset_h`` from UTC) of a per-minute boolean grid
    that starts at Monday 00:00 UTC (:func:`week_minutes`)."""
    n = len(ok)
    per_h = n / HOURS_PER_WEEK
    pieces: list[tuple[float, float]] = []
    start = None
    for i, flag in enumerate([*ok.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            pieces.append((start / per_h, i / per_h))
            start = None
    if not pieces:
        return ()
    return shift(tuple(pieces), offset_h)
