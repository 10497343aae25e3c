"""The corridor rules, each in one place, used by every engine (itinerary, Monte Carlo, matrices,
fleet model) and by the app and the exports.

=====================  ==========================================================
``rules.hours``        hours of service per crew: the exact walk and the fleet's bound
``rules.calendar``     weekly opening-hours arithmetic (waits, work while open, closed periods)
``rules.border``       which stop and whose hours apply, clearance, fees, transloading
``rules.sea``          port gates, dwell, sailing wait and time, freight and CO2
=====================  ==========================================================

Geography (great-circle distance, time zones, time parsing, access legs, snapping) is in
:mod:`networks.geo`; shared defaults in :mod:`logistics.defaults`.
"""

from logistics.rules.border import (
    BorderStop,
    BorderTask,
    CrossingPassage,
    border_stops,
    crossing_passage,
    joint_hours,
)
from logistics.rules.calendar import closed_minutes, intersect, shift, wait_quantile_h
from logistics.rules.hours import CREWS, HoursOfService
from logistics.rules.sea import SeaPassage, gate_open, next_sailing, sailing_h, sea_passage

__all__ = [
    "CREWS",
    "BorderStop",
    "BorderTask",
    "CrossingPassage",
    "HoursOfService",
    "SeaPassage",
    "border_stops",
    "closed_minutes",
    "crossing_passage",
    "gate_open",
    "intersect",
    "joint_hours",
    "next_sailing",
    "sailing_h",
    "sea_passage",
    "shift",
    "wait_quantile_h",
]
