"""Shipments and fleet for just-in-time routing: readers, validation and the synthetic demo set.

A shipment table (CSV or Parquet) has one row per shipment::

    shipment_id, origin, destination, ready_time, earliest_delivery, latest_delivery,
    weight_t, [volume_m3 | pallets | teu], [value_usd], [lateness_cost_usd_per_h]

``origin`` / ``destination`` are gazetteer names or ``"LAT,LON"``; separate ``origin_lat`` /
``origin_lon`` (and ``destination_lat`` / ``destination_lon``) columns may replace them, with an
optional ``origin_name`` / ``destination_name`` label. Times are ISO 8601; with an offset
(``2026-03-02T18:00+07:00``) they are absolute, without one they are the local time of the place
(the origin for ``ready_time``, the destination for the delivery window).

A fleet table has one row per vehicle type and depot::

    vehicle_type, depot, count, capacity_weight_t, [capacity_volume_m3], [capacity_pallets],
    [capacity_teu], cost_per_km_usd, cost_per_h_usd, fixed_cost_usd, crew, country,
    cross_border_permit

A blank capacity in a unit means the vehicle carries no load measured in that unit (a rigid truck
without a container chassis has ``capacity_teu`` 0). Every row error is collected and raised as
one :class:`ShipmentError` / :class:`FleetError` listing them all.

:class:`Shipment` and :class:`VehicleType` check their own fields on creation; the readers check
the same rules (:func:`shipment_problems`, :func:`vehicle_problems`) on the values they parse.

``python -m logistics.shipments --write-demo`` regenerates the shipped synthetic demo set;
:func:`scaled_demo` / :func:`write_scaled_demo` (``corridor demo --scale K``) make SYNTHETIC
demand at K times its volume.
"""

from __future__ import annotations

import argparse
import difflib
import io
import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from logistics.limits import (
    MAX_FLEET_ROWS,
    MAX_ID_CHARS,
    MAX_INPUT_BYTES,
    MAX_PLACES,
    MAX_QUANTITY,
    MAX_SHIPMENT_ROWS,
    MAX_USD,
    MAX_VEHICLES,
    MAX_YEAR,
    MIN_OD_DISTANCE_M,
    MIN_YEAR,
    LimitError,
    check_datetime,
    check_horizon,
)
from networks import geo
from networks.geo import UTC_OFFSET_H
from networks.io import atomic_path, csv_safe
from networks.types import Place

log = logging.getLogger(__name__)

#: Demand units a shipment may be measured in, besides ``weight_t`` (always required).
SPACE_UNITS: tuple[str, ...] = ("volume_m3", "pallets", "teu")
#: All capacity dimensions of the routing model, in this order.
DEMAND_UNITS: tuple[str, ...] = ("weight_t", *SPACE_UNITS)

#: Lateness cost when the shipment table has none.
#: Source: assumption: USD 50 per hour late, a round figure of the order of one truck-hour of
#: line-stoppage risk; no published JIT penalty for these corridors was found.
DEFAULT_LATENESS_COST_USD_PER_H = 50.0

CREWS: tuple[str, ...] = ("single", "double")
MAX_ERRORS_SHOWN = 40

SHIPMENT_REQUIRED = (
    "shipment_id",
    "ready_time",
    "earliest_delivery",
    "latest_delivery",
    "weight_t",
)
SHIPMENT_OPTIONAL = (
    "origin",
    "destination",
    "origin_lat",
    "origin_lon",
    "origin_name",
    "destination_lat",
    "destination_lon",
    "destination_name",
    *SPACE_UNITS,
    "value_usd",
    "lateness_cost_usd_per_h",
)
#: Columns ignored silently (free-text notes).
NOTE_COLUMNS = ("synthetic", "note", "notes", "description", "commodity", "flow")

FLEET_REQUIRED = (
    "vehicle_type",
    "count",
    "capacity_weight_t",
    "cost_per_km_usd",
    "cost_per_h_usd",
    "fixed_cost_usd",
    "crew",
    "country",
    "cross_border_permit",
)
FLEET_OPTIONAL = (
    "depot",
    "depot_lat",
    "depot_lon",
    "depot_name",
    "capacity_volume_m3",
    "capacity_pallets",
    "capacity_teu",
)

TRUE_WORDS = ("yes", "y", "true", "1")
FALSE_WORDS = ("no", "n", "false", "0", "")


class ShipmentError(ValueError):
    """Bad shipment input; ``errors`` lists every problem found (one line each).

    One problem reads as one line (``source: problem``); several as a count and one line each.
    """

    def __init__(self, errors: Sequence[str], *, source: str = "shipments") -> None:
        self.errors = list(errors)
        if len(self.errors) == 1:
            super().__init__(f"{source}: {self.errors[0]}")
            return
        shown = self.errors[:MAX_ERRORS_SHOWN]
        more = len(self.errors) - len(shown)
        text = f"{len(self.errors)} problem(s) in {source}:\n  " + "\n  ".join(shown)
        if more:
            text += f"\n  ... and {more} more"
        super().__init__(text)


