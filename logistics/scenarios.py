"""Harmonization scenarios: TOML files validated into frozen dataclasses.

A scenario changes the shipped parameters (``logistics.parameters``) globally or per crossing.
Built-ins live in ``logistics/data/scenarios/*.toml``; a user file may ``extends = "status-quo"``
(or another built-in, or a path relative to the file) and override any value.

A file may also declare ``relaxes = ["status-quo"]``: the scenarios it only relaxes, checked at
load by :func:`check_relaxation` (no parameter stricter); :func:`relaxation_pairs` lists such
pairs among a set of scenarios.

Precedence when a rule is built for one crossing and direction: a per-crossing value in
``[crossings."<id>"]`` beats one in ``[crossings."*"]`` (every crossing), which beats a global
scenario value, which beats the shipped table. ``[ports."<id>"|"*"]`` and
``[countries."<code>"|"*"]`` override port and country (truck cost, weight limit) values the same
way.

Example::

    name = "my-measure"
    extends = "status-quo"
    single_window_cut = 0.2
    [crossings."na-phao-cha-lo"]
    opening_hours = "06:00-22:00"
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from logistics.defaults import check_p90
from logistics.limits import (
    GENERAL_BOUNDS,
    MAX_DURATION_H,
    MAX_FACTOR,
    MAX_HOURS_CHARS,
    MAX_SCENARIO_BYTES,
    MAX_TOML_DEPTH,
    MAX_USD,
)
from logistics.parameters import (
    GENERAL_NAMES,
    BorderRule,
    CountryCost,
    Delay,
    OpeningHours,
    ParameterError,
    ParameterSet,
    PortRule,
    load_parameters,
)

__all__ = [
    "CrossingOverride",
    "Scenario",
    "ScenarioError",
    "check_relaxation",
    "diff_scenarios",
    "list_scenarios",
    "load_scenario",
    "parse_toml",
    "relaxation_pairs",
]

log = logging.getLogger(__name__)

AXLE_REGIMES = ("strictest", "harmonized")
#: A scenario name (also each name in ``relaxes``): an identifier, never a path, so a file cannot
#: point the loader elsewhere nor make an output folder outside ``--out``.
SCENARIO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_NAME_RULE = "1-100 letters, digits, '.', '_', '-', starting with a letter or digit (no paths)"
_MAX_EXTENDS_DEPTH = 16


class ScenarioError(ValueError):
    """A scenario is unknown or invalid (names the file, line, key and value where known)."""


def _check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    lo: float = 0.0,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> None:
    allowed = f"{'>' if lo_open else '>='} {lo:g}"
    if hi is not None:
        allowed += f" and {'<' if hi_open else '<='} {hi:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScenarioError(
            f"{owner}: {name} must be a finite number, got {value!r}; allowed: {allowed}"
        )
    if (
        value < lo
        or (lo_open and value == lo)
        or (hi is not None and (value > hi or (hi_open and value == hi)))
    ):
        raise ScenarioError(f"{owner}: {name} = {value!r} is not allowed; must be {allowed}")


def _check_hours(owner: str, name: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or len(value) > MAX_HOURS_CHARS:
        shown = value if not isinstance(value, str) else value[:40] + "..."
        raise ScenarioError(
            f"{owner}: {name} must be text like '06:00-22:00', '24h' or 'closed' (at most "
            f"{MAX_HOURS_CHARS} characters), got {shown!r}"
        )
    try:
        OpeningHours.parse(value, what=f"{owner}: {name}")
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None


def _check_bool(owner: str, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        raise ScenarioError(f"{owner}: {name} must be true or false, got {value!r}")


def _check_durations(owner: str, override: Any, pairs: tuple[str, ...]) -> None:
    """Check an override's hours/USD values (bounded by :data:`~logistics.limits.MAX_DURATION_H`
    and :data:`~logistics.limits.MAX_USD`) and that each median/P90 pair it sets is ordered."""
    for f in fields(override):
        value = getattr(override, f.name)
        if f.name.endswith("_h") and value is not None:
            _check_number(owner, f.name, value, hi=MAX_DURATION_H)
        elif f.name.endswith("_usd") and value is not None:
            _check_number(owner, f.name, value, hi=MAX_USD)
    for side in pairs:
        med, p90 = getattr(override, f"{side}_median_h"), getattr(override, f"{side}_p90_h")
        if (
            med is not None
            and p90 is not None
            and (
                message := check_p90(
                    med, p90, what=f"{owner}: {side}_p90_h", median_name=f"{side}_median_h"
                )
            )
        ):
            raise ScenarioError(message)


@dataclass(frozen=True)
class CrossingOverride:
    """Per-crossing overrides (both directions); ``None`` keeps the global or table value."""

    crossing_id: str
    opening_hours: str | None = None
    exit_hours: str | None = None
    entry_hours: str | None = None
    through_trucking: bool | None = None
    single_stop: bool | None = None
    exit_clearance_median_h: float | None = None
    exit_clearance_p90_h: float | None = None
    entry_clearance_median_h: float | None = None
    entry_clearance_p90_h: float | None = None
    documentary_h: float | None = None
    exit_fee_usd: float | None = None
    entry_fee_usd: float | None = None
    transload_median_h: float | None = None
    transload_p90_h: float | None = None
    transload_cost_usd: float | None = None

    def __post_init__(self) -> None:
        owner = f"crossing {self.crossing_id!r}"
        if not isinstance(self.crossing_id, str) or not self.crossing_id:
            raise ScenarioError(f"crossing id must be non-empty text, got {self.crossing_id!r}")
        for name in ("opening_hours", "exit_hours", "entry_hours"):
            _check_hours(owner, name, getattr(self, name))
        for name in ("through_trucking", "single_stop"):
            _check_bool(owner, name, getattr(self, name))
        _check_durations(owner, self, ("exit_clearance", "entry_clearance", "transload"))


@dataclass(frozen=True)
class PortOverride:
    """Per-port overrides (``port_id = "*"``: every port); ``None`` keeps the table value."""

    port_id: str
    gate_hours: str | None = None
    export_dwell_median_h: float | None = None
    export_dwell_p90_h: float | None = None
    import_dwell_median_h: float | None = None
    import_dwell_p90_h: float | None = None
    export_handling_usd: float | None = None
    import_handling_usd: float | None = None

    def __post_init__(self) -> None:
        owner = f"port {self.port_id!r}"
        if not isinstance(self.port_id, str) or not self.port_id:
            raise ScenarioError(f"port id must be non-empty text, got {self.port_id!r}")
        _check_hours(owner, "gate_hours", self.gate_hours)
        _check_durations(owner, self, ("export_dwell", "import_dwell"))


@dataclass(frozen=True)
class CountryOverride:
    """Per-country overrides of truck costs and weight limit (``country = "*"``: every country)."""

    country: str
    truck_cost_usd_per_km: float | None = None
    truck_cost_usd_per_h: float | None = None
    gvw_limit_t: float | None = None

    def __post_init__(self) -> None:
        owner = f"country {self.country!r}"
        if not isinstance(self.country, str) or not self.country:
            raise ScenarioError(f"country code must be non-empty text, got {self.country!r}")
        for name in ("truck_cost_usd_per_km", "truck_cost_usd_per_h"):
            if getattr(self, name) is not None:
                _check_number(owner, name, getattr(self, name), hi=MAX_USD)
        if self.gvw_limit_t is not None:
            _check_number(owner, "gvw_limit_t", self.gvw_limit_t, lo_open=True, hi=100.0)


_CROSSING_KEYS = tuple(f.name for f in fields(CrossingOverride) if f.name != "crossing_id")
_PORT_KEYS = tuple(f.name for f in fields(PortOverride) if f.name != "port_id")
_COUNTRY_KEYS = tuple(f.name for f in fields(CountryOverride) if f.name != "country")
#: Sections of per-item overrides: name -> (class, id field, allowed keys).
_SECTIONS: dict[str, tuple[Any, str, tuple[str, ...]]] = {
    "crossings": (CrossingOverride, "crossing_id", _CROSSING_KEYS),
    "ports": (PortOverride, "port_id", _PORT_KEYS),
    "countries": (CountryOverride, "country", _COUNTRY_KEYS),
}
#: The id that applies a section to every crossing, port or country.
WILDCARD = "*"


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable set of policy settings applied to the default parameters.

    Attributes
    ----------
    name, description : str
    through_trucking : bool or None
        ``True``: trucks run through every crossing (no transloading); ``False``: transload
        everywhere; ``None``: as in the border table.
    single_stop : bool or None
        ``True``: one joint inspection (time = ``single_stop_time_factor`` x exit + entry).
    single_window_cut : float
        Share in [0, 1) cut from documentary and clearance times.
    clearance_factor : float
        Multiplier on clearance times (> 0).
    opening_hours : str or None
        Opening hours for both sides of every crossing (e.g. ``"24h"``).
    axle_loads : {"strictest", "harmonized"}
        Payload from the strictest gross-vehicle-weight limit on the route, or from
        ``harmonized_gvw_t`` everywhere.
    harmonized_gvw_t : float
    port_dwell_factor : float
        Multiplier on port dwell times (> 0).
    general : mapping
        Overrides of general parameters (hours of service, CO2, sea freight, ...).
    crossings : tuple of CrossingOverride
        Per-crossing values (``"*"`` applies to every crossing; a named crossing wins).
    ports : tuple of PortOverride
        Per-port values (``"*"``: every port).
    countries : tuple of CountryOverride
        Per-country truck costs and weight limits (``"*"``: every country).
    sources : mapping
        Source or reasoning for the scenario's values (key -> text).
    relaxes : tuple of str
        Names of the scenarios this one only relaxes (a built-in, or ``<name>.toml`` next to this
        file): no parameter is stricter, checked at load by :func:`check_relaxation`. Not
        inherited through ``extends``.
    extends : str or None
        The parent scenario this one was built on.
    path : str
        File the scenario was read from.
    """

    name: str
    description: str = ""
    through_trucking: bool | None = None
    single_stop: bool | None = None
    single_window_cut: float = 0.0
    clearance_factor: float = 1.0
    opening_hours: str | None = None
    axle_loads: str = "strictest"
    harmonized_gvw_t: float = 50.0
    port_dwell_factor: float = 1.0
    general: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    crossings: tuple[CrossingOverride, ...] = ()
    ports: tuple[PortOverride, ...] = ()
    countries: tuple[CountryOverride, ...] = ()
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    relaxes: tuple[str, ...] = ()
    extends: str | None = None
    path: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not SCENARIO_NAME.fullmatch(self.name):
            raise ScenarioError(f"name: bad value {self.name!r}; allowed: {_NAME_RULE}")
        owner = f"scenario {self.name!r}"
        if not isinstance(self.description, str):
            raise ScenarioError(f"{owner}: description must be text, got {self.description!r}")
        _check_bool(owner, "through_trucking", self.through_trucking)
        _check_bool(owner, "single_stop", self.single_stop)
        _check_number(owner, "single_window_cut", self.single_window_cut, hi=1.0, hi_open=True)
        for name in ("clearance_factor", "port_dwell_factor"):
            _check_number(owner, name, getattr(self, name), lo_open=True, hi=MAX_FACTOR)
        _check_number(owner, "harmonized_gvw_t", self.harmonized_gvw_t, lo_open=True, hi=100.0)
        _check_hours(owner, "opening_hours", self.opening_hours)
        if self.axle_loads not in AXLE_REGIMES:
            raise ScenarioError(
                f"{owner}: axle_loads = {self.axle_loads!r}; allowed: {', '.join(AXLE_REGIMES)}"
            )
        if not isinstance(self.general, Mapping):
            raise ScenarioError(f"{owner}: [general] must be a table, got {self.general!r}")
        for key, value in self.general.items():
            if key not in GENERAL_NAMES:
                raise ScenarioError(
                    f"{owner}: unknown general parameter {key!r}; allowed: "
                    f"{', '.join(GENERAL_NAMES)}"
                )
            lo, lo_open, hi = GENERAL_BOUNDS[key]
            _check_number(owner, f"general.{key}", value, lo=lo, lo_open=lo_open, hi=hi)
        if not isinstance(self.sources, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.sources.items()
        ):
            raise ScenarioError(f"{owner}: [sources] must map keys to text, got {self.sources!r}")
        for section, (cls, id_field, _) in _SECTIONS.items():
            items = getattr(self, section)
            if not isinstance(items, tuple) or not all(isinstance(i, cls) for i in items):
                raise ScenarioError(f"{owner}: {section} must be a tuple of {cls.__name__}")
            ids = [getattr(i, id_field) for i in items]
            if len(ids) != len(set(ids)):
                raise ScenarioError(f"{owner}: an entry is listed twice in [{section}]: {ids}")
        if not isinstance(self.relaxes, (list, tuple)) or not all(
            isinstance(r, str) and SCENARIO_NAME.fullmatch(r) for r in self.relaxes
        ):
            raise ScenarioError(
                f"{owner}: relaxes must be a list of scenario names ({_NAME_RULE}), "
                f"got {self.relaxes!r}"
            )
        if len(set(self.relaxes)) != len(self.relaxes) or self.name in self.relaxes:
            raise ScenarioError(
                f"{owner}: relaxes = {list(self.relaxes)!r} is not allowed; "
                "list each other scenario once, never the scenario itself"
            )
        object.__setattr__(self, "relaxes", tuple(self.relaxes))
        object.__setattr__(self, "general", MappingProxyType(dict(self.general)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle support (read-only mappings are stored as plain dicts)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["general"] = dict(self.general)
        values["sources"] = dict(self.sources)
        return (_rebuild, (values,))

    # ------------------------------------------------------------------ application

    def _merged(self, section: str, item_id: str) -> Any:
        """The ``"*"`` entry of ``section`` overlaid with the entry for ``item_id``."""
        cls, id_field, keys = _SECTIONS[section]
        values: dict[str, Any] = {}
        for wanted in (WILDCARD, item_id):
            for item in getattr(self, section):
                if getattr(item, id_field) == wanted:
                    values.update(
                        {k: getattr(item, k) for k in keys if getattr(item, k) is not None}
                    )
        return cls(**{id_field: item_id}, **values)

    def override(self, crossing_id: str) -> CrossingOverride:
        """Per-crossing overrides for ``crossing_id`` (its own section over the ``"*"`` one)."""
        merged: CrossingOverride = self._merged("crossings", crossing_id)
        return merged

    def check_crossings(self, params: ParameterSet) -> None:
        """Raise :class:`ScenarioError` if a section names an unknown crossing, port or country."""
        known_by_section = {
            "crossings": sorted({k[0] for k in params.borders}),
            "ports": sorted(params.ports),
            "countries": sorted(params.countries),
        }
        for section, (_, id_field, _) in _SECTIONS.items():
            known = known_by_section[section]
            for item in getattr(self, section):
                item_id = getattr(item, id_field)
                if item_id != WILDCARD and item_id not in known:
                    close = (
                        difflib.get_close_matches(item_id, known, n=len(known), cutoff=0) or known
                    )
                    raise ScenarioError(
                        f"scenario {self.name!r}: "
                        f"unknown {id_field.replace('_id', '')} {item_id!r} "
                        f'in [{section}]; known: {", ".join(close)} (or "*" for all)'
                    )

    def general_value(self, params: ParameterSet, key: str) -> float:
        """A general parameter after this scenario's ``[general]`` overrides."""
        if key in self.general:
            return float(self.general[key])
        return float(params.general[key])

    def border_rule(
        self, params: ParameterSet, crossing_id: str, from_country: str, to_country: str
    ) -> BorderRule:
        """The effective rule of one crossing and direction under this scenario."""
        base = params.border(crossing_id, from_country, to_country)
        ov = self.override(crossing_id)
        what = f"scenario {self.name!r}, crossing {crossing_id!r} {from_country}->{to_country}"

        def pick(name: str, table_value: Any, global_value: Any = None) -> Any:
            value = getattr(ov, name)
            if value is not None:
                return value
            return table_value if global_value is None else global_value

        def hours(side: str, table: OpeningHours) -> OpeningHours:
            text = getattr(ov, f"{side}_hours") or ov.opening_hours or self.opening_hours
            return table if text is None else OpeningHours.parse(text, what=f"{what}: {side}_hours")

        def delay(side: str, table: Delay, factor: float) -> Delay:
            med = pick(f"{side}_median_h", table.median_h)
            p90 = pick(f"{side}_p90_h", table.p90_h)
            try:  # an override of one of the pair may contradict the other: refuse, never adjust
                return Delay(med * factor, p90 * factor, name=f"{crossing_id} {side}")
            except ParameterError as exc:
                raise ScenarioError(f"{what}: {exc}") from None

        cut = 1.0 - self.single_window_cut
        factor = self.clearance_factor * cut
        return replace(
            base,
            exit_hours=hours("exit", base.exit_hours),
            entry_hours=hours("entry", base.entry_hours),
            exit_clearance=delay("exit_clearance", base.exit_clearance, factor),
            entry_clearance=delay("entry_clearance", base.entry_clearance, factor),
            documentary_h=float(pick("documentary_h", base.documentary_h)) * cut,
            exit_fee_usd=float(pick("exit_fee_usd", base.exit_fee_usd)),
            entry_fee_usd=float(pick("entry_fee_usd", base.entry_fee_usd)),
            through_trucking=bool(
                pick("through_trucking", base.through_trucking, self.through_trucking)
            ),
            single_stop=bool(pick("single_stop", base.single_stop, self.single_stop)),
            transload=delay("transload", base.transload, 1.0),
            transload_cost_usd=float(pick("transload_cost_usd", base.transload_cost_usd)),
        )

    def port_rule(self, params: ParameterSet, port_id: str) -> PortRule:
        """The effective rule of one port (``[ports]`` and ``port_dwell_factor`` applied)."""
        base = params.port(port_id)
        ov: PortOverride = self._merged("ports", port_id)
        what = f"scenario {self.name!r}, port {port_id!r}"

        def pick(name: str, table_value: Any) -> Any:
            value = getattr(ov, name)
            return table_value if value is None else value

        def dwell(side: str, table: Delay) -> Delay:
            med = pick(f"{side}_median_h", table.median_h)
            p90 = pick(f"{side}_p90_h", table.p90_h)
            try:  # an override of one of the pair may contradict the other: refuse, never adjust
                return Delay(med, p90, name=f"{port_id} {side}").scaled(self.port_dwell_factor)
            except ParameterError as exc:
                raise ScenarioError(f"{what}: {exc}") from None

        gate = base.gate_hours
        if ov.gate_hours is not None:
            gate = OpeningHours.parse(ov.gate_hours, what=f"{what}: gate_hours")
        return replace(
            base,
            gate_hours=gate,
            export_dwell=dwell("export_dwell", base.export_dwell),
            import_dwell=dwell("import_dwell", base.import_dwell),
            export_handling_usd=float(pick("export_handling_usd", base.export_handling_usd)),
            import_handling_usd=float(pick("import_handling_usd", base.import_handling_usd)),
        )

    def country_rule(self, params: ParameterSet, country: str) -> CountryCost:
        """Truck costs and weight limit of one country under this scenario (``[countries]``)."""
        base = params.country(country)
        ov: CountryOverride = self._merged("countries", country)
        changes: dict[str, Any] = {
            k: float(getattr(ov, k)) for k in _COUNTRY_KEYS if getattr(ov, k) is not None
        }
        return replace(base, **changes) if changes else base

    def capacity_t(self, params: ParameterSet, countries: list[str]) -> float:
        """Payload capacity of one truck (t) on a route through ``countries``.

        ``strictest``: the lowest gross-vehicle-weight limit among the countries minus the tare;
        ``harmonized``: ``harmonized_gvw_t`` minus the tare.
        """
        tare = self.general_value(params, "tare_t")
        if self.axle_loads == "harmonized":
            gvw = self.harmonized_gvw_t
        else:
            limits = [self.country_rule(params, c).gvw_limit_t for c in countries if c] or [
                self.harmonized_gvw_t
            ]
            gvw = min(limits)
        return max(0.0, gvw - tare)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict of every setting."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECTIONS:
                _, id_field, keys = _SECTIONS[f.name]
                out[f.name] = {
                    getattr(item, id_field): {
                        k: getattr(item, k) for k in keys if getattr(item, k) is not None
                    }
                    for item in value
                }
            elif isinstance(value, Mapping):
                out[f.name] = dict(value)
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out


def _rebuild(values: dict[str, Any]) -> Scenario:
    return Scenario(**values)


_SCENARIO_KEYS = tuple(f.name for f in fields(Scenario) if f.name != "path")


# --------------------------------------------------------------------------- loading


def _builtin_dir() -> Any:
    return resources.files("logistics").joinpath("data", "scenarios")


def list_scenarios() -> list[str]:
    """Names of the built-in scenarios (``status-quo`` first, then alphabetical)."""
    names = sorted(
        p.name.removesuffix(".toml") for p in _builtin_dir().iterdir() if p.name.endswith(".toml")
    )
    if "status-quo" in names:
        names.remove("status-quo")
        names.insert(0, "status-quo")
    return names


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """1-based line of ``key = ...`` (inside ``[section]`` when given), or of a ``[key]`` header."""
    lines = text.splitlines()
    in_section = section is None
    key_re = re.compile(r"^\s*(?:\"|')?" + re.escape(key) + r"(?:\"|')?\s*=")
    header_re = re.compile(r"^\s*\[+\s*(.+?)\s*\]+")
    for i, line in enumerate(lines, start=1):
        h = header_re.match(line)
        if h:
            name = h.group(1).replace('"', "").replace("'", "").replace(" ", "")
            if section is None and (name == key or name.endswith("." + key)):
                return i
            if section is not None:
                in_section = name == section.replace(" ", "")
                if in_section and name.endswith("." + key):
                    return i
            continue
        if in_section and key_re.match(line):
            return i
    return None


def _where(path: str, text: str, key: str, section: str | None = None) -> str:
    line = _line_of(text, key, section) if text else None
    return f"{path}, line {line}" if line else path


def parse_toml(text: str, *, label: str = "scenario") -> dict[str, Any]:
    """Parse scenario TOML text within the documented bounds (:mod:`logistics.limits`).

    Raises
    ------
    ScenarioError
        Text longer than :data:`~logistics.limits.MAX_SCENARIO_BYTES`, invalid TOML, or arrays
        and tables nested deeper than :data:`~logistics.limits.MAX_TOML_DEPTH`.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{label}: size: bad value {size} bytes; allowed: at most {MAX_SCENARIO_BYTES} bytes"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        data = None
    depth = 0
    todo: list[tuple[Any, int]] = [(data, 1)] if data is not None else []
    while todo and depth <= MAX_TOML_DEPTH:
        value, level = todo.pop()
        depth = max(depth, level)
        items = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            todo.extend((v, level + 1) for v in items if isinstance(v, (dict, list)))
    if data is None or depth > MAX_TOML_DEPTH:
        raise ScenarioError(
            f"{label}: nesting: bad value deeper than {MAX_TOML_DEPTH} levels; allowed: at most "
            f"{MAX_TOML_DEPTH} nested arrays and tables"
        )
    return data


def _read_toml(path: str, text: str) -> dict[str, Any]:
    return parse_toml(text, label=path)


def _check_keys(path: str, text: str, data: dict[str, Any]) -> None:
    for key in data:
        if key not in _SCENARIO_KEYS:
            close = difflib.get_close_matches(str(key), _SCENARIO_KEYS, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ScenarioError(
                f"{_where(path, text, str(key))}: unknown key {key!r}{hint}; "
                f"allowed: {', '.join(_SCENARIO_KEYS)}"
            )
    for table in ("general", "sources", *_SECTIONS):
        if table in data and not isinstance(data[table], dict):
            raise ScenarioError(
                f"{_where(path, text, table)}: {table!r} must be a table, got {data[table]!r}"
            )
    for section, (_, id_field, keys) in _SECTIONS.items():
        what = id_field.replace("_id", "")
        for item_id, body in data.get(section, {}).items():
            if not isinstance(body, dict):
                raise ScenarioError(
                    f"{_where(path, text, str(item_id), section)}: [{section}.{item_id}] must be a "
                    f"table, got {body!r}"
                )
            for key in body:
                if key not in keys:
                    close = difflib.get_close_matches(str(key), keys, n=3, cutoff=0.5)
                    hint = f" (did you mean {', '.join(close)}?)" if close else ""
                    raise ScenarioError(
                        f"{_where(path, text, str(key), f'{section}.{item_id}')}: "
                        f"unknown key {key!r} in {what} {item_id!r}{hint}; "
                        f"allowed: {', '.join(keys)}"
                    )
    for key in data.get("general", {}):
        if key not in GENERAL_NAMES:
            close = difflib.get_close_matches(str(key), GENERAL_NAMES, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ScenarioError(
                f"{_where(path, text, str(key), 'general')}: "
                f"unknown general parameter {key!r}{hint}; "
                f"allowed: {', '.join(GENERAL_NAMES)}"
            )


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(parent)
    for key, value in child.items():
        if key in ("general", "sources") and isinstance(value, dict):
            out[key] = {**parent.get(key, {}), **value}
        elif key in _SECTIONS and isinstance(value, dict):
            merged = {cid: dict(body) for cid, body in parent.get(key, {}).items()}
            for cid, body in value.items():
                merged[cid] = {**merged.get(cid, {}), **body}
            out[key] = merged
        else:
            out[key] = value
    return out


def _resolve(
    name_or_path: str | Path, *, base_dir: Path | None, depth: int, chain: tuple[str, ...]
) -> tuple[dict[str, Any], str, str]:
    """Return the merged raw dict (with parents applied), the file label and its text."""
    if depth > _MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"extends chain too deep: {' -> '.join(chain)}")
    text, label, stem = _locate(name_or_path, base_dir=base_dir)
    if label in chain:
        raise ScenarioError(f"circular extends: {' -> '.join((*chain, label))}")
    data = _read_toml(label, text)
    _check_keys(label, text, data)
    own_name, own_relaxes = data.get("name"), data.get("relaxes")
    parent_name = data.get("extends")
    if parent_name is not None:
        if not isinstance(parent_name, str) or not parent_name.strip():
            raise ScenarioError(
                f"{_where(label, text, 'extends')}: extends must be a scenario name or path, "
                f"got {parent_name!r}"
            )
        here = Path(label).parent if Path(label).is_file() else None
        parent, _, _ = _resolve(parent_name, base_dir=here, depth=depth + 1, chain=(*chain, label))
        data = _merge(parent, data)
        data["extends"] = parent_name
    data["name"] = own_name if own_name is not None else stem  # names are not inherited
    data.pop("relaxes", None)  # nor the relaxations a parent declares
    if own_relaxes is not None:
        data["relaxes"] = own_relaxes
    return data, label, text


def _locate(name_or_path: str | Path, *, base_dir: Path | None) -> tuple[str, str, str]:
    """Find a built-in scenario by name or a file by path; return (text, label, stem)."""
    if not isinstance(name_or_path, (str, Path)):
        raise ScenarioError(f"scenario must be a name or a path, got {name_or_path!r}")
    s = str(name_or_path)
    looks_like_path = isinstance(name_or_path, Path) or s.endswith(".toml") or "/" in s or "\\" in s
    if looks_like_path:
        p = Path(s)
        if not p.is_absolute() and base_dir is not None and (base_dir / p).is_file():
            p = base_dir / p
        if not p.is_file():
            raise ScenarioError(
                f"scenario file not found: {s}; built-in scenarios: {', '.join(list_scenarios())}"
            )
        try:
            size = p.stat().st_size
            if size > MAX_SCENARIO_BYTES:
                raise ScenarioError(
                    f"{s}: size: bad value {size} bytes; allowed: at most "
                    f"{MAX_SCENARIO_BYTES} bytes"
                )
            return p.read_text(encoding="utf-8-sig"), str(p), p.stem
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"cannot read scenario file {s}: {exc}") from None
    names = list_scenarios()
    if s not in names:
        close = difflib.get_close_matches(s, names, n=len(names), cutoff=0.0)
        rest = [n for n in names if n not in close]
        raise ScenarioError(f"unknown scenario {s!r}; available: {', '.join(close + rest)}")
    res = _builtin_dir().joinpath(f"{s}.toml")
    return res.read_text(encoding="utf-8"), f"logistics/data/scenarios/{s}.toml", s


def load_scenario(name_or_path: str | Path | Scenario) -> Scenario:
    """Load a built-in scenario by name, or a TOML file by path.

    Parameters
    ----------
    name_or_path : str, Path or Scenario
        A built-in name (see :func:`list_scenarios`), a path to a ``.toml`` file, or a
        :class:`Scenario` (returned unchanged).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Unknown scenario (lists the available names, closest first), invalid TOML, an unknown key
        (with the file and line), an invalid value, or a declared relaxation (``relaxes``) under
        which some parameter is stricter (:func:`check_relaxation`).
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    return _load(name_or_path, base_dir=None, check_relaxes=True)


def _load(name_or_path: str | Path, *, base_dir: Path | None, check_relaxes: bool) -> Scenario:
    data, label, text = _resolve(name_or_path, base_dir=base_dir, depth=0, chain=())
    raw_sections = {section: data.pop(section, {}) or {} for section in _SECTIONS}
    try:
        sections: dict[str, Any] = {
            section: tuple(
                cls(**{id_field: str(item_id)}, **body)
                for item_id, body in sorted(raw_sections[section].items())
            )
            for section, (cls, id_field, _) in _SECTIONS.items()
        }
        kwargs = {k: v for k, v in data.items() if k in _SCENARIO_KEYS}
        if "general" in kwargs:
            kwargs["general"] = dict(kwargs["general"])
        if "sources" in kwargs:
            kwargs["sources"] = dict(kwargs["sources"])
        if "extends" in kwargs and kwargs["extends"] is not None:
            kwargs["extends"] = str(kwargs["extends"])
        scenario = Scenario(**kwargs, **sections, path=label)
    except ScenarioError as exc:
        key = _failing_key(str(exc))
        where = _where(label, text, key) if key else label
        raise ScenarioError(f"{where}: {exc}") from None
    except TypeError as exc:  # e.g. a non-text key in a table
        raise ScenarioError(f"{label}: invalid scenario: {exc}") from None
    _check_against_tables(scenario, label)
    if check_relaxes:
        _check_declared(scenario, label, text)
    log.info("loaded scenario %s from %s", scenario.name, label)
    return scenario


def _check_against_tables(scenario: Scenario, label: str) -> None:
    """Resolve every crossing and port rule, so an override contradicting a table fails at load.

    E.g. an ``entry_clearance_p90_h`` below the shipped median: refused, never adjusted.
    """
    params = load_parameters()
    try:
        for crossing_id, from_country, to_country in params.borders:
            scenario.border_rule(params, crossing_id, from_country, to_country)
        for port_id in params.ports:
            scenario.port_rule(params, port_id)
    except ScenarioError as exc:
        raise ScenarioError(f"{label}: {exc}") from None


def _failing_key(message: str) -> str | None:
    m = re.search(r": ([a-z_0-9.]+) (?:must|=|is)", message)
    if m:
        return m.group(1).split(".")[-1]
    return None


def diff_scenarios(a: str | Path | Scenario, b: str | Path | Scenario) -> pd.DataFrame:
    """Settings that differ between two scenarios.

    Returns
    -------
    DataFrame
        Columns ``key``, ``a``, ``b`` (per-item settings as ``crossings.<id>.<key>``,
        ``ports.<id>.<key>``, ``countries.<code>.<key>``);
        empty when the two are equivalent. Names, descriptions, sources and paths are ignored.
    """
    sa, sb = load_scenario(a), load_scenario(b)
    fa, fb = _flatten(sa), _flatten(sb)
    rows = [
        {"key": k, "a": fa.get(k), "b": fb.get(k)}
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    ]
    df = pd.DataFrame(rows, columns=["key", "a", "b"])
    df.attrs.update({"a": sa.name, "b": sb.name})
    return df


def _flatten(s: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in s.to_dict().items():
        if key in ("name", "description", "sources", "path", "extends", "relaxes"):
            continue
        if key in _SECTIONS:
            for item_id, body in value.items():
                for k, v in body.items():
                    out[f"{key}.{item_id}.{k}"] = v
        elif key == "general":
            for k, v in value.items():
                out[f"general.{k}"] = v
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- relaxations

#: How each general parameter orders scenarios: ``+1`` higher is stricter, ``-1`` lower is
#: stricter, ``0`` must be equal (a longer daily driving allowance is no relaxation in the fleet
#: model: the share of it in use after an arc, ``HoursOfService.allowance_used``, can grow, e.g.
#: 10 h of driving leaves 1/9 of a 9 h allowance in use after the daily rest, 10/10 of a 10 h one),
#: ``None`` not a rule (CO2 factors are reported, never planned on).
GENERAL_ORDER: Mapping[str, int | None] = MappingProxyType(
    {
        "continuous_driving_h": -1,
        "break_h": +1,
        "daily_driving_h": 0,
        "daily_rest_h": +1,
        "double_crew_daily_driving_h": 0,
        "double_crew_daily_rest_h": +1,
        "double_crew_extra_usd_per_h": +1,
        "tare_t": +1,
        "co2_road_kg_per_vkm": None,
        "co2_sea_kg_per_tkm": None,
        "sailing_speed_kph": -1,
        "sea_freight_base_usd": +1,
        "sea_freight_usd_per_km": +1,
        "single_stop_time_factor": +1,
    }
)
#: Quantiles at which the border rule is compared as the fleet evaluates it: the fleet's
#: percentiles (``logistics.fleet.terms.PERCENTILES``), the ends of the median-P90 range.
CHECK_QUANTILES = (0.5, 0.9)
_TOL = 1e-9
#: Under the default parameters: (relaxed, strict) settings -> problems, and (settings,
#: crossing direction, quantile) -> the border rule as the fleet evaluates it.
_CHECKED: dict[tuple[str, str], tuple[str, ...]] = {}
_PASSAGES: dict[tuple[str, tuple[str, str, str], float], Any] = {}


def _open_h(intervals: Any) -> float:
    return float(sum(e - s for s, e in intervals))


def _missing_h(relaxed: Any, strict: Any) -> float:
    """Hours a week open in ``strict`` but closed in ``relaxed`` (same local time)."""
    from logistics.rules.calendar import intersect

    return _open_h(strict) - _open_h(intersect(tuple(relaxed), tuple(strict)))


class _Problems:
    """Collects one-line problems, each naming the place, the parameter and both values."""

    def __init__(self, a: Scenario, b: Scenario, keys: tuple[str, str] | None) -> None:
        self.a, self.b, self.keys = a, b, keys
        self.items: list[str] = []

    def passages(self, params: ParameterSet, crossing: tuple[str, str, str], q: float) -> Any:
        """``crossing_passage`` of both scenarios (memoised under the default parameters)."""
        from logistics.rules.border import crossing_passage

        out = []
        for s, key in zip((self.a, self.b), self.keys or (None, None), strict=True):
            if key is None:
                out.append(crossing_passage(s, params, *crossing, quantile=q))
                continue
            memo = (key, crossing, q)
            if memo not in _PASSAGES:
                _PASSAGES[memo] = crossing_passage(s, params, *crossing, quantile=q)
            out.append(_PASSAGES[memo])
        return out

    def worse(self, where: str, name: str, va: Any, vb: Any, how: str) -> None:
        self.items.append(
            f"{where}: {name} = {_fmt(va)} in {self.a.name!r} is {how} than {_fmt(vb)} in "
            f"{self.b.name!r}"
        )

    def number(self, where: str, name: str, va: float, vb: float, order: int) -> None:
        """``order``: +1 higher is stricter, -1 lower is stricter, 0 must be equal."""
        if order > 0 and va > vb + _TOL:
            self.worse(where, name, va, vb, "higher")
        elif order < 0 and va < vb - _TOL:
            self.worse(where, name, va, vb, "lower")
        elif order == 0 and abs(va - vb) > _TOL:
            self.worse(where, name, va, vb, "different (it must be equal)")

    def hours(self, where: str, name: str, va: Any, vb: Any) -> None:
        missing = _missing_h(va.intervals, vb.intervals)
        if missing > _TOL:
            self.items.append(
                f"{where}: {name} = {va.text!r} in {self.a.name!r} is closed {missing:g} h a "
                f"week when {vb.text!r} in {self.b.name!r} is open"
            )


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def check_relaxation(
    relaxed: str | Path | Scenario,
    strict: str | Path | Scenario,
    params: ParameterSet | None = None,
) -> list[str]:
    """Every parameter under which ``relaxed`` is stricter than ``strict`` (empty: it only relaxes).

    Compared for every crossing and direction, port, country and general value that the engines
    use: opening and gate hours must be supersets; clearance, documentary, transloading and
    dwell times (median and P90, hence every quantile between them) no longer; fees, handling,
    transloading, truck and sea freight costs no higher; through-trucking and single stop not
    withdrawn; payload (``capacity_t`` on any set of countries) no lower; hours of service no
    shorter continuous driving, no longer breaks and rests, the same daily driving allowance;
    sailing speed no lower. The border rule is also compared as the fleet evaluates it
    (:func:`logistics.rules.border.crossing_passage` at :data:`CHECK_QUANTILES`): a crossing
    still passable, clearance and clearance-plus-wait no longer, the first stop's calendar a
    superset in UTC (a single-stop joint control is open only when both sides are). Sailings
    per week come from the table, which a scenario cannot change. Every comparison is a partial
    order, so relaxations chain: if A relaxes B and B relaxes C, A relaxes C.

    Parameters
    ----------
    relaxed, strict : str, Path or Scenario
    params : ParameterSet, optional
        Default :func:`logistics.parameters.load_parameters`.

    Returns
    -------
    list of str
        One line per problem, naming the place, the parameter and both values.
    """
    a, b = load_scenario(relaxed), load_scenario(strict)
    default = load_parameters()
    p = params or default
    fa, fb = (repr((s.name, sorted(_flatten(s).items()))) for s in (a, b))
    if p is default and (fa, fb) in _CHECKED:
        return list(_CHECKED[fa, fb])
    problems = _Problems(a, b, (fa, fb) if p is default else None)
    _compare_borders(problems, p)
    _compare_ports(problems, p)
    _compare_countries(problems, p)
    _compare_general(problems, p)
    if p is default:
        _CHECKED[fa, fb] = tuple(problems.items)
    return list(problems.items)


def _compare_borders(problems: _Problems, params: ParameterSet) -> None:
    from logistics.rules.calendar import shift

    a, b = problems.a, problems.b
    factors = [s.general_value(params, "single_stop_time_factor") for s in (a, b)]
    for key in params.borders:
        ra, rb = a.border_rule(params, *key), b.border_rule(params, *key)
        where = f"crossing {key[0]!r} {key[1]}->{key[2]}"
        for side in ("exit", "entry"):
            problems.hours(
                where, f"{side}_hours", getattr(ra, f"{side}_hours"), getattr(rb, f"{side}_hours")
            )
        for part in ("exit_clearance", "entry_clearance", "transload"):
            for stat in ("median_h", "p90_h"):
                va, vb = getattr(getattr(ra, part), stat), getattr(getattr(rb, part), stat)
                problems.number(where, f"{part}_{stat}", va, vb, +1)
        for name in ("documentary_h", "exit_fee_usd", "entry_fee_usd", "transload_cost_usd"):
            problems.number(where, name, getattr(ra, name), getattr(rb, name), +1)
        for name in ("through_trucking", "single_stop"):
            if getattr(rb, name) and not getattr(ra, name):
                problems.worse(where, name, False, True, "stricter (withdrawn)")
        if ra == rb and factors[0] == factors[1]:
            continue
        for q in CHECK_QUANTILES:
            pa, pb = problems.passages(params, key, q)
            at = f"{where} at P{100 * q:g}"
            if not pb.passable:
                continue
            if not pa.passable:
                problems.worse(at, "passable", False, True, "stricter (a stop never opens)")
                continue
            problems.number(at, "clearance_h", pa.clearance_h, pb.clearance_h, +1)
            problems.number(at, "clearance_and_wait_h", pa.delay_h, pb.delay_h, +1)
            first_a = shift(pa.open_intervals, pb.utc_offset_h - pa.utc_offset_h)
            missing = _missing_h(first_a, pb.open_intervals)
            if missing > _TOL:
                stop = "joint control" if pa.single_stop else "exit side"
                problems.items.append(
                    f"{at}: the first stop ({stop}) in {a.name!r} is closed {missing:g} h a week "
                    f"when the first stop in {b.name!r} is open (open {_open_h(first_a):g} vs "
                    f"{_open_h(pb.open_intervals):g} h a week)"
                )


def _compare_ports(problems: _Problems, params: ParameterSet) -> None:
    a, b = problems.a, problems.b
    for port_id in params.ports:
        pa, pb = a.port_rule(params, port_id), b.port_rule(params, port_id)
        where = f"port {port_id!r}"
        problems.hours(where, "gate_hours", pa.gate_hours, pb.gate_hours)
        for part in ("export_dwell", "import_dwell"):
            for stat in ("median_h", "p90_h"):
                va, vb = getattr(getattr(pa, part), stat), getattr(getattr(pb, part), stat)
                problems.number(where, f"{part}_{stat}", va, vb, +1)
        for name in ("export_handling_usd", "import_handling_usd"):
            problems.number(where, name, getattr(pa, name), getattr(pb, name), +1)


def _compare_countries(problems: _Problems, params: ParameterSet) -> None:
    a, b = problems.a, problems.b
    codes = list(params.countries)
    for code in codes:
        ca, cb = a.country_rule(params, code), b.country_rule(params, code)
        for name in ("truck_cost_usd_per_km", "truck_cost_usd_per_h"):
            problems.number(f"country {code!r}", name, getattr(ca, name), getattr(cb, name), +1)
    # payload is the lowest limit on the route (or one harmonized limit) minus the tare: these
    # sets hold the extremes of every regime, so no route can be worse if none of them is
    for countries in ([], *([c] for c in codes), codes):
        va, vb = a.capacity_t(params, countries), b.capacity_t(params, countries)
        where = f"payload on a route through {'-'.join(countries) or 'no listed country'}"
        problems.number(where, "capacity_t", va, vb, -1)


def _compare_general(problems: _Problems, params: ParameterSet) -> None:
    a, b = problems.a, problems.b
    for name, order in GENERAL_ORDER.items():
        if order is not None:
            va, vb = a.general_value(params, name), b.general_value(params, name)
            problems.number("general", name, va, vb, order)


def _check_declared(scenario: Scenario, label: str, text: str = "") -> list[Scenario]:
    """The scenarios ``scenario`` declares it relaxes; fail when one is not only relaxed."""
    out = []
    for target in scenario.relaxes:
        try:
            strict = _relaxes_target(target, label)
        except ScenarioError as exc:
            raise ScenarioError(f"{_where(label, text, 'relaxes')}: {exc}") from None
        problems = check_relaxation(scenario, strict)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ScenarioError(
                f"{_where(label, text, 'relaxes')}: scenario {scenario.name!r} declares "
                f"relaxes = [{target!r}], but {problems[0]}{more}"
            )
        out.append(strict)
    return out


def _relaxes_target(name: str, label: str) -> Scenario:
    """The scenario named in ``relaxes`` of the file ``label``: a built-in or a sibling file."""
    if name in list_scenarios():
        return _load(name, base_dir=None, check_relaxes=False)
    sibling = Path(label).parent / f"{name}.toml" if label and Path(label).is_file() else None
    if sibling is None or not sibling.is_file():
        raise ScenarioError(
            f"relaxes: unknown scenario {name!r}; allowed: a built-in "
            f"({', '.join(list_scenarios())}) or the name of a scenario file next to this one"
        )
    return _load(sibling, base_dir=None, check_relaxes=False)


def relaxation_pairs(names: Iterable[str | Path | Scenario]) -> list[tuple[str, str]]:
    """Pairs ``(relaxed, strict)`` among ``names`` where one scenario only relaxes the other.

    From the ``relaxes`` declarations (checked at load) and their chains (A relaxes B, B relaxes
    C: A relaxes C, also through scenarios not in ``names``), in the order of ``names``.
    """
    loaded = [load_scenario(n) for n in names]
    wanted = [s.name for s in loaded]
    edges: dict[str, set[str]] = {}
    todo = list(loaded)
    while todo:
        s = todo.pop()
        if s.name in edges:
            continue
        targets = _check_declared(s, s.path)  # also a Scenario built in code, or a chain link
        edges[s.name] = {t.name for t in targets}
        todo.extend(targets)
    pairs = []
    for name in wanted:
        reach, stack = set(), list(edges[name])
        while stack:
            n = stack.pop()
            if n not in reach:
                reach.add(n)
                stack.extend(edges.get(n, ()))
        pairs += [(name, other) for other in wanted if other in reach and other != name]
    return pairs
