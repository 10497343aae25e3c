"""Shared defaults of every engine and front end, and the one median/P90 check.

The CLI, the app, the report and the fleet replay read these instead of repeating the numbers.
"""

from __future__ import annotations

__all__ = [
    "DRAWS_ANALYSIS",
    "DRAWS_REPLAY",
    "DRAWS_SINGLE",
    "REPORT_PERCENTILES",
    "check_p90",
]

#: Monte Carlo draws of an OD comparison, a delay estimate or an export (CLI, app, report).
#: Source: assumption: 2,000 draws put the P90 within about +/-1 % (binomial standard error).
DRAWS_ANALYSIS = 2000

#: Monte Carlo draws per shipment when a fleet plan is replayed (many shipments per plan).
#: Source: assumption: 500 draws keep an on-time rate within about +/-2 percentage points.
DRAWS_REPLAY = 500

#: Draws of :func:`logistics.simulate` called on its own (one route).
DRAWS_SINGLE = 10_000

#: Percentiles reported for door-to-door times and delays.
REPORT_PERCENTILES: tuple[int, ...] = (50, 90, 95)


def check_p90(median: float, p90: float, *, what: str, median_name: str = "") -> str:
    """The one "P90 >= median" rule: ``""`` when ordered, else a one-line message.

    Callers raise their own error type with it (``ParameterError``, ``ScenarioError``, ...).
    """
    if p90 < median:
        name = f"{median_name}=" if median_name else ""
        return (
            f"{what}: P90 {float(p90)!r} h is below the median {name}{float(median)!r} h; "
            "P90 must be >= median"
        )
    return ""
