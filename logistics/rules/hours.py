"""Hours of service: driving limits per crew, breaks and daily rests for a stretch of driving.

Two uses of the same limits:

(a) the exact walk (:meth:`HoursOfService.stint_h`, :meth:`HoursOfService.pause_after`,
    :meth:`HoursOfService.drive`) that the itinerary and Monte Carlo engine follow: drive until
    the continuous or daily limit, then a break (``break_h``) or a daily rest (``daily_rest_h``);
    a stop of at least ``break_h`` resets the continuous counter, one of at least ``daily_rest_h``
    both counters;
(b) the per-arc bound the fleet model uses (:meth:`HoursOfService.rest_h`,
    :meth:`HoursOfService.allowance_used`): a daily rest after every full ``daily_driving_h``,
    each full day with its breaks, and the last day's breaks pro rata (``break_h`` per
    ``continuous_driving_h`` driven), because that day may continue driving done before the arc.

The bound between them: from a fresh start, for any ``drive_h``,
``exact(drive_h) <= rest_h(drive_h) <= exact(drive_h) + break_h``, where ``exact`` is the break and
rest time of walk (a); across arcs driven without a stop of ``break_h`` the pro-rata breaks add up
to at least the breaks the rules require. So the fleet never plans less rest than the rules
require, and at most ``break_h`` per driving day more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CREWS", "HoursOfService"]

#: Crew options: one driver, or two taking turns.
CREWS = ("single", "double")
_EPS = 1e-9


@dataclass(frozen=True)
class HoursOfService:
    """Driving limits of one crew (hours).

    Build with :meth:`from_scenario`. A double crew takes no breaks (one driver rests while the
    other drives): ``continuous_driving_h == daily_driving_h`` and ``break_h == 0``.

    Raises
    ------
    ValueError
        A limit that is not a positive finite number, a negative break or rest, an unknown crew.
    """

    crew: str
    continuous_driving_h: float
    break_h: float
    daily_driving_h: float
    daily_rest_h: float

    def __post_init__(self) -> None:
        if self.crew not in CREWS:
            raise ValueError(f"crew {self.crew!r} is not allowed; allowed: {', '.join(CREWS)}")
        for name, positive in (
            ("continuous_driving_h", True),
            ("daily_driving_h", True),
            ("break_h", False),
            ("daily_rest_h", False),
        ):
            v = getattr(self, name)
            bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
            if bad or v < 0 or (positive and v <= 0):
                allowed = "a finite number > 0" if positive else "a finite number >= 0"
                raise ValueError(
                    f"hours of service ({self.crew}): {name} = {v!r}; allowed: {allowed}"
                )

    @classmethod
    def from_scenario(cls, scenario: Any, params: Any, crew: str) -> HoursOfService:
        """The limits of ``crew`` under ``scenario`` (its ``[general]`` overrides applied)."""
        g = scenario.general_value
        if crew == "single":
            return cls(
                crew,
                g(params, "continuous_driving_h"),
                g(params, "break_h"),
                g(params, "daily_driving_h"),
                g(params, "daily_rest_h"),
            )
        if crew == "double":
            daily = g(params, "double_crew_daily_driving_h")
            return cls(crew, daily, 0.0, daily, g(params, "double_crew_daily_rest_h"))
        raise ValueError(f"crew {crew!r} is not allowed; allowed: {', '.join(CREWS)}")

    # ------------------------------------------------------------------ (a) the exact walk

    def after_stop(self, cont_h: Any, day_h: Any, idle_h: Any) -> tuple[np.ndarray, np.ndarray]:
        """Counters after a stop of ``idle_h``: a daily rest resets both, a break the first."""
        idle = np.asarray(idle_h, dtype=float)
        rested = idle >= self.daily_rest_h - _EPS
        day = np.where(rested, 0.0, day_h)
        cont = np.where(rested | (idle >= self.break_h - _EPS), 0.0, cont_h)
        return cont, day

    def stint_h(self, cont_h: Any, day_h: Any, remaining_h: Any) -> np.ndarray:
        """Driving possible before the next pause (at most ``remaining_h``)."""
        room = np.minimum(self.continuous_driving_h - cont_h, self.daily_driving_h - day_h)
        return np.clip(np.minimum(remaining_h, room), 0.0, None)

    def pause_after(
        self, cont_h: Any, day_h: Any, remaining_h: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pause due after a stint when ``remaining_h`` driving is left.

        Returns
        -------
        (pause_h, is_rest, cont_h, day_h)
            Pause length (0, ``break_h`` or ``daily_rest_h``), whether it is a daily rest, and the
            counters after it.
        """
        need = np.asarray(remaining_h, dtype=float) > _EPS
        rest = need & (np.asarray(day_h) >= self.daily_driving_h - _EPS)
        brk = need & ~rest & (np.asarray(cont_h) >= self.continuous_driving_h - _EPS)
        pause = np.where(rest, self.daily_rest_h, np.where(brk, self.break_h, 0.0))
        return pause, rest, np.where(rest | brk, 0.0, cont_h), np.where(rest, 0.0, day_h)

    def drive(
        self, drive_h: Any, cont_h: Any = 0.0, day_h: Any = 0.0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Walk ``drive_h`` hours of driving from the counters ``(cont_h, day_h)``.

        Returns
        -------
        (elapsed_h, cont_h, day_h)
            Driving plus the breaks and rests inserted, and the counters on arrival.
        """
        remaining = np.maximum(np.asarray(drive_h, dtype=float), 0.0)
        shape = np.broadcast(remaining, np.asarray(cont_h), np.asarray(day_h)).shape
        remaining = np.broadcast_to(remaining, shape).copy()
        cont = np.broadcast_to(np.asarray(cont_h, dtype=float), shape).copy()
        day = np.broadcast_to(np.asarray(day_h, dtype=float), shape).copy()
        elapsed = np.zeros(shape)
        while np.any(remaining > _EPS):
            chunk = np.where(remaining > _EPS, self.stint_h(cont, day, remaining), 0.0)
            elapsed, remaining = elapsed + chunk, remaining - chunk
            cont, day = cont + chunk, day + chunk
            pause, _, cont, day = self.pause_after(cont, day, remaining)
            elapsed = elapsed + pause
        return elapsed, cont, day

    # ------------------------------------------------------------------ (b) the per-arc bound

    def _days_and_last(self, drive_h: Any) -> tuple[Any, Any]:
        """Full driving days in ``drive_h`` (each followed by a daily rest) and the last day's
        driving, in ``(0, daily_driving_h]`` (0 only without driving)."""
        d = np.maximum(np.nan_to_num(np.asarray(drive_h, dtype=float), posinf=0.0), 0.0)
        days = np.maximum(np.floor(d / self.daily_driving_h - 1e-9), 0.0)
        return days, d - days * self.daily_driving_h

    def rest_h(self, drive_h: Any) -> Any:
        """Breaks and daily rests the fleet model counts on an arc of ``drive_h`` driving
        (vectorised; see the module docstring for the bound against the exact walk)."""
        cont, brk = self.continuous_driving_h, self.break_h
        days, last = self._days_and_last(drive_h)
        breaks_full_day = max(math.ceil(self.daily_driving_h / cont - 1e-9) - 1, 0)
        return days * (self.daily_rest_h + breaks_full_day * brk) + last * (brk / cont)

    def allowance_used(self, drive_h: Any) -> Any:
        """Share of the daily driving allowance in use on arrival after ``drive_h`` driving from
        a fresh start, with the daily rests of :meth:`rest_h` taken on the way (in ``[0, 1]``)."""
        return self._days_and_last(drive_h)[1] / self.daily_driving_h

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(continuous_driving_h, break_h, daily_driving_h, daily_rest_h)``."""
        return (self.continuous_driving_h, self.break_h, self.daily_driving_h, self.daily_rest_h)
