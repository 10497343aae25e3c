"""One design point applied: the base scenario and parameter tables with the point's values.

Scenario paths (top-level settings, ``general.*``, ``crossings.*``, ``ports.*``, ``countries.*``)
become scenario overrides, so the scenario's precedence rules apply as for a hand-written file.
``*_scale`` keys and ``lanes.*`` change the shipped tables (a scenario override of the same value
still wins), ``depart_h`` shifts the departure and ``intensity`` phases in a target scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from logistics.parameters import ParameterSet
from logistics.scenarios import CountryOverride, CrossingOverride, PortOverride, Scenario
from logistics.sweep.intensity import at_intensity

__all__ = ["apply_point", "hours_text"]

#: Derived per-item keys and the override field they set.
_DERIVED_HOURS = {"open_h": "opening_hours", "gate_open_h": "gate_hours"}
#: Centre of the daily window a derived ``open_h`` builds (local time; 16 h = 06:00-22:00).
CENTRE_H = 14.0
_SECTION_CLASS: dict[str, tuple[Any, str]] = {
    "crossings": (CrossingOverride, "crossing_id"),
    "ports": (PortOverride, "port_id"),
    "countries": (CountryOverride, "country"),
}


def hours_text(open_h: float) -> str:
    """Opening hours text for ``open_h`` hours a day, centred on 14:00 (24 or more: ``24h``; a
    window past midnight ends before it starts)."""
    minutes = round(open_h * 60.0)
    if minutes >= 24 * 60:
        return "24h"
    if minutes <= 0:
        return "closed"
    start = round(CENTRE_H * 60.0 - minutes / 2.0)
    end = start + minutes
    if end > 24 * 60:  # past midnight: a range ending before it starts
        end -= 24 * 60
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _set_override(sc: Scenario, section: str, item_id: str, key: str, value: Any) -> Scenario:
    cls, id_field = _SECTION_CLASS[section]
    items: list[Any] = list(getattr(sc, section))
    for i, item in enumerate(items):
        if getattr(item, id_field) == item_id:
            items[i] = replace(item, **{key: value})
            break
    else:
        items.append(cls(**{id_field: item_id, key: value}))
    changes: dict[str, Any] = {section: tuple(items)}
    return replace(sc, **changes)


def _scale_borders(p: ParameterSet, crossing_id: str, key: str, factor: float) -> ParameterSet:
    borders = dict(p.borders)
    for k, rule in p.borders.items():
        if crossing_id not in ("*", k[0]):
            continue
        if key == "clearance_scale":
            borders[k] = replace(
                rule,
                exit_clearance=rule.exit_clearance.scaled(factor),
                entry_clearance=rule.entry_clearance.scaled(factor),
            )
        else:
            borders[k] = replace(rule, transload=rule.transload.scaled(factor))
    return replace(p, borders=borders)


def apply_point(
    base: Scenario,
    params: ParameterSet,
    values: Mapping[str, Any],
    target: Scenario | None = None,
) -> tuple[Scenario, ParameterSet, float]:
    """The scenario, parameter tables and departure shift (h) of one design point.

    Parameters
    ----------
    base : Scenario
    params : ParameterSet
    values : mapping
        Parameter path -> value (paths checked by :func:`logistics.sweep.spec.check_path`).
    target : Scenario, optional
        The scenario an ``intensity`` value phases in (:func:`logistics.sweep.intensity`); it is
        applied first, the other paths on top of it.

    Raises
    ------
    ScenarioError, ParameterError
        A value the scenario or tables refuse (e.g. a median above the P90).
    """
    sc, p, depart_h = base, params, 0.0
    if "intensity" in values:
        if target is None:
            raise ValueError("intensity needs a target scenario")
        sc, p = at_intensity(base, target, params, float(values["intensity"]))
    for path, value in values.items():
        if path == "intensity":
            continue
        parts = path.split(".")
        if path == "depart_h":
            depart_h = float(value)
        elif len(parts) == 1:
            sc = replace(sc, **{path: value})
        elif parts[0] == "general":
            sc = replace(sc, general={**sc.general, parts[1]: float(value)})
        elif parts[0] == "lanes":
            p = replace(p, lanes={**p.lanes, (parts[1], parts[2]): float(value)})
        elif parts[2] in ("clearance_scale", "transload_scale"):
            p = _scale_borders(p, parts[1], parts[2], float(value))
        elif parts[2] in _DERIVED_HOURS:
            sc = _set_override(sc, parts[0], parts[1], _DERIVED_HOURS[parts[2]], hours_text(value))
        else:
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            sc = _set_override(sc, parts[0], parts[1], parts[2], float(value) if number else value)
    return sc, p, depart_h
