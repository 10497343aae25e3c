"""Sourced default parameters: border crossings, ports, sea lanes, country costs and rules.

The shipped tables live in ``logistics/data/`` (one CSV each, every value with a ``source``);
``docs/parameters.md`` explains each value. Loaders validate every row and raise
:class:`ParameterError` naming the table, the row, the field and the bad value.

Delay distributions are lognormal, fitted from a median and a P90:
``mu = ln(median)``, ``sigma = ln(P90 / median) / 1.2816`` (1.2816 is the standard normal 90 %
quantile). Opening hours are weekly calendars in the local time of the side they belong to.
"""

from __future__ import annotations

import csv
import functools
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from logistics import limits
from logistics.defaults import check_p90
from logistics.rules import calendar
from logistics.rules.calendar import HOURS_PER_WEEK

__all__ = [
    "Delay",
    "OpeningHours",
    "ParameterError",
    "ParameterSet",
    "Source",
    "bibliography",
    "border_parameters",
    "cited_keys",
    "country_costs",
    "general_parameters",
    "load_parameters",
    "port_parameters",
    "sea_lanes",
]

#: Standard normal quantile at 0.90.
Z90 = 1.2815515655446004
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ParameterError(ValueError):
    """A parameter table or value is invalid (names the table, row, field and value)."""


# --------------------------------------------------------------------------- distributions


