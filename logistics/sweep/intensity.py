"""Scenario intensity: a measure phased in from 0 (the base scenario) to 1 (the target scenario).

Every number the two scenarios make effective (clearance and transloading medians and P90s,
documentary time, fees, port dwell and handling, truck costs, weight limits, general parameters,
the harmonized weight) is interpolated linearly between the base's and the target's values, as
they come out of each scenario's own rules (:meth:`Scenario.border_rule` and the others), so a
factor, a cut and a per-crossing override count alike. Settings that cannot be phased in
(through-trucking, single stop, opening and gate hours, the axle-load regime) are the base's
below intensity 1 and the target's at 1.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from logistics.parameters import Delay, ParameterSet
from logistics.scenarios import Scenario

__all__ = ["at_intensity"]

#: Settings kept from the base below intensity 1 (they cannot be phased in).
SWITCHED = ("through_trucking", "single_stop", "exit_hours", "entry_hours", "gate_hours")


def _mix(a: Any, b: Any, t: float) -> Any:
    if isinstance(a, Delay):
        return Delay(
            a.median_h + t * (b.median_h - a.median_h), a.p90_h + t * (b.p90_h - a.p90_h), a.name
        )
    if isinstance(a, float | int) and not isinstance(a, bool) and a != b:
        return float(a + t * (b - a))
    return a if t < 1.0 else b


def _blend(a: Any, b: Any, t: float) -> Any:
    """A rule with every field mixed (switched fields: the base's below 1)."""
    changes = {}
    for f in fields(a):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if f.name in SWITCHED:
            changes[f.name] = va if t < 1.0 else vb
        elif va != vb:
            changes[f.name] = _mix(va, vb, t)
    return replace(a, **changes) if changes else a


def at_intensity(
    base: Scenario, target: Scenario, params: ParameterSet, t: float
) -> tuple[Scenario, ParameterSet]:
    """The scenario and tables of ``target`` phased in at intensity ``t`` (0 to 1) over ``base``.

    Returns
    -------
    (Scenario, ParameterSet)
        A scenario with no overrides (named ``"<base>_<target>_<t>"``) and tables holding the
        blended effective values, so the scenario's rules return exactly those values.
    """
    borders = {
        key: _blend(base.border_rule(params, *key), target.border_rule(params, *key), t)
        for key in params.borders
    }
    ports = {
        pid: _blend(base.port_rule(params, pid), target.port_rule(params, pid), t)
        for pid in params.ports
    }
    countries = {
        c: _blend(base.country_rule(params, c), target.country_rule(params, c), t)
        for c in params.countries
    }
    general = {
        k: _mix(base.general_value(params, k), target.general_value(params, k), t)
        for k in params.general
    }
    blended = replace(params, borders=borders, ports=ports, countries=countries, general=general)
    regime = base if t < 1.0 else target
    scenario = Scenario(
        name=f"{base.name}_{target.name}_{t:.4g}"[:100],
        description=f"{target.name} phased in at {t:.0%} over {base.name}",
        axle_loads=regime.axle_loads,
        harmonized_gvw_t=_mix(base.harmonized_gvw_t, target.harmonized_gvw_t, t),
    )
    return scenario, blended