class FleetError(ShipmentError):
    """Bad fleet input; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str], *, source: str = "fleet") -> None:
        super().__init__(errors, source=source)


# --------------------------------------------------------------------------- field rules
# The rules of a Shipment and a VehicleType live here once: the dataclasses check them in
# __post_init__ and the table readers check the same rules on the values they parsed, naming the
# column and the text as typed (``shown``).

#: Number fields of a Shipment: lower bound, whether the bound itself is excluded, upper bound
#: (:mod:`logistics.limits`).
SHIPMENT_NUMBERS: dict[str, tuple[float, bool, float]] = {
    "weight_t": (0.0, True, MAX_QUANTITY),
    "volume_m3": (0.0, False, MAX_QUANTITY),
    "pallets": (0.0, False, MAX_QUANTITY),
    "teu": (0.0, False, MAX_QUANTITY),
    "value_usd": (0.0, False, MAX_USD * 1000),
    "lateness_cost_usd_per_h": (0.0, False, MAX_USD),
}
#: Number fields of a VehicleType, as :data:`SHIPMENT_NUMBERS` (``count`` is also whole).
VEHICLE_NUMBERS: dict[str, tuple[float, bool, float]] = {
    "count": (0.0, False, MAX_VEHICLES),
    **{f"capacity_{u}": (0.0, False, MAX_QUANTITY) for u in DEMAND_UNITS},
    "cost_per_km_usd": (0.0, False, MAX_USD),
    "cost_per_h_usd": (0.0, False, MAX_USD),
    "fixed_cost_usd": (0.0, False, MAX_USD),
}
_SHIPMENT_TIMES = ("ready_utc", "earliest_utc", "latest_utc")
_WHOLE = ("count",)


def _allowed(bounds: tuple[float, bool, float], *, whole: bool = False) -> str:
    minimum, strict, maximum = bounds
    kind = "a whole number" if whole else "a finite number"
    return f"{kind} {'>' if strict else '>='} {minimum:g} and <= {maximum:g}"


def _label(attr: str, values: Mapping[str, Any], shown: Mapping[str, str]) -> str:
    """``attr`` and its value as the message shows them (the reader's column and text if given)."""
    if attr in shown:
        return shown[attr]
    value = values[attr]
    return f"{attr} {value.isoformat() if isinstance(value, datetime) else value!r}"


def _number_problems(
    values: Mapping[str, Any],
    shown: Mapping[str, str],
    bounds: Mapping[str, tuple[float, bool, float]],
    *,
    whole: Sequence[str] = (),
) -> tuple[list[str], set[str]]:
    """Problems of the number fields present in ``values``, and the names of the bad ones."""
    problems: list[str] = []
    bad: set[str] = set()
    for attr, (minimum, strict, maximum) in bounds.items():
        if attr not in values:
            continue
        value, label = values[attr], _label(attr, values, shown)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            problems.append(f"{label} is not a number")
        elif not (
            math.isfinite(value)
            and (value > minimum if strict else value >= minimum)
            and value <= maximum
        ):
            allowed = _allowed((minimum, strict, maximum), whole=attr in whole)
            problems.append(f"{label} is out of range; allowed: {allowed}")
        elif attr in whole and not float(value).is_integer():
            problems.append(f"{label} is not a whole number")
        else:
            continue
        bad.add(attr)
    return problems, bad


def _short(text: str) -> str:
    """``text`` cut to 40 characters for a message (an id may be megabytes long)."""
    return text if len(text) <= 40 else text[:40] + "..."


def _id_problem(field: str, text: str) -> str | None:
    """An id or name: 1 to :data:`~logistics.limits.MAX_ID_CHARS` printable characters."""
    if not text.strip():
        return f"{field} is empty"
    if len(text) > MAX_ID_CHARS or not text.isprintable():
        return (
            f"{field} {_short(text)!r} is not allowed; allowed: 1-{MAX_ID_CHARS} printable "
            "characters (no line breaks or control characters)"
        )
    return None


def shipment_problems(
    values: Mapping[str, Any], shown: Mapping[str, str] | None = None
) -> list[str]:
    """Every rule of a :class:`Shipment` broken by the fields present in ``values``.

    Parameters
    ----------
    values : mapping
        Attribute name -> value; absent fields are not checked (nor the rules that need them).
    shown : mapping, optional
        Attribute name -> how a message names it (e.g. ``"ready_time '2026-03-02 18:00'"``);
        default ``attribute value``.

    Returns
    -------
    list of str
        One line per problem, naming the field, the value and what is allowed.
    """
    shown = shown or {}
    problems, bad = _number_problems(values, shown, SHIPMENT_NUMBERS)
    if "shipment_id" in values:
        sid = values["shipment_id"]
        if not isinstance(sid, str):
            problems.append(f"{_label('shipment_id', values, shown)} is not a string")
        elif problem := _id_problem("shipment_id", sid):
            problems.append(problem)
    places = []
    for attr in ("origin", "destination"):
        if attr in values and not isinstance(values[attr], Place):
            problems.append(
                f"{_label(attr, values, shown)} is not a place; allowed: a networks.types.Place"
            )
        elif attr in values:
            places.append(values[attr])
    if len(places) == 2 and (
        geo.haversine_m(places[0].lat, places[0].lon, places[1].lat, places[1].lon)
        < MIN_OD_DISTANCE_M
    ):
        problems.append(
            f"destination {places[1].name!r} is within {MIN_OD_DISTANCE_M:g} m of origin "
            f"{places[0].name!r}; allowed: a destination at least {MIN_OD_DISTANCE_M:g} m away "
            "(a local delivery is not a corridor shipment)"
        )
    for attr in _SHIPMENT_TIMES:
        value = values.get(attr)
        if attr in values and not (isinstance(value, datetime) and value.utcoffset() is not None):
            problems.append(
                f"{_label(attr, values, shown)} is not allowed; allowed: a timezone-aware datetime"
            )
            bad.add(attr)
        elif isinstance(value, datetime):
            try:
                check_datetime(value, field=attr)
            except LimitError:
                problems.append(
                    f"{_label(attr, values, shown)} is out of range; allowed: a date-time in "
                    f"the years {MIN_YEAR}-{MAX_YEAR} (UTC)"
                )
                bad.add(attr)
    ok = {a: values[a] for a in values if a not in bad}
    latest = ok.get("latest_utc")
    for before in ("earliest_utc", "ready_utc"):
        if latest is not None and before in ok and latest <= ok[before]:
            problems.append(
                f"{_label('latest_utc', values, shown)} is not after "
                f"{_label(before, values, shown)}"
            )
    if all(u in ok for u in SPACE_UNITS) and not any(ok[u] > 0 for u in SPACE_UNITS):
        problems.append(f"no space demand; give a positive {' or '.join(SPACE_UNITS)}")
    return problems


def vehicle_problems(
    values: Mapping[str, Any], shown: Mapping[str, str] | None = None
) -> list[str]:
    """Every rule of a :class:`VehicleType` broken by the fields present in ``values``.

    Same parameters and result as :func:`shipment_problems`.
    """
    shown = shown or {}
    problems, _ = _number_problems(values, shown, VEHICLE_NUMBERS, whole=_WHOLE)
    if "vehicle_type" in values:
        name = values["vehicle_type"]
        if not isinstance(name, str):
            problems.append(f"{_label('vehicle_type', values, shown)} is not a string")
        elif problem := _id_problem("vehicle_type", name):
            problems.append(problem)
    if "depot" in values and not isinstance(values["depot"], Place):
        problems.append(
            f"{_label('depot', values, shown)} is not a place; allowed: a networks.types.Place"
        )
    if "crew" in values and values["crew"] not in CREWS:
        problems.append(
            f"{_label('crew', values, shown)} is not allowed; allowed: {', '.join(CREWS)}"
        )
    if "country" in values and values["country"] not in UTC_OFFSET_H:
        country = str(values["country"])
        close = difflib.get_close_matches(country, list(UTC_OFFSET_H), n=1)
        problems.append(
            f"{_label('country', values, shown)} is not a study country; allowed: "
            f"{', '.join(close + [c for c in UTC_OFFSET_H if c not in close])}"
        )
    if "cross_border_permit" in values and not isinstance(values["cross_border_permit"], bool):
        problems.append(
            f"{_label('cross_border_permit', values, shown)} is not allowed; allowed: True, False"
        )
    return problems


@dataclass(frozen=True)
class Shipment:
    """One shipment with its JIT delivery window; times are timezone-aware UTC.

    Every field is checked on creation (:func:`shipment_problems`); aware times in another zone
    are converted to UTC.

    Attributes
    ----------
    shipment_id : str
    origin, destination : Place
    ready_utc : datetime
        Earliest pick-up.
    earliest_utc, latest_utc : datetime
        Delivery window (``latest_utc`` after ``earliest_utc`` and ``ready_utc``).
    weight_t, volume_m3, pallets, teu : float
        Demand in each unit (0 when not measured in that unit); ``weight_t`` > 0 and at least
        one space unit > 0.
    value_usd : float
    lateness_cost_usd_per_h : float
        Penalty per hour delivered after ``latest_utc`` (soft windows).

    Raises
    ------
    ShipmentError
        Listing every broken rule.
    """

    shipment_id: str
    origin: Place
    destination: Place
    ready_utc: datetime
    earliest_utc: datetime
    latest_utc: datetime
    weight_t: float
    volume_m3: float = 0.0
    pallets: float = 0.0
    teu: float = 0.0
    value_usd: float = 0.0
    lateness_cost_usd_per_h: float = DEFAULT_LATENESS_COST_USD_PER_H

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        problems = shipment_problems(values)
        if problems:
            raise ShipmentError(problems, source=f"shipment {_short(str(self.shipment_id))!r}")
        for attr in _SHIPMENT_TIMES:
            object.__setattr__(self, attr, values[attr].astimezone(UTC))

    def demand(self, unit: str) -> float:
        """Demand in ``unit`` (one of :data:`DEMAND_UNITS`)."""
        return float(getattr(self, unit))


@dataclass(frozen=True)
class VehicleType:
    """``count`` identical vehicles based at ``depot``.

    Every field is checked on creation (:func:`vehicle_problems`).

    Attributes
    ----------
    vehicle_type : str
    depot : Place
    count : int
        Whole number >= 0.
    capacity_weight_t, capacity_volume_m3, capacity_pallets, capacity_teu : float
        Capacity in each unit; 0 means the vehicle carries no load measured in that unit.
    cost_per_km_usd, cost_per_h_usd, fixed_cost_usd : float
        Distance cost, time cost (driving hours) and the fixed cost of using the vehicle.
    crew : str
        ``single`` or ``double``.
    country : str
        Registration country (ISO 3166-1 alpha-2, a study country).
    cross_border_permit : bool
        Holds a cross-border permit (GMS CBTA / ASEAN AGVCBP).

    Raises
    ------
    FleetError
        Listing every broken rule.
    """

    vehicle_type: str
    depot: Place
    count: int
    capacity_weight_t: float
    cost_per_km_usd: float
    cost_per_h_usd: float
    fixed_cost_usd: float
    crew: str
    country: str
    cross_border_permit: bool
    capacity_volume_m3: float = 0.0
    capacity_pallets: float = 0.0
    capacity_teu: float = 0.0

    def __post_init__(self) -> None:
        problems = vehicle_problems({f.name: getattr(self, f.name) for f in fields(self)})
        if problems:
            raise FleetError(problems, source=f"vehicle type {_short(str(self.vehicle_type))!r}")
        object.__setattr__(self, "count", int(self.count))

    def capacity(self, unit: str) -> float:
        """Capacity in ``unit`` (one of :data:`DEMAND_UNITS`)."""
        return float(getattr(self, f"capacity_{unit}"))

    def fits(self, shipment: Shipment) -> bool:
        """Whether one shipment alone fits this vehicle in every unit."""
        return all(
            shipment.demand(u) <= self.capacity(u) + 1e-9
            for u in DEMAND_UNITS
            if shipment.demand(u) > 0
        )


# --------------------------------------------------------------------------- places and times


PlaceResolver = Callable[[str], Place]


def default_resolver(text: str) -> Place:
    """Resolve a gazetteer name or ``"LAT,LON"`` with :func:`networks.resolve_place`."""
    from networks.places import resolve_place

    return resolve_place(text)


def parse_time(text: str, *, place: Place, field: str) -> datetime:
    """Parse an ISO 8601 date-time into UTC: :func:`networks.geo.parse_time` at ``place``.

    A naive time is the local time of ``place.country`` (its default zone when unknown).

    Raises
    ------
    ValueError
        Unparseable text, or a date that has no UTC equivalent (the message names ``field``).
    """
    try:
        return geo.parse_time(text, country=place.country, field=field)
    except OverflowError:
        raise ValueError(
            f"{field} {_short(str(text).strip())!r} is out of range; allowed: a date-time in the "
            f"years {MIN_YEAR}-{MAX_YEAR} (UTC)"
        ) from None


# --------------------------------------------------------------------------- frame helpers


def _read_table(path: str | os.PathLike[str], *, kind: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{kind} file not found: {path}")
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise ShipmentError(
            [f"size: bad value {size} bytes; allowed: at most {MAX_INPUT_BYTES} bytes"],
            source=path.name,
        )
    max_rows = MAX_SHIPMENT_ROWS if kind == "shipments" else MAX_FLEET_ROWS
    if suffix in (".parquet", ".pq"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise ShipmentError(
                [f"cannot read {path.name} as Parquet: {exc}"], source=kind
            ) from None
        _check_rows(rows, max_rows, path.name)
        frame = pd.read_parquet(path)
        return frame.astype(object).where(frame.notna(), "").astype(str)
    if suffix in (".csv", ".txt", ""):
        try:
            # A comment is a whole line starting with '#'; a '#' inside a field is data (pandas'
            # comment= would cut the row there: '125#000' would read as 125).
            text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not data
            lines = [ln for ln in text.splitlines(keepends=True) if not ln.lstrip().startswith("#")]
            frame = pd.read_csv(
                io.StringIO("".join(lines)),
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                nrows=max_rows + 1,
            )
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            message = " ".join(str(exc).split())
            raise ShipmentError(
                [f"cannot parse {path.name} as CSV: {message}"], source=kind
            ) from None
        except pd.errors.EmptyDataError:
            raise ShipmentError([f"{path.name} is empty (no header row)"], source=kind) from None
        _check_rows(len(frame), max_rows, path.name)
        return frame
    raise ShipmentError(
        [f"file {path.name!r} has suffix {suffix!r}; allowed: .csv, .parquet"], source=kind
    )


def _check_rows(rows: int, max_rows: int, source: str) -> None:
    """Refuse a table of more than ``max_rows`` data rows (a reader stops after one more)."""
    if rows > max_rows:
        raise ShipmentError(
            [f"rows: bad value more than {max_rows}; allowed: at most {max_rows} rows"],
            source=source,
        )


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _column_errors(
    columns: Iterable[str], required: Sequence[str], optional: Sequence[str]
) -> list[str]:
    """Missing required columns and misnamed ones, with the closest match."""
    cols = list(columns)
    known = set(required) | set(optional) | set(NOTE_COLUMNS)
    unknown = [c for c in cols if c not in known]
    errors = []
    for name in required:
        if name not in cols:
            close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
            hint = f"; found {close[0]!r}, did you mean {name!r}?" if close else ""
            errors.append(f"missing column {name!r}{hint}")
    for name in unknown:
        close = difflib.get_close_matches(name, [*required, *optional], n=1, cutoff=0.75)
        if close and close[0] not in cols:
            errors.append(f"unknown column {name!r}; did you mean {close[0]!r}?")
    return errors


class _Row:
    """One table row being read: parsed values, how messages name them, and its errors."""

    def __init__(self, row: pd.Series, columns: Sequence[str], where: str) -> None:
        self.row = row
        self.columns = columns
        self.where = where
        self.values: dict[str, Any] = {}
        self.shown: dict[str, str] = {}
        self.errors: list[str] = []

    def text(self, column: str) -> str:
        return str(self.row[column]).strip() if column in self.columns else ""

    def attempt(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``; on ``ValueError`` record the message and return ``None``."""
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            self.error(str(exc))
            return None

    def error(self, message: str) -> None:
        self.errors.append(f"{self.where}: {message}")

    def set(self, attr: str, value: Any, column: str) -> None:
        if value is not None:
            self.values[attr] = value
            self.shown[attr] = f"{column} {_short(self.text(column))!r}"

    def numbers(
        self,
        bounds: Mapping[str, tuple[float, bool, float]],
        defaults: Mapping[str, float],
        *,
        whole: Sequence[str] = (),
    ) -> None:
        """Parse the number columns named like the attributes in ``bounds``.

        An absent column or empty cell takes the value of ``defaults``; without one the cell is
        required.
        """
        for attr in bounds:
            text = self.text(attr)
            if not text:
                if attr in defaults:
                    self.values[attr] = defaults[attr]
                else:
                    allowed = _allowed(bounds[attr], whole=attr in whole)
                    self.error(f"{attr} is empty; allowed: {allowed}")
                continue
            try:
                number = float(text)
            except ValueError:
                self.error(f"{attr} {_short(text)!r} is not a number")
                continue
            self.set(attr, number, attr)


class _PlaceCache:
    """Resolve each place text once per read (not shared between calls)."""

    def __init__(self, resolver: PlaceResolver) -> None:
        self.resolver = resolver
        self.cache: dict[str, Place] = {}

    def __call__(self, text: str) -> Place:
        if text not in self.cache:
            self.cache[text] = self.resolver(text)
        return self.cache[text]


def _place(row: _Row, prefix: str, places: _PlaceCache) -> Place:
    """The place of ``prefix`` (origin / destination / depot) from text or lat/lon columns."""
    text, label = row.text(prefix), row.text(f"{prefix}_name")
    lat, lon = row.text(f"{prefix}_lat"), row.text(f"{prefix}_lon")
    if lat or lon:
        if not (lat and lon):
            raise ValueError(f"{prefix}_lat and {prefix}_lon must both be given")
        for field, value, bound in ((f"{prefix}_lat", lat, 90), (f"{prefix}_lon", lon, 180)):
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"{field} {_short(value)!r} is not a number") from None
            if not (math.isfinite(number) and abs(number) <= bound):
                raise ValueError(
                    f"{field} {_short(value)!r} is out of range; allowed: -{bound}..{bound}"
                )
        place = places(f"{float(lat)},{float(lon)}")
        return replace(place, name=label) if label else place
    if not text:
        raise ValueError(
            f"{prefix} is empty; give a place name or 'LAT,LON' "
            f"(or {prefix}_lat and {prefix}_lon columns)"
        )
    if len(text) > MAX_ID_CHARS:
        raise ValueError(
            f"{prefix} {_short(text)!r} is not allowed; allowed: a place name or 'LAT,LON' of at "
            f"most {MAX_ID_CHARS} characters"
        )
    try:
        place = places(text)
    except ValueError as exc:
        raise ValueError(f"{prefix} {_short(text)!r}: {exc}") from None
    return replace(place, name=label) if label else place


# --------------------------------------------------------------------------- shipments

#: Time columns of the shipment table: attribute, column, the place whose local time it is.
_TIME_COLUMNS = (
    ("ready_utc", "ready_time", "origin"),
    ("earliest_utc", "earliest_delivery", "destination"),
    ("latest_utc", "latest_delivery", "destination"),
)


def shipments_from_frame(
    frame: pd.DataFrame,
    *,
    resolver: PlaceResolver | None = None,
    source: str = "shipments",
) -> tuple[Shipment, ...]:
    """Validate a shipment table and return the shipments.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns as described in the module docstring; values are converted from text.
    resolver : callable, optional
        Text -> :class:`~networks.types.Place`; default :func:`default_resolver`.
    source : str
        Name used in error messages (usually the file name).

    Raises
    ------
    ShipmentError
        Listing every problem: columns, then per-row errors (row numbers count data rows from 1).
    """
    frame = _normalised(frame)
    columns = list(frame.columns)
    errors = _column_errors(columns, SHIPMENT_REQUIRED, SHIPMENT_OPTIONAL)
    for prefix in ("origin", "destination"):
        if prefix not in columns and not {f"{prefix}_lat", f"{prefix}_lon"} <= set(columns):
            errors.append(
                f"missing column {prefix!r} (or {prefix}_lat and {prefix}_lon); "
                f"found columns: {', '.join(columns)}"
            )
    if not any(u in columns for u in SPACE_UNITS):
        errors.append(f"missing a space column: one of {', '.join(SPACE_UNITS)}")
    if errors:
        raise ShipmentError(errors, source=source)
    if frame.empty:
        raise ShipmentError(["no shipments (the table has no rows)"], source=source)
    _check_rows(len(frame), MAX_SHIPMENT_ROWS, source)
    frame = frame.fillna("").astype(str)
    defaults = {
        **{u: 0.0 for u in SPACE_UNITS},
        "value_usd": 0.0,
        "lateness_cost_usd_per_h": DEFAULT_LATENESS_COST_USD_PER_H,
    }
    places = _PlaceCache(resolver or default_resolver)
    out: list[Shipment] = []
    seen: dict[str, int] = {}
    for number, (_, series) in enumerate(frame.iterrows(), start=1):
        sid = str(series["shipment_id"]).strip()
        label = f" (shipment {_short(sid)!r})" if sid else ""
        row = _Row(series, columns, f"row {number}{label}")
        row.values["shipment_id"] = sid
        if sid in seen:
            row.error(f"duplicate shipment_id {_short(sid)!r} (first in row {seen[sid]})")
        elif sid:
            seen[sid] = number
        for prefix in ("origin", "destination"):
            place = row.attempt(_place, row, prefix, places)
            if place is not None:
                row.values[prefix] = place
        for attr, column, prefix in _TIME_COLUMNS:
            if prefix in row.values:
                stamp = row.attempt(
                    parse_time, series[column], place=row.values[prefix], field=column
                )
                row.set(attr, stamp, column)
        row.numbers(SHIPMENT_NUMBERS, defaults)
        for problem in shipment_problems(row.values, row.shown):
            row.error(problem)
        if row.errors:
            errors.extend(row.errors)
        else:
            out.append(Shipment(**row.values))
    if errors:
        raise ShipmentError(errors, source=source)
    distinct = {(p.lat, p.lon) for s in out for p in (s.origin, s.destination)}
    if len(distinct) > MAX_PLACES:
        raise ShipmentError(
            [
                f"places: bad value {len(distinct)} distinct origins and destinations; allowed: "
                f"at most {MAX_PLACES} (the road matrix is routed from each one)"
            ],
            source=source,
        )
    last = max(out, key=lambda s: s.latest_utc)
    try:
        check_horizon(
            min(s.ready_utc for s in out), last.latest_utc, what=f"shipment {last.shipment_id!r}"
        )
    except LimitError as exc:
        raise ShipmentError([str(exc)], source=source) from None
    log.info("read %d shipments from %s", len(out), source)
    return tuple(out)


def read_shipments(
    path: str | os.PathLike[str],
    *,
    fleet: Sequence[VehicleType] | None = None,
    resolver: PlaceResolver | None = None,
) -> tuple[Shipment, ...]:
    """Read and validate a shipment CSV or Parquet file.

    Parameters
    ----------
    path : path-like
        ``.csv`` (``#`` starts a comment line) or ``.parquet``.
    fleet : sequence of VehicleType, optional
        When given, also check that every shipment fits at least one vehicle type.
    resolver : callable, optional
        Place resolver (default: the network gazetteer).

    Raises
    ------
    ShipmentError
        Every problem found, one per line.
    FileNotFoundError
    """
    frame = _read_table(path, kind="shipments")
    shipments = shipments_from_frame(frame, resolver=resolver, source=Path(path).name)
    if fleet is not None:
        check_fleet_fits(shipments, fleet)
    return shipments


def check_fleet_fits(shipments: Sequence[Shipment], fleet: Sequence[VehicleType]) -> None:
    """Raise :class:`ShipmentError` for every shipment larger than every vehicle type."""
    errors = []
    for number, s in enumerate(shipments, start=1):
        if any(v.fits(s) for v in fleet):
            continue
        parts = []
        for unit in DEMAND_UNITS:
            if s.demand(unit) > 0:
                best = max(fleet, key=lambda v: v.capacity(unit))
                if s.demand(unit) > best.capacity(unit):
                    parts.append(
                        f"{unit} {s.demand(unit):g} > largest capacity {best.capacity(unit):g} "
                        f"({best.vehicle_type})"
                    )
        detail = "; ".join(parts) or "no single vehicle type has room in every unit at once"
        errors.append(
            f"row {number} (shipment {s.shipment_id!r}): demand larger than every vehicle: {detail}"
        )
    if errors:
        raise ShipmentError(errors, source="shipments vs fleet")


# --------------------------------------------------------------------------- fleet


def fleet_from_frame(
    frame: pd.DataFrame,
    *,
    resolver: PlaceResolver | None = None,
    source: str = "fleet",
) -> tuple[VehicleType, ...]:
    """Validate a fleet table and return its vehicle types.

    Raises
    ------
    FleetError
        Every problem found; an empty fleet (no rows, or every count 0) is an error.
    """
    frame = _normalised(frame)
    columns = list(frame.columns)
    errors = _column_errors(columns, FLEET_REQUIRED, FLEET_OPTIONAL)
    if "depot" not in columns and not {"depot_lat", "depot_lon"} <= set(columns):
        errors.append("missing column 'depot' (or depot_lat and depot_lon)")
    if errors:
        raise FleetError(errors, source=source)
    _check_rows(len(frame), MAX_FLEET_ROWS, source)
    frame = frame.fillna("").astype(str)
    defaults = {f"capacity_{u}": 0.0 for u in SPACE_UNITS}
    places = _PlaceCache(resolver or default_resolver)
    out: list[VehicleType] = []
    for number, (_, series) in enumerate(frame.iterrows(), start=1):
        name = str(series["vehicle_type"]).strip()
        row = _Row(series, columns, f"row {number}" + (f" ({_short(name)!r})" if name else ""))
        row.values["vehicle_type"] = name
        row.set("depot", row.attempt(_place, row, "depot", places), "depot")
        row.numbers(VEHICLE_NUMBERS, defaults, whole=_WHOLE)
        row.set("crew", row.text("crew").lower(), "crew")
        row.set("country", row.text("country").upper(), "country")
        permit = row.text("cross_border_permit").lower()
        if permit in TRUE_WORDS + FALSE_WORDS:
            row.values["cross_border_permit"] = permit in TRUE_WORDS
        else:
            row.error(
                f"cross_border_permit {series['cross_border_permit']!r} is not allowed; "
                "allowed: yes, no"
            )
        for problem in vehicle_problems(row.values, row.shown):
            row.error(problem)
        if row.errors:
            errors.extend(row.errors)
        else:
            out.append(VehicleType(**row.values))
    if errors:
        raise FleetError(errors, source=source)
    if sum(v.count for v in out) == 0:
        raise FleetError(["empty fleet: no vehicle types with count > 0"], source=source)
    if (total := sum(v.count for v in out)) > MAX_VEHICLES:
        raise FleetError(
            [f"count: bad value {total} vehicles in all; allowed: at most {MAX_VEHICLES}"],
            source=source,
        )
    log.info(
        "read %d vehicle types (%d vehicles) from %s", len(out), sum(v.count for v in out), source
    )
    return tuple(out)


def read_fleet(
    path: str | os.PathLike[str], *, resolver: PlaceResolver | None = None
) -> tuple[VehicleType, ...]:
    """Read and validate a fleet CSV or Parquet file (see the module docstring)."""
    frame = _read_table(path, kind="fleet")
    return fleet_from_frame(frame, resolver=resolver, source=Path(path).name)


# --------------------------------------------------------------------------- demo set

DEMO_SHIPMENTS_FILE = "demo_shipments.csv"
DEMO_FLEET_FILE = "demo_fleet.csv"
DEMO_NOTE = (
    "SYNTHETIC demo data generated by `python -m logistics.shipments --write-demo` (seeded); "
    "not real shipments; place coordinates approximate; costs are assumptions"
)


def _data_file(name: str) -> Any:
    return resources.files("logistics") / "data" / name


def demo_shipments(*, resolver: PlaceResolver | None = None) -> tuple[Shipment, ...]:
    """The shipped SYNTHETIC demo shipments (both corridors; see ``docs/fleet.md``)."""
    with resources.as_file(_data_file(DEMO_SHIPMENTS_FILE)) as path:
        return read_shipments(path, resolver=resolver)


def demo_fleet(*, resolver: PlaceResolver | None = None) -> tuple[VehicleType, ...]:
    """The shipped SYNTHETIC demo fleet."""
    with resources.as_file(_data_file(DEMO_FLEET_FILE)) as path:
        return read_fleet(path, resolver=resolver)


#: Demo places: name -> (lat, lon). Approximate positions typed by hand for the synthetic demo
#: (source: assumption: approximate centroids of the named estates, cities and ports).
DEMO_PLACES: dict[str, tuple[float, float]] = {
    "Eastern Seaboard (Rayong)": (13.03, 101.10),
    "Amata City Chonburi": (13.42, 101.03),
    "Ayutthaya Rojana": (14.33, 100.63),
    "Bangkok Lat Krabang": (13.72, 100.77),
    "Laem Chabang": (13.08, 100.90),
    "Khon Kaen": (16.43, 102.83),
    "Hat Yai": (7.01, 100.47),
    "Vientiane": (17.97, 102.61),
    "Savannakhet": (16.56, 104.76),
    "Bac Ninh Yen Phong": (21.20, 105.95),
    "Thang Long Hanoi": (21.12, 105.78),
    "Hai Phong": (20.85, 106.70),
    "Da Nang": (16.05, 108.20),
    "Penang Bayan Lepas": (5.30, 100.27),
    "Kulim": (5.42, 100.58),
    "Shah Alam (Klang Valley)": (3.07, 101.52),
    "Port Klang": (3.00, 101.39),
    "Johor Pasir Gudang": (1.47, 103.90),
    "Jurong": (1.33, 103.70),
}

#: Flows of the demo: (flow label, origins, destinations, shipments, unit, rough road hours).
_DEMO_FLOWS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], int, str, float], ...] = (
    (
        "auto parts TH->VN",
        ("Eastern Seaboard (Rayong)", "Amata City Chonburi", "Ayutthaya Rojana"),
        ("Bac Ninh Yen Phong", "Thang Long Hanoi"),
        16,
        "pallets",
        66.0,
    ),
    (
        "returnable racks VN->TH",
        ("Bac Ninh Yen Phong", "Thang Long Hanoi"),
        ("Ayutthaya Rojana", "Amata City Chonburi"),
        6,
        "pallets",
        66.0,
    ),
    (
        "electronics MY->TH",
        ("Penang Bayan Lepas", "Kulim", "Johor Pasir Gudang"),
        ("Bangkok Lat Krabang", "Ayutthaya Rojana"),
        12,
        "pallets",
        46.0,
    ),
    (
        "components SG->MY",
        ("Jurong",),
        ("Shah Alam (Klang Valley)", "Penang Bayan Lepas"),
        4,
        "pallets",
        16.0,
    ),
    ("returns TH->MY", ("Bangkok Lat Krabang",), ("Penang Bayan Lepas",), 3, "pallets", 32.0),
    (
        "containers TH domestic",
        ("Laem Chabang",),
        ("Ayutthaya Rojana", "Bangkok Lat Krabang"),
        6,
        "teu",
        5.0,
    ),
    (
        "auto parts TH domestic",
        ("Amata City Chonburi", "Eastern Seaboard (Rayong)"),
        ("Khon Kaen", "Bangkok Lat Krabang"),
        5,
        "pallets",
        10.0,
    ),
    (
        "parts VN domestic",
        ("Hai Phong",),
        ("Bac Ninh Yen Phong", "Thang Long Hanoi", "Da Nang"),
        5,
        "pallets",
        10.0,
    ),
    (
        "containers MY domestic",
        ("Port Klang",),
        ("Shah Alam (Klang Valley)", "Penang Bayan Lepas"),
        4,
        "teu",
        8.0,
    ),
    (
        "consumer goods TH->LA",
        ("Bangkok Lat Krabang",),
        ("Vientiane", "Savannakhet"),
        3,
        "pallets",
        28.0,
    ),
    (
        "steel coils TH->VN",
        ("Eastern Seaboard (Rayong)",),
        ("Hai Phong", "Thang Long Hanoi"),
        3,
        "coils",
        66.0,
    ),
)


#: Non-urgent full-container replenishment with wide delivery windows (latest delivery 6-10
#: days after the ready time), where sea is the usual choice today (border-facts.md: between
#: Bangkok and Hanoi most goods still go by sea). Appended after the flows above so that their
#: seeded draws (D001-D067) do not change. Same tuple layout as ``_DEMO_FLOWS``.
_DEMO_WIDE_FLOWS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], int, str, float], ...] = (
    (
        "replenishment TH->VN (wide window)",
        ("Laem Chabang", "Bangkok Lat Krabang"),
        ("Hai Phong", "Thang Long Hanoi"),
        6,
        "teu",
        66.0,
    ),
    (
        "replenishment MY->TH/SG (wide window)",
        ("Penang Bayan Lepas", "Port Klang"),
        ("Bangkok Lat Krabang", "Jurong"),
        6,
        "teu",
        46.0,
    ),
)
#: Latest delivery of the wide-window flows, hours after the ready time (6 to 10 days).
#: Source: assumption: a replenishment order for stock, not a line-side JIT call-off.
WIDE_WINDOW_H = (144.0, 240.0)


def _demo_row(
    n: int,
    origin: str,
    destination: str,
    ready: datetime,
    earliest: datetime,
    latest: datetime,
    weight_t: float,
    pallets: float,
    teu: float,
    value_usd: float,
    lateness_usd_per_h: float,
    flow: str,
) -> dict[str, Any]:
    """One row of the synthetic demo shipments table."""
    return {
        "shipment_id": f"D{n:03d}",
        "origin_name": origin,
        "origin_lat": DEMO_PLACES[origin][0],
        "origin_lon": DEMO_PLACES[origin][1],
        "destination_name": destination,
        "destination_lat": DEMO_PLACES[destination][0],
        "destination_lon": DEMO_PLACES[destination][1],
        "ready_time": ready.strftime("%Y-%m-%d %H:%M"),
        "earliest_delivery": earliest.strftime("%Y-%m-%d %H:%M"),
        "latest_delivery": latest.strftime("%Y-%m-%d %H:%M"),
        "weight_t": weight_t,
        "pallets": pallets,
        "teu": teu,
        "value_usd": value_usd,
        "lateness_cost_usd_per_h": lateness_usd_per_h,
        "flow": flow,
        "synthetic": "yes",
    }


def _demo_frames(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    monday = datetime(2026, 3, 2, 6, 0)
    rows = []
    n = 0
    for flow, origins, destinations, count, unit, road_h in _DEMO_FLOWS:
        for k in range(count):
            n += 1
            o = origins[k % len(origins)]
            d = destinations[(k // len(origins)) % len(destinations)]
            ready = monday + timedelta(hours=float(rng.integers(0, 72)))
            # JIT windows: about half tight (road only), half loose enough for sea.
            loose = rng.random() < 0.4 and road_h > 30
            lead_h = road_h * (1.15 + 0.3 * rng.random()) + (130.0 if loose else 0.0)
            width_h = float(rng.choice([4, 6, 8, 12]))
            earliest = ready + timedelta(hours=round(lead_h))
            latest = earliest + timedelta(hours=width_h)
            if unit == "teu":
                teu, pallets = 1.0, 0.0
                weight = round(float(rng.uniform(8, 18)), 1)
            elif unit == "coils":  # heavy: the legal payload binds before the floor space
                teu, pallets = 0.0, 4.0
                weight = round(float(rng.uniform(33.2, 35.0)), 1)
            else:
                teu, pallets = 0.0, float(rng.integers(4, 17))
                weight = round(pallets * float(rng.uniform(0.35, 0.7)), 1)
            value = round(float(rng.uniform(20_000, 250_000)), -2)
            lateness = float(rng.choice([50, 100, 200]))
            rows.append(
                _demo_row(
                    n, o, d, ready, earliest, latest, weight, pallets, teu, value, lateness, flow
                )
            )
    for flow, origins, destinations, count, _unit, road_h in _DEMO_WIDE_FLOWS:
        for k in range(count):
            n += 1
            o = origins[k % len(origins)]
            d = destinations[(k // len(origins)) % len(destinations)]
            ready = monday + timedelta(hours=float(rng.integers(0, 72)))
            # from the fastest road arrival (plus a margin) to 6-10 days after the ready time
            earliest = ready + timedelta(hours=round(road_h * 1.15))
            latest = ready + timedelta(hours=round(float(rng.uniform(*WIDE_WINDOW_H))))
            weight = round(float(rng.uniform(8, 20)), 1)
            value = round(float(rng.uniform(20_000, 250_000)), -2)
            # one 40-foot box (2 TEU): a full truckload, nothing to consolidate
            rows.append(
                _demo_row(n, o, d, ready, earliest, latest, weight, 0.0, 2.0, value, 50.0, flow)
            )
    shipments = pd.DataFrame(rows)
    # (type, depot, count, weight_t, pallets, teu, usd/km, usd/h, fixed, crew, country, permit)
    st, bkk, sav, han, pen = (
        "semi-trailer",
        "Bangkok Lat Krabang",
        "Savannakhet",
        "Thang Long Hanoi",
        "Penang Bayan Lepas",
    )
    fleet_rows = [
        (st, bkk, 6, 36, 33, 2, 0.95, 6, 120, "single", "TH", "no"),
        (f"{st} CBTA", bkk, 4, 36, 33, 2, 1.00, 8, 150, "double", "TH", "yes"),
        (st, "Laem Chabang", 3, 36, 33, 2, 0.95, 6, 120, "single", "TH", "no"),
        ("rigid 10-wheel", "Amata City Chonburi", 3, 15, 16, 0, 0.75, 6, 90, "single", "TH", "no"),
        (st, sav, 3, 36, 33, 2, 1.05, 5, 110, "single", "LA", "no"),
        (f"{st} CBTA", sav, 3, 36, 33, 2, 1.10, 7, 140, "double", "LA", "yes"),
        (st, "Vientiane", 2, 36, 33, 2, 1.05, 5, 110, "single", "LA", "no"),
        (st, han, 5, 36, 33, 2, 0.90, 5, 110, "single", "VN", "no"),
        (f"{st} CBTA", han, 3, 36, 33, 2, 0.95, 7, 140, "double", "VN", "yes"),
        (st, "Hai Phong", 3, 36, 33, 2, 0.90, 5, 110, "single", "VN", "no"),
        (st, pen, 5, 36, 33, 2, 0.90, 7, 120, "single", "MY", "no"),
        (f"{st} ACTS", pen, 3, 36, 33, 2, 0.95, 9, 150, "double", "MY", "yes"),
        (st, "Shah Alam (Klang Valley)", 3, 36, 33, 2, 0.90, 7, 120, "single", "MY", "no"),
        (st, "Johor Pasir Gudang", 3, 36, 33, 2, 0.90, 7, 120, "single", "MY", "no"),
        (st, "Jurong", 2, 36, 33, 2, 1.20, 12, 180, "single", "SG", "no"),
    ]
    fleet = pd.DataFrame(
        [
            {
                "vehicle_type": t,
                "depot_name": depot,
                "depot_lat": DEMO_PLACES[depot][0],
                "depot_lon": DEMO_PLACES[depot][1],
                "count": c,
                "capacity_weight_t": w,
                "capacity_pallets": p,
                "capacity_teu": teu,
                "cost_per_km_usd": km,
                "cost_per_h_usd": h,
                "fixed_cost_usd": fixed,
                "crew": crew,
                "country": country,
                "cross_border_permit": permit,
                "synthetic": "yes",
            }
            for t, depot, c, w, p, teu, km, h, fixed, crew, country, permit in fleet_rows
        ]
    )
    return shipments, fleet


def _write_csv_atomic(frame: pd.DataFrame, path: Path, *, header_comment: str) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"# {header_comment}\n")
        csv_safe(frame).to_csv(fh, index=False, lineterminator="\n")


def write_demo(out_dir: str | os.PathLike[str], *, seed: int = 20260302) -> tuple[Path, Path]:
    """Regenerate the SYNTHETIC demo shipments and fleet CSVs (seeded, deterministic).

    Returns
    -------
    (Path, Path)
        The shipments and fleet files written.
    """
    shipments, fleet = _demo_frames(seed)
    out = Path(out_dir)
    s_path, f_path = out / DEMO_SHIPMENTS_FILE, out / DEMO_FLEET_FILE
    _write_csv_atomic(shipments, s_path, header_comment=f"{DEMO_NOTE}; seed {seed}")
    _write_csv_atomic(
        fleet,
        f_path,
        header_comment=f"{DEMO_NOTE}; costs and capacities: assumption (see docs/fleet.md)",
    )
    return s_path, f_path


# --------------------------------------------------------------------------- scaled demo

#: Largest number of copies :func:`scaled_demo` makes (50 x 79 = 3,950 shipments).
MAX_DEMO_SCALE = 50
#: Largest shift between consecutive copies of :func:`scaled_demo`, days.
MAX_SHIFT_DAYS = 365.0
#: File names :func:`write_scaled_demo` writes in its folder.
SCALED_SHIPMENTS_FILE = "shipments.csv"
SCALED_FLEET_FILE = "fleet.csv"
_TIME_TEXT_COLUMNS = ("ready_time", "earliest_delivery", "latest_delivery")


def _check_scale(k: int, shift_days: float) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_DEMO_SCALE:
        raise ValueError(
            f"scale {k!r} is out of range; allowed: a whole number 1-{MAX_DEMO_SCALE} "
            "(copies of the demo flows)"
        )
    if (
        isinstance(shift_days, bool)
        or not isinstance(shift_days, (int, float, np.integer, np.floating))
        or not 0 <= shift_days <= MAX_SHIFT_DAYS
    ):
        raise ValueError(
            f"shift_days {shift_days!r} is out of range; allowed: a number of days "
            f"0-{MAX_SHIFT_DAYS:g}"
        )


def _shifted(text: str, days: float) -> str:
    """An ISO 8601 cell moved by ``days``, written back in the same form (naive or with offset)."""
    stamp = datetime.fromisoformat(text.strip()) + timedelta(days=days)
    if stamp.tzinfo is None:
        return stamp.strftime("%Y-%m-%d %H:%M")
    return stamp.isoformat(timespec="minutes")


def scaled_demo_frames(k: int, *, shift_days: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped demo tables scaled ``k`` times (text cells, as :func:`write_scaled_demo` writes).

    Copy ``c`` (0 to ``k - 1``) of every demo shipment has its id suffixed ``-cNN`` (``D001-c02``)
    and its ready time and delivery window moved by ``c * shift_days`` days; every fleet row's
    ``count`` is multiplied by ``k``. Both tables keep ``synthetic = yes``.

    Raises
    ------
    ValueError
        ``k`` not a whole number 1 to :data:`MAX_DEMO_SCALE`, or ``shift_days`` outside 0 to
        :data:`MAX_SHIFT_DAYS`.
    """
    _check_scale(k, shift_days)
    with resources.as_file(_data_file(DEMO_SHIPMENTS_FILE)) as path:
        base = _read_table(path, kind="shipments")
    with resources.as_file(_data_file(DEMO_FLEET_FILE)) as path:
        fleet = _read_table(path, kind="fleet")
    copies = []
    for c in range(k):
        copy = base.copy()
        copy["shipment_id"] = copy["shipment_id"].str.strip() + f"-c{c:02d}"
        for column in _TIME_TEXT_COLUMNS:
            copy[column] = [_shifted(t, c * float(shift_days)) for t in copy[column]]
        copies.append(copy)
    shipments = pd.concat(copies, ignore_index=True)
    shipments["synthetic"] = "yes"
    if (total := sum(int(n) for n in fleet["count"]) * k) > MAX_VEHICLES:
        raise ValueError(
            f"scale {k!r}: the fleet would have {total} vehicles; allowed: at most {MAX_VEHICLES} "
            f"(scale {MAX_VEHICLES // (total // k)} or less)"
        )
    fleet["count"] = [str(int(n) * k) for n in fleet["count"]]
    fleet["synthetic"] = "yes"
    return shipments, fleet


def scaled_demo(
    k: int, *, shift_days: float = 1.0, resolver: PlaceResolver | None = None
) -> tuple[list[Shipment], list[VehicleType]]:
    """SYNTHETIC demand at ``k`` times the demo's volume: see :func:`scaled_demo_frames`.

    Returns
    -------
    (list of Shipment, list of VehicleType)
        ``79 * k`` shipments on shifted days and the demo fleet with every count ``x k``.
    """
    shipments, fleet = scaled_demo_frames(k, shift_days=shift_days)
    source = f"demo x{k} (SYNTHETIC)"
    return (
        list(shipments_from_frame(shipments, resolver=resolver, source=source)),
        list(fleet_from_frame(fleet, resolver=resolver, source=source)),
    )


def write_scaled_demo(
    out_dir: str | os.PathLike[str], k: int, *, shift_days: float = 1.0
) -> tuple[Path, Path]:
    """Write ``shipments.csv`` and ``fleet.csv`` of :func:`scaled_demo_frames` to ``out_dir``.

    Each file is written atomically and starts with a ``# SYNTHETIC ...`` comment line; the
    ``corridor optimize --shipments ... --fleet ...`` readers accept them as they are.

    Returns
    -------
    (Path, Path)
        The shipments and fleet files written.
    """
    shipments, fleet = scaled_demo_frames(k, shift_days=shift_days)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out {str(out)!r} is a file; allowed: a folder (created if missing)")
    s_path, f_path = out / SCALED_SHIPMENTS_FILE, out / SCALED_FLEET_FILE
    how = (
        f"SYNTHETIC: {k} copies of the shipped demo shipments, copy c (ids suffixed -cNN) moved "
        f"by c x {float(shift_days):g} day(s) (`corridor demo --scale {k}`); not real shipments"
    )
    _write_csv_atomic(shipments, s_path, header_comment=how)
    _write_csv_atomic(
        fleet,
        f_path,
        header_comment=f"SYNTHETIC: the shipped demo fleet with every count x {k} "
        "(`corridor demo`); costs and capacities: assumption (see docs/fleet.md)",
    )
    return s_path, f_path


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m logistics.shipments")
    parser.add_argument("--write-demo", action="store_true", help="regenerate the demo CSVs")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data"))
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args(argv)
    if not args.write_demo:
        parser.print_help()
        return 0
    paths = write_demo(args.out, seed=args.seed)
    print("wrote", *paths)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