@dataclass(frozen=True)
class Delay:
    """A non-negative delay in hours, lognormal with the given median and P90.

    ``median_h == 0`` means no delay; ``p90_h == median_h`` means a fixed delay.
    """

    median_h: float
    p90_h: float
    name: str = "delay"

    def __post_init__(self) -> None:
        for field_name in ("median_h", "p90_h"):
            value = getattr(self, field_name)
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not math.isfinite(value)
            ):
                raise ParameterError(
                    f"{self.name}: {field_name} must be a finite number, got {value!r}"
                )
            if value < 0:
                raise ParameterError(f"{self.name}: {field_name} must be >= 0 hours, got {value!r}")
        if message := check_p90(self.median_h, self.p90_h, what=self.name):
            raise ParameterError(message)

    @property
    def sigma(self) -> float:
        """Lognormal shape ``ln(P90/median) / z90`` (0 for fixed or zero delays)."""
        if self.median_h <= 0 or self.p90_h <= self.median_h:
            return 0.0
        return math.log(self.p90_h / self.median_h) / Z90

    def quantile(self, q: float) -> float:
        """Return the ``q`` quantile in hours."""
        from statistics import NormalDist

        if self.median_h <= 0:
            return 0.0
        if not 0.0 < q < 1.0:
            raise ParameterError(f"{self.name}: quantile must be in (0, 1), got {q!r}")
        return float(self.median_h * math.exp(self.sigma * NormalDist().inv_cdf(q)))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values (hours) with ``rng``."""
        if self.median_h <= 0:
            return np.zeros(n)
        if self.sigma == 0.0:
            return np.full(n, float(self.median_h))
        return self.median_h * np.exp(self.sigma * rng.standard_normal(n))

    def scaled(self, factor: float) -> Delay:
        """The same distribution with both quantiles multiplied by ``factor``."""
        return Delay(self.median_h * factor, self.p90_h * factor, self.name)


# --------------------------------------------------------------------------- opening hours

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DAYSPEC = re.compile(r"^([a-z]{3})(?:\s*-\s*([a-z]{3}))?$")


def _parse_clock(hh: str, mm: str, *, text: str, what: str) -> float:
    h, m = int(hh), int(mm)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise ParameterError(
            f"{what}: bad clock time {hh}:{mm} in {text!r}; use HH:MM from 00:00 to 24:00"
        )
    return h + m / 60.0


@dataclass(frozen=True)
class OpeningHours:
    """A weekly opening calendar in local time.

    ``intervals`` are sorted, disjoint ``(start_h, end_h)`` pairs in hours since Monday 00:00
    local time, within ``[0, 168]``. Build it with :meth:`parse`.

    The text form is a ``;``-separated list of ``[DAYS ]HH:MM-HH:MM`` items: ``"06:00-22:00"``
    (every day), ``"mon-fri 07:00-17:00; sat 07:00-12:00"``, ``"00:00-24:00"`` or ``"24h"``
    (always open), ``"closed"`` (never open). A range ending before it starts runs past midnight.
    """

    text: str
    intervals: tuple[tuple[float, float], ...]

    @classmethod
    def parse(cls, text: str, *, what: str = "opening hours") -> OpeningHours:
        """Parse ``text``; :class:`ParameterError` naming ``what`` if malformed or overlapping."""
        if not isinstance(text, str):
            raise ParameterError(f"{what}: expected text like '06:00-22:00', got {text!r}")
        norm = text.strip().lower()
        if norm in ("closed", "none"):
            return cls(text=text.strip(), intervals=())
        if norm in ("24h", "24/7", "always"):
            norm = "00:00-24:00"
        if not norm:
            raise ParameterError(
                f"{what}: empty opening hours; use e.g. '06:00-22:00', '24h' or 'closed'"
            )
        raw: list[tuple[float, float, str]] = []
        for item in (p.strip() for p in norm.replace(",", ";").split(";")):
            if not item:
                continue
            parts = item.rsplit(" ", 1)
            days = list(range(7))
            span = parts[-1]
            if len(parts) == 2:
                days = _parse_days(parts[0].strip(), text=text, what=what)
            m = _RANGE.match(span)
            if not m:
                raise ParameterError(
                    f"{what}: malformed opening hours {text!r} (item {item!r}); "
                    "expected '[mon-fri ]HH:MM-HH:MM' items separated by ';', '24h' or 'closed'"
                )
            start = _parse_clock(m.group(1), m.group(2), text=text, what=what)
            end = _parse_clock(m.group(3), m.group(4), text=text, what=what)
            if start == end:
                raise ParameterError(f"{what}: empty range {span!r} in {text!r}; start equals end")
            for d in days:
                s = d * 24.0 + start
                e = d * 24.0 + end if end > start else (d + 1) * 24.0 + end
                if e <= HOURS_PER_WEEK:
                    raw.append((s, e, item))
                else:  # wraps past Sunday midnight into Monday
                    raw.append((s, HOURS_PER_WEEK, item))
                    raw.append((0.0, e - HOURS_PER_WEEK, item))
        raw.sort()
        for (_s1, e1, i1), (s2, _e2, i2) in itertools.pairwise(raw):
            if s2 < e1:
                raise ParameterError(
                    f"{what}: overlapping opening hours {i1!r} and {i2!r} in {text!r}"
                )
        merged: list[list[float]] = []
        for s, e, _ in raw:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return cls(text=text.strip(), intervals=tuple((s, e) for s, e in merged))

    @property
    def never_open(self) -> bool:
        """True when the calendar has no opening at all."""
        return not self.intervals

    @property
    def always_open(self) -> bool:
        """True when open around the clock."""
        return self.intervals == ((0.0, HOURS_PER_WEEK),)

    @property
    def open_hours_per_week(self) -> float:
        """Total open hours in a week."""
        return sum(e - s for s, e in self.intervals)

    def _check_open(self) -> None:
        if self.never_open:
            raise ParameterError(f"opening hours {self.text!r}: never open")

    def next_open(self, t_utc_h: Any, utc_offset_h: float) -> np.ndarray:
        """Earliest time >= ``t_utc_h`` (hours since the Unix epoch, UTC) when open."""
        self._check_open()
        return calendar.next_open(self.intervals, t_utc_h, utc_offset_h)

    def closing(self, t_utc_h: Any, utc_offset_h: float) -> np.ndarray:
        """End of the opening that contains ``t_utc_h`` (``inf`` when always open).

        ``t_utc_h`` must be an open time (e.g. a result of :meth:`next_open`).
        """
        self._check_open()
        return calendar.closing(self.intervals, t_utc_h, utc_offset_h)

    def finish(self, start_utc_h: Any, work_h: Any, utc_offset_h: float) -> np.ndarray:
        """Time at which ``work_h`` hours of work started at ``start_utc_h`` end.

        Work only progresses while open (it pauses at closing and resumes at the next opening).
        """
        self._check_open()
        return calendar.finish(self.intervals, start_utc_h, work_h, utc_offset_h)


def _parse_days(spec: str, *, text: str, what: str) -> list[int]:
    days: list[int] = []
    for part in spec.split("/"):
        m = _DAYSPEC.match(part.strip())
        if not m or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
            raise ParameterError(
                f"{what}: bad day spec {spec!r} in {text!r}; "
                "use mon..sun, e.g. 'mon-fri' or 'sat/sun'"
            )
        a = DAYS.index(m.group(1))
        b = DAYS.index(m.group(2)) if m.group(2) else a
        days.extend(range(a, b + 1) if b >= a else [*range(a, 7), *range(0, b + 1)])
    return sorted(set(days))


# --------------------------------------------------------------------------- bibliography

#: A citation in a source text: ``[@key]`` (keys: letters, digits, ``-``, ``_``, ``.``).
_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_.-]*)\]")
_SOURCE_FIELDS = ("citation", "url", "reliability")
RELIABILITY = ("A", "B", "C")


@dataclass(frozen=True)
class Source:
    """One bibliography entry: ``key``, full ``citation``, ``url`` (or other identifier) and
    ``reliability`` (A official or primary, B reputable news reporting officials, C blog or
    aggregator)."""

    key: str
    citation: str
    url: str
    reliability: str


def cited_keys(text: str) -> list[str]:
    """Bibliography keys cited in ``text`` as ``[@key]``, in order of first citation."""
    return list(dict.fromkeys(_CITATION.findall(text)))


@functools.cache
def bibliography() -> Mapping[str, Source]:
    """The shipped bibliography (``logistics/data/bibliography.toml``): key -> :class:`Source`.

    Raises
    ------
    ParameterError
        If an entry lacks a field or has an unknown reliability flag.
    """
    import tomllib

    name = "logistics/data/bibliography.toml"
    text = resources.files("logistics").joinpath("data", "bibliography.toml").read_text("utf-8")
    out: dict[str, Source] = {}
    for key, entry in tomllib.loads(text).items():
        if not isinstance(entry, dict) or not _CITATION.fullmatch(f"[@{key}]"):
            raise ParameterError(f"{name}: entry {key!r} must be a table with a plain key")
        values = {f: entry.get(f) for f in _SOURCE_FIELDS}
        for f, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise ParameterError(f"{name}: [{key}] {f} must be non-empty text, got {value!r}")
        if values["reliability"] not in RELIABILITY:
            raise ParameterError(
                f"{name}: [{key}] reliability = {values['reliability']!r}; "
                f"allowed: {', '.join(RELIABILITY)}"
            )
        out[key] = Source(
            key=key,
            citation=str(values["citation"]),
            url=str(values["url"]),
            reliability=str(values["reliability"]),
        )
    return MappingProxyType(out)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class BorderRule:
    """Parameters of one crossing in one direction (``from_country`` -> ``to_country``)."""

    crossing_id: str
    from_country: str
    to_country: str
    exit_hours: OpeningHours
    entry_hours: OpeningHours
    exit_clearance: Delay
    entry_clearance: Delay
    documentary_h: float
    exit_fee_usd: float
    entry_fee_usd: float
    through_trucking: bool
    permit_regime: str
    transload: Delay
    transload_cost_usd: float
    single_stop: bool
    sources: Mapping[str, str]

    @property
    def key(self) -> tuple[str, str, str]:
        """``(crossing_id, from_country, to_country)``."""
        return (self.crossing_id, self.from_country, self.to_country)


@dataclass(frozen=True)
class PortRule:
    """Parameters of one port."""

    port_id: str
    country: str
    gate_hours: OpeningHours
    export_dwell: Delay
    import_dwell: Delay
    export_handling_usd: float
    import_handling_usd: float
    sources: Mapping[str, str]


@dataclass(frozen=True)
class CountryCost:
    """Truck cost and weight limit of one country."""

    country: str
    truck_cost_usd_per_km: float
    truck_cost_usd_per_h: float
    gvw_limit_t: float
    sources: Mapping[str, str]
    export_clearance_usd: float = 0.0
    import_clearance_usd: float = 0.0


@dataclass(frozen=True)
class ParameterSet:
    """All default parameters, validated (read-only mappings)."""

    borders: Mapping[tuple[str, str, str], BorderRule]
    ports: Mapping[str, PortRule]
    lanes: Mapping[tuple[str, str], float]
    countries: Mapping[str, CountryCost]
    general: Mapping[str, float]
    general_sources: Mapping[str, str]

    def border(self, crossing_id: str, from_country: str, to_country: str) -> BorderRule:
        """Rule for one crossing and direction; :class:`ParameterError` listing ids if unknown."""
        key = (crossing_id, from_country, to_country)
        if key in self.borders:
            return self.borders[key]
        ids = sorted({k[0] for k in self.borders})
        if crossing_id not in ids:
            raise ParameterError(
                f"unknown crossing {crossing_id!r}; known: {', '.join(_closest(crossing_id, ids))}"
            )
        raise ParameterError(
            f"crossing {crossing_id!r} has no parameters for direction {from_country}->{to_country}"
        )

    def port(self, port_id: str) -> PortRule:
        """Rule for one port; :class:`ParameterError` listing ids if unknown."""
        if port_id in self.ports:
            return self.ports[port_id]
        raise ParameterError(
            f"unknown port {port_id!r}; known: {', '.join(_closest(port_id, sorted(self.ports)))}"
        )

    def country(self, code: str) -> CountryCost:
        """Costs of one country; :class:`ParameterError` listing codes if unknown."""
        if code in self.countries:
            return self.countries[code]
        raise ParameterError(
            f"no truck costs for country {code!r}; known: {', '.join(self.countries)}"
        )

    def sailings_per_week(self, from_port: str, to_port: str) -> float:
        """Sailings per week on a lane (the ``*,*`` default row when the lane is not listed)."""
        return self.lanes.get((from_port, to_port), self.lanes[("*", "*")])


def _closest(name: str, names: list[str]) -> list[str]:
    import difflib

    close = difflib.get_close_matches(name, names, n=len(names), cutoff=0.0)
    return close or names


_BORDER_COLUMNS = (
    "crossing_id",
    "from_country",
    "to_country",
    "exit_hours",
    "entry_hours",
    "hours_source",
    "exit_clearance_median_h",
    "exit_clearance_p90_h",
    "entry_clearance_median_h",
    "entry_clearance_p90_h",
    "clearance_source",
    "documentary_h",
    "documentary_source",
    "exit_fee_usd",
    "entry_fee_usd",
    "fee_source",
    "through_trucking",
    "permit_regime",
    "through_trucking_source",
    "transload_median_h",
    "transload_p90_h",
    "transload_cost_usd",
    "transload_source",
    "single_stop_available",
    "single_stop_source",
)
_PORT_COLUMNS = (
    "port_id",
    "country",
    "gate_hours",
    "gate_source",
    "export_dwell_median_h",
    "export_dwell_p90_h",
    "import_dwell_median_h",
    "import_dwell_p90_h",
    "dwell_source",
    "export_handling_usd",
    "import_handling_usd",
    "handling_source",
)
_COUNTRY_COLUMNS = (
    "country",
    "truck_cost_usd_per_km",
    "truck_cost_usd_per_h",
    "cost_source",
    "gvw_limit_t",
    "gvw_source",
    "export_clearance_usd",
    "import_clearance_usd",
    "clearance_cost_source",
)
_LANE_COLUMNS = ("from_port", "to_port", "sailings_per_week", "source")
_GENERAL_COLUMNS = ("name", "value", "unit", "source")
#: General parameters every table must define.
GENERAL_NAMES = (
    "continuous_driving_h",
    "break_h",
    "daily_driving_h",
    "daily_rest_h",
    "double_crew_daily_driving_h",
    "double_crew_daily_rest_h",
    "double_crew_extra_usd_per_h",
    "tare_t",
    "co2_road_kg_per_vkm",
    "co2_sea_kg_per_tkm",
    "sailing_speed_kph",
    "sea_freight_base_usd",
    "sea_freight_usd_per_km",
    "single_stop_time_factor",
)


class _Row:
    """One CSV row with typed, validated getters that name table, row and field in errors."""

    def __init__(self, table: str, line: int, row: dict[str, str], label: str) -> None:
        self.table, self.line, self.row, self.label = table, line, row, label

    def where(self, field_name: str) -> str:
        return f"{self.table} line {self.line} ({self.label}), field {field_name!r}"

    def text(self, field_name: str, *, required: bool = True) -> str:
        value = (self.row.get(field_name) or "").strip()
        if required and not value:
            raise ParameterError(f"{self.where(field_name)}: missing value")
        return value

    def cited(self, field_name: str) -> str:
        """A source text; every ``[@key]`` it cites must be in the bibliography."""
        value = self.text(field_name)
        known = bibliography()
        for key in cited_keys(value):
            if key not in known:
                close = ", ".join(_closest(key, sorted(known))[:3])
                raise ParameterError(
                    f"{self.where(field_name)}: cites [@{key}], which is not in "
                    f"logistics/data/bibliography.toml; closest keys: {close}"
                )
        return value

    def number(
        self,
        field_name: str,
        *,
        minimum: float = 0.0,
        maximum: float | None = None,
        lo_open: bool = False,
    ) -> float:
        """The field as a finite number >= ``minimum`` (> with ``lo_open``), <= ``maximum``
        (default by unit: :data:`~logistics.limits.MAX_DURATION_H` for ``_h``,
        :data:`~logistics.limits.MAX_USD` for ``_usd`` fields)."""
        raw = self.text(field_name)
        try:
            value = float(raw)
        except ValueError:
            raise ParameterError(f"{self.where(field_name)}: {raw!r} is not a number") from None
        if maximum is None:
            maximum = limits.MAX_DURATION_H if field_name.endswith("_h") else math.inf
            maximum = limits.MAX_USD if "_usd" in field_name else maximum
        if not (math.isfinite(value) and minimum <= value <= maximum) or (
            lo_open and value == minimum
        ):
            high = f" and <= {maximum:g}" if math.isfinite(maximum) else ""
            raise ParameterError(
                f"{self.where(field_name)}: {raw!r} is not allowed; "
                f"must be a finite number {'>' if lo_open else '>='} {minimum:g}{high}"
            )
        return value

    def flag(self, field_name: str) -> bool:
        raw = self.text(field_name).lower()
        if raw in ("true", "yes", "1"):
            return True
        if raw in ("false", "no", "0"):
            return False
        raise ParameterError(
            f"{self.where(field_name)}: {raw!r} is not a boolean; use true or false"
        )

    def hours(self, field_name: str) -> OpeningHours:
        return OpeningHours.parse(self.text(field_name), what=self.where(field_name))

    def delay(self, median_field: str, p90_field: str) -> Delay:
        median = self.number(median_field)
        p90 = self.number(p90_field)
        if message := check_p90(median, p90, what=self.where(p90_field), median_name=median_field):
            raise ParameterError(message)
        return Delay(median, p90, name=f"{self.label} {median_field.removesuffix('_median_h')}")


def _read_rows(
    path: Path | str | None, default: str, columns: tuple[str, ...]
) -> tuple[str, list[dict[str, str]]]:
    if path is None:
        text = resources.files("logistics").joinpath("data", default).read_text(encoding="utf-8")
        name = f"logistics/data/{default}"
    else:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"parameter table not found: {p}")
        text = p.read_text(encoding="utf-8")
        name = str(p)
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ParameterError(f"{name}: missing columns {missing}; expected {list(columns)}")
    return name, list(reader)


def _load_borders(path: Path | str | None) -> dict[tuple[str, str, str], BorderRule]:
    name, rows = _read_rows(path, "border_parameters.csv", _BORDER_COLUMNS)
    out: dict[tuple[str, str, str], BorderRule] = {}
    for i, raw in enumerate(rows, start=2):
        cid, a, b = (raw.get(k, "?") for k in ("crossing_id", "from_country", "to_country"))
        label = f"{cid} {a}->{b}"
        r = _Row(name, i, raw, label)
        key = (r.text("crossing_id"), r.text("from_country"), r.text("to_country"))
        if key in out:
            raise ParameterError(f"{name} line {i}: duplicate row for {label}")
        sources = {
            f: r.cited(f)
            for f in (
                "hours_source",
                "clearance_source",
                "documentary_source",
                "fee_source",
                "through_trucking_source",
                "transload_source",
                "single_stop_source",
            )
        }
        out[key] = BorderRule(
            crossing_id=key[0],
            from_country=key[1],
            to_country=key[2],
            exit_hours=r.hours("exit_hours"),
            entry_hours=r.hours("entry_hours"),
            exit_clearance=r.delay("exit_clearance_median_h", "exit_clearance_p90_h"),
            entry_clearance=r.delay("entry_clearance_median_h", "entry_clearance_p90_h"),
            documentary_h=r.number("documentary_h"),
            exit_fee_usd=r.number("exit_fee_usd"),
            entry_fee_usd=r.number("entry_fee_usd"),
            through_trucking=r.flag("through_trucking"),
            permit_regime=r.text("permit_regime"),
            transload=r.delay("transload_median_h", "transload_p90_h"),
            transload_cost_usd=r.number("transload_cost_usd"),
            single_stop=r.flag("single_stop_available"),
            sources=MappingProxyType(sources),
        )
    return out


def _load_ports(path: Path | str | None) -> dict[str, PortRule]:
    name, rows = _read_rows(path, "port_parameters.csv", _PORT_COLUMNS)
    out: dict[str, PortRule] = {}
    for i, raw in enumerate(rows, start=2):
        r = _Row(name, i, raw, raw.get("port_id", "?"))
        pid = r.text("port_id")
        if pid in out:
            raise ParameterError(f"{name} line {i}: duplicate port {pid!r}")
        out[pid] = PortRule(
            port_id=pid,
            country=r.text("country"),
            gate_hours=r.hours("gate_hours"),
            export_dwell=r.delay("export_dwell_median_h", "export_dwell_p90_h"),
            import_dwell=r.delay("import_dwell_median_h", "import_dwell_p90_h"),
            export_handling_usd=r.number("export_handling_usd"),
            import_handling_usd=r.number("import_handling_usd"),
            sources=MappingProxyType(
                {f: r.cited(f) for f in ("gate_source", "dwell_source", "handling_source")}
            ),
        )
    return out


def _load_countries(path: Path | str | None) -> dict[str, CountryCost]:
    name, rows = _read_rows(path, "country_costs.csv", _COUNTRY_COLUMNS)
    out: dict[str, CountryCost] = {}
    for i, raw in enumerate(rows, start=2):
        r = _Row(name, i, raw, raw.get("country", "?"))
        code = r.text("country")
        out[code] = CountryCost(
            country=code,
            truck_cost_usd_per_km=r.number("truck_cost_usd_per_km"),
            truck_cost_usd_per_h=r.number("truck_cost_usd_per_h"),
            gvw_limit_t=r.number("gvw_limit_t"),
            sources=MappingProxyType(
                {f: r.cited(f) for f in ("cost_source", "gvw_source", "clearance_cost_source")}
            ),
            export_clearance_usd=r.number("export_clearance_usd"),
            import_clearance_usd=r.number("import_clearance_usd"),
        )
    return out


def _load_lanes(path: Path | str | None) -> dict[tuple[str, str], float]:
    name, rows = _read_rows(path, "sea_lanes.csv", _LANE_COLUMNS)
    out: dict[tuple[str, str], float] = {}
    for i, raw in enumerate(rows, start=2):
        r = _Row(name, i, raw, f"{raw.get('from_port', '?')}->{raw.get('to_port', '?')}")
        r.cited("source")
        value = r.number("sailings_per_week")
        if value <= 0:
            raise ParameterError(f"{r.where('sailings_per_week')}: must be > 0, got {value:g}")
        out[(r.text("from_port"), r.text("to_port"))] = value
    if ("*", "*") not in out:
        raise ParameterError(f"{name}: missing the default row '*,*'")
    return out


def _load_general(path: Path | str | None) -> tuple[dict[str, float], dict[str, str]]:
    name, rows = _read_rows(path, "general_parameters.csv", _GENERAL_COLUMNS)
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for i, raw in enumerate(rows, start=2):
        r = _Row(name, i, raw, raw.get("name", "?"))
        key = r.text("name")
        lo, lo_open, hi = limits.GENERAL_BOUNDS.get(key, (0.0, False, math.inf))
        values[key] = r.number("value", minimum=lo, maximum=hi, lo_open=lo_open)
        sources[key] = r.cited("source")
    missing = [k for k in GENERAL_NAMES if k not in values]
    if missing:
        raise ParameterError(f"{name}: missing parameters {missing}")
    return values, sources


def load_parameters(
    *,
    borders: Path | str | None = None,
    ports: Path | str | None = None,
    lanes: Path | str | None = None,
    countries: Path | str | None = None,
    general: Path | str | None = None,
) -> ParameterSet:
    """Load and validate the parameter tables (the shipped ones unless paths are given).

    Parameters
    ----------
    borders, ports, lanes, countries, general : path, optional
        Replacement CSV files with the same columns as the shipped tables.

    Returns
    -------
    ParameterSet

    Raises
    ------
    ParameterError
        On any invalid value, naming the table, line, field and value.
    """
    if all(p is None for p in (borders, ports, lanes, countries, general)):
        return _default_parameters()
    values, sources = _load_general(general)
    return ParameterSet(
        borders=MappingProxyType(_load_borders(borders)),
        ports=MappingProxyType(_load_ports(ports)),
        lanes=MappingProxyType(_load_lanes(lanes)),
        countries=MappingProxyType(_load_countries(countries)),
        general=MappingProxyType(values),
        general_sources=MappingProxyType(sources),
    )


@functools.cache
def _default_parameters() -> ParameterSet:
    values, sources = _load_general(None)
    return ParameterSet(
        borders=MappingProxyType(_load_borders(None)),
        ports=MappingProxyType(_load_ports(None)),
        lanes=MappingProxyType(_load_lanes(None)),
        countries=MappingProxyType(_load_countries(None)),
        general=MappingProxyType(values),
        general_sources=MappingProxyType(sources),
    )


def _table(default: str) -> pd.DataFrame:
    text = resources.files("logistics").joinpath("data", default).read_text(encoding="utf-8")
    import io

    return pd.read_csv(io.StringIO(text))


def border_parameters() -> pd.DataFrame:
    """Shipped border parameters: one row per crossing and direction, with source columns.

    The table is validated first (:func:`load_parameters`).
    """
    _default_parameters()
    return _table("border_parameters.csv")


def port_parameters() -> pd.DataFrame:
    """Shipped port parameters: one row per port (gate hours, dwell, handling), with sources."""
    _default_parameters()
    return _table("port_parameters.csv")


def sea_lanes() -> pd.DataFrame:
    """Shipped sailing frequencies per lane (``*,*`` is the default), with sources."""
    _default_parameters()
    return _table("sea_lanes.csv")


def country_costs() -> pd.DataFrame:
    """Shipped truck costs and gross-vehicle-weight limits per country, with sources."""
    _default_parameters()
    return _table("country_costs.csv")


def general_parameters() -> pd.DataFrame:
    """Shipped general parameters (hours of service, CO2, sea freight, ...), with sources."""
    _default_parameters()
    return _table("general_parameters.csv")
