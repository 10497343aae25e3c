"""Sweep specifications: a TOML file validated into a frozen :class:`SweepSpec`.

Every check raises :class:`SweepSpecError` with one line naming the field, the value and what is
allowed. The parameter paths are described in ``docs/sweep.md``; :func:`check_path` is the one
place that knows them and :mod:`logistics.sweep.variant` applies them.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from logistics import limits
from logistics.parameters import (
    GENERAL_NAMES,
    OpeningHours,
    ParameterError,
    ParameterSet,
    load_parameters,
)
from logistics.scenarios import _COUNTRY_KEYS as COUNTRY_KEYS
from logistics.scenarios import _CROSSING_KEYS as CROSSING_KEYS
from logistics.scenarios import _PORT_KEYS as PORT_KEYS
from logistics.scenarios import AXLE_REGIMES, WILDCARD, ScenarioError, load_scenario

__all__ = [
    "CRITERIA",
    "DESIGNS",
    "KINDS",
    "BreakEven",
    "OdPair",
    "Parameter",
    "SweepSpec",
    "SweepSpecError",
    "check_path",
    "load_spec",
    "parse_spec",
]

DESIGNS = ("grid", "lhs", "sobol", "morris")
KINDS = ("od", "fleet")
CRITERIA = ("road-wins", "on-time", "road-cheaper")
SEEDINGS = ("per-point", "common")
#: Scenario-level settings a parameter may set, with the kind of value each takes.
SCENARIO_NUMBERS = (
    "single_window_cut",
    "clearance_factor",
    "port_dwell_factor",
    "harmonized_gvw_t",
)
SCENARIO_TEXTS = ("opening_hours", "axle_loads")
SCENARIO_BOOLS = ("through_trucking", "single_stop")
#: Derived per-item keys: daily open hours (a window centred on 14:00 local) and scales of the
#: shipped table's delays (both directions of a crossing).
CROSSING_DERIVED = ("open_h", "clearance_scale", "transload_scale")
PORT_DERIVED = ("gate_open_h",)
_TOP_KEYS = (
    "name",
    "kind",
    "description",
    "seed",
    "draws",
    "design",
    "samples",
    "levels",
    "base_scenario",
    "target_scenario",
    "depart",
    "window_h",
    "crew",
    "corridor",
    "modes",
    "chunk_points",
    "seeding",
    "od",
    "parameters",
    "breakeven",
    "shipments",
    "fleet",
    "budget",
    "percentile",
)
_MAX_POINTS = 2_000_000


class SweepSpecError(ValueError):
    """A sweep specification is invalid (names the field, the value and what is allowed)."""


def _bad(where: str, value: Any, allowed: str) -> SweepSpecError:
    return SweepSpecError(f"{where} = {value!r} is not allowed; allowed: {allowed}")


@dataclass(frozen=True)
class OdPair:
    """One origin-destination pair (``via``: crossing id or route label for the road route)."""

    origin: str
    destination: str
    via: str | None = None

    @property
    def label(self) -> str:
        """``"Bangkok->Hanoi via R12"``."""
        via = f" via {self.via}" if self.via else ""
        return f"{self.origin}->{self.destination}{via}"


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: a path and either a numeric ``range`` or a list of ``values``."""

    path: str
    range: tuple[float, float] | None = None
    values: tuple[Any, ...] | None = None

    @property
    def numeric(self) -> bool:
        """Whether the parameter takes a continuous range."""
        return self.range is not None


@dataclass(frozen=True)
class BreakEven:
    """Break-even request: where along ``parameter`` the ``criterion`` first holds."""

    parameter: str
    criterion: str = "road-wins"
    target: float = 0.9
    mode: str = "road"
    od: int = 0


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep (see ``docs/sweep.md`` for every field)."""

    name: str
    seed: int
    parameters: tuple[Parameter, ...]
    kind: str = "od"
    description: str = ""
    design: str = "grid"
    samples: int = 0
    levels: int = 5
    draws: int = 2000
    base_scenario: str = "status-quo"
    target_scenario: str = ""
    depart: str = "2026-03-02 08:00"
    window_h: float | None = None
    crew: str = "single"
    corridor: str = "all"
    modes: tuple[str, ...] = ("road", "sea")
    chunk_points: int = 25
    seeding: str = "per-point"
    od: tuple[OdPair, ...] = ()
    breakeven: BreakEven | None = None
    shipments: str = ""
    fleet: str = ""
    budget: int = 20
    percentile: int = 50
    source: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (without ``source``)."""
        out = asdict(self)
        out.pop("source")
        return out

    def sha256(self) -> str:
        """Hash of the validated spec: results in a folder belong to exactly one spec."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- paths


def check_path(path: Any, params: ParameterSet, *, where: str) -> str:
    """Check a parameter path; return the kind of value it takes (number, text or bool).

    Raises
    ------
    SweepSpecError
        Unknown section, item or key (the message lists what is allowed).
    """
    if not isinstance(path, str) or not path:
        raise _bad(where, path, "a parameter path like 'crossings.<id>.transload_median_h'")
    parts = path.split(".")
    head = parts[0]
    if len(parts) == 1:
        if path in ("depart_h", "intensity"):
            return "number"
        for kind, names in (
            ("number", SCENARIO_NUMBERS),
            ("text", SCENARIO_TEXTS),
            ("bool", SCENARIO_BOOLS),
        ):
            if path in names:
                return kind
        allowed = ("depart_h", "intensity", *SCENARIO_NUMBERS, *SCENARIO_TEXTS, *SCENARIO_BOOLS)
        raise _bad(
            where,
            path,
            ", ".join(allowed) + ", or general.*, crossings.*, ports.*, countries.*, lanes.*",
        )
    if head == "general":
        if len(parts) != 2 or parts[1] not in GENERAL_NAMES:
            raise _bad(where, path, "general.<name> with name one of " + ", ".join(GENERAL_NAMES))
        return "number"
    if head == "lanes":
        ports = sorted(params.ports)
        if len(parts) != 4 or parts[3] != "sailings_per_week":
            raise _bad(where, path, "lanes.<from port>.<to port>.sailings_per_week")
        for port in parts[1:3]:
            if port not in ports:
                raise _bad(where, path, "known ports " + ", ".join(ports))
        return "number"
    sections = {
        "crossings": (
            sorted({k[0] for k in params.borders}),
            CROSSING_KEYS + CROSSING_DERIVED,
        ),
        "ports": (sorted(params.ports), PORT_KEYS + PORT_DERIVED),
        "countries": (sorted(params.countries), COUNTRY_KEYS),
    }
    if head not in sections or len(parts) != 3:
        raise _bad(
            where,
            path,
            "<setting>, general.<name>, crossings.<id>.<key>, ports.<id>.<key>, "
            "countries.<code>.<key> or lanes.<from>.<to>.sailings_per_week",
        )
    known, keys = sections[head]
    if parts[1] != WILDCARD and parts[1] not in known:
        raise _bad(where, path, f"{head} {', '.join(known)} or '*'")
    key = parts[2]
    if key not in keys:
        raise _bad(where, path, f"{head}.{parts[1]}.<key> with key one of " + ", ".join(keys))
    if key.endswith(("_hours",)):
        return "text"
    if key in ("through_trucking", "single_stop"):
        return "bool"
    return "number"


# --------------------------------------------------------------------------- parsing


def _int(data: dict[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(key, value, f"a whole number from {lo:,} to {hi:,}")
    return value


def _text(data: dict[str, Any], key: str, default: str, choices: tuple[str, ...] = ()) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (choices and value not in choices):
        raise _bad(key, value, ", ".join(choices) if choices else "text")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad(where, value, "a finite number")
    return float(value)


def _parameter(i: int, raw: Any, params: ParameterSet, design: str) -> Parameter:
    where = f"parameters[{i}]"
    if not isinstance(raw, dict):
        raise _bad(where, raw, "a table with path and range = [low, high] or values = [...]")
    extra = sorted(set(raw) - {"path", "range", "values"})
    if extra:
        raise _bad(f"{where}.{extra[0]}", raw[extra[0]], "path, range, values")
    kind = check_path(raw.get("path"), params, where=f"{where}.path")
    path = str(raw["path"])
    if ("range" in raw) == ("values" in raw):
        raise _bad(where, path, "exactly one of range = [low, high] or values = [...]")
    if "range" in raw:
        rng = raw["range"]
        if kind != "number":
            raise _bad(f"{where}.range", rng, f"values = [...] ({path} takes {kind} values)")
        if not isinstance(rng, list) or len(rng) != 2:
            raise _bad(f"{where}.range", rng, "[low, high], two numbers")
        lo, hi = (_number(v, f"{where}.range") for v in rng)
        if lo == hi or (lo > hi and design != "grid"):
            raise _bad(f"{where}.range", rng, "low < high (a grid may also run from high to low)")
        if path == "intensity" and not (0 <= lo <= 1 and 0 <= hi <= 1):
            raise _bad(f"{where}.range", rng, "shares of the target scenario from 0 to 1")
        return Parameter(path, range=(lo, hi))
    values = raw["values"]
    if not isinstance(values, list) or not values or len(values) > 1000:
        raise _bad(f"{where}.values", values, "a list of 1 to 1,000 values")
    expected = {"number": (int, float), "text": (str,), "bool": (bool,)}[kind]
    for v in values:
        wrong_bool = kind == "number" and isinstance(v, bool)
        if wrong_bool or not isinstance(v, expected):
            raise _bad(f"{where}.values", values, f"{kind} values for {path}")
        if kind == "number":
            _number(v, f"{where}.values")
        if path.endswith("axle_loads") and v not in AXLE_REGIMES:
            raise _bad(f"{where}.values", values, ", ".join(AXLE_REGIMES))
        if path.endswith("_hours"):
            try:
                OpeningHours.parse(str(v), what=f"{where}.values")
            except ParameterError:
                raise _bad(
                    f"{where}.values", v, "opening hours like '06:00-22:00', '24h' or 'closed'"
                ) from None
    if len(set(map(repr, values))) != len(values):
        raise _bad(f"{where}.values", values, "each value once")
    return Parameter(path, values=tuple(values))


def _od_pairs(raw: Any) -> tuple[OdPair, ...]:
    if not isinstance(raw, list) or not raw:
        raise _bad("od", raw, "a list of [[od]] tables with from, to and optional via")
    out = []
    for i, item in enumerate(raw):
        where = f"od[{i}]"
        if not isinstance(item, dict):
            raise _bad(where, item, "a table with from, to and optional via")
        extra = sorted(set(item) - {"from", "to", "via"})
        if extra:
            raise _bad(f"{where}.{extra[0]}", item[extra[0]], "from, to, via")
        for key in ("from", "to"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise _bad(f"{where}.{key}", item.get(key), "a place name")
        via = item.get("via")
        if via is not None and (not isinstance(via, str) or not via.strip()):
            raise _bad(f"{where}.via", via, "a crossing id or route label (R9, R12, R8)")
        out.append(OdPair(item["from"], item["to"], via))
    return tuple(out)


def _breakeven(raw: Any, parameters: tuple[Parameter, ...], n_od: int, design: str) -> BreakEven:
    if not isinstance(raw, dict):
        raise _bad("breakeven", raw, "a table with parameter, criterion, target, mode, od")
    extra = sorted(set(raw) - {"parameter", "criterion", "target", "mode", "od"})
    if extra:
        raise _bad(f"breakeven.{extra[0]}", raw[extra[0]], "parameter, criterion, target, mode, od")
    numeric = [p.path for p in parameters if p.numeric]
    name = raw.get("parameter")
    if design != "grid" or len(parameters) != 1 or name not in numeric:
        raise _bad(
            "breakeven.parameter",
            name,
            "the one parameter of a grid design, given with a range (other settings fixed)",
        )
    criterion = _text(raw, "criterion", "road-wins", CRITERIA)
    target = raw.get("target", 0.9)
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
        raise _bad("breakeven.target", target, "an on-time probability in (0, 1]")
    mode = _text(raw, "mode", "road", ("road", "sea"))
    od = raw.get("od", 0)
    if isinstance(od, bool) or not isinstance(od, int) or not 0 <= od < n_od:
        raise _bad("breakeven.od", od, f"an index of [[od]] from 0 to {n_od - 1}")
    return BreakEven(str(name), criterion, float(target), mode, od)


def parse_spec(data: dict[str, Any], *, name: str = "sweep", source: str = "") -> SweepSpec:
    """Validate a parsed TOML table into a :class:`SweepSpec`.

    Raises
    ------
    SweepSpecError
        The first problem found, naming the field, its value and what is allowed.
    """
    if not isinstance(data, dict):
        raise _bad("spec", data, "a TOML table")
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise _bad(unknown[0], data[unknown[0]], "one of " + ", ".join(_TOP_KEYS))
    kind = _text(data, "kind", "od", KINDS)
    if "seed" not in data:
        raise SweepSpecError("seed is missing; allowed: a whole number >= 0 (every run is seeded)")
    seed = _int(data, "seed", 0, 0, limits.MAX_SEED)
    design = _text(data, "design", "grid", DESIGNS)
    if design != "grid" and "samples" not in data:
        raise SweepSpecError(
            f"samples is missing; allowed: a whole number >= 1 for design {design!r}"
        )
    samples = _int(data, "samples", 0, 0 if design == "grid" else 1, 1_000_000)
    spec_name = _text(data, "name", name)
    if not spec_name.strip():
        raise _bad("name", spec_name, "non-empty text")
    params = load_parameters()
    raw_params = data.get("parameters")
    if not isinstance(raw_params, list) or not raw_params:
        raise _bad("parameters", raw_params, "a list of [[parameters]] tables (at least one)")
    parameters = tuple(_parameter(i, p, params, design) for i, p in enumerate(raw_params))
    paths = [p.path for p in parameters]
    if len(set(paths)) != len(paths):
        dup = next(p for p in paths if paths.count(p) > 1)
        raise _bad("parameters.path", dup, "each path once")
    base = _text(data, "base_scenario", "status-quo")
    target = _text(data, "target_scenario", "")
    for key, name in (("base_scenario", base), ("target_scenario", target)):
        try:
            if name or key == "base_scenario":
                load_scenario(name)
        except (ScenarioError, FileNotFoundError) as exc:
            raise _bad(key, name, f"a scenario name or TOML path ({exc})") from None
    if ("intensity" in paths) != bool(target):
        raise _bad("target_scenario", target, "a scenario exactly when a parameter is 'intensity'")
    window = data.get("window_h")
    if window is not None:
        window = _number(window, "window_h")
        if not 0 < window <= limits.MAX_WINDOW_H:
            raise _bad("window_h", window, f"hours > 0 and <= {limits.MAX_WINDOW_H:g}")
    modes = data.get("modes", ["road", "sea"])
    if (
        not isinstance(modes, list)
        or not modes
        or any(m not in ("road", "sea") for m in modes)
        or len(set(modes)) != len(modes)
    ):
        raise _bad("modes", modes, "a list of road and/or sea, each once")
    common: dict[str, Any] = {
        "name": spec_name,
        "seed": seed,
        "parameters": parameters,
        "kind": kind,
        "description": _text(data, "description", ""),
        "design": design,
        "samples": samples,
        "levels": _int(data, "levels", 5, 2, 1000),
        "draws": _int(data, "draws", 2000, 1, limits.MAX_DRAWS),
        "base_scenario": base,
        "target_scenario": target,
        "depart": _text(data, "depart", "2026-03-02 08:00"),
        "window_h": window,
        "crew": _text(data, "crew", "single", ("single", "double")),
        "corridor": _text(
            data, "corridor", "all", ("all", "bangkok-hanoi", "singapore-malaysia-thailand")
        ),
        "modes": tuple(modes),
        "chunk_points": _int(data, "chunk_points", 25, 1, 100_000),
        "seeding": _text(data, "seeding", "per-point", SEEDINGS),
        "source": source,
    }
    if kind == "od":
        for key in ("shipments", "fleet", "budget", "percentile"):
            if key in data:
                raise _bad(key, data[key], "only with kind = 'fleet'")
        od = _od_pairs(data.get("od"))
        be = data.get("breakeven")
        breakeven = None if be is None else _breakeven(be, parameters, len(od), design)
        if breakeven is not None and breakeven.criterion != "road-cheaper" and window is None:
            raise _bad("window_h", None, f"a delivery window for criterion {breakeven.criterion!r}")
        spec = SweepSpec(**common, od=od, breakeven=breakeven)
    else:
        for key in ("od", "breakeven", "draws", "modes", "window_h"):
            if key in data:
                raise _bad(key, data[key], "only with kind = 'od'")
        for p in parameters:
            if p.path == "depart_h":
                raise _bad("parameters.path", p.path, "scenario and table paths in a fleet sweep")
        files: dict[str, Any] = {k: _text(data, k, "demo") for k in ("shipments", "fleet")}
        for key, value in files.items():
            base_dir = Path(source).parent if source else Path.cwd()
            if value != "demo" and not (base_dir / value).is_file():
                raise _bad(key, value, "'demo' or a CSV/Excel file (relative to the spec)")
            if value != "demo":
                files[key] = str((base_dir / value).resolve())
        spec = SweepSpec(
            **common,
            **files,
            budget=_int(data, "budget", 20, 1, 1_000_000),
            percentile=_int(data, "percentile", 50, 50, 90),
        )
        if spec.percentile not in (50, 90):
            raise _bad("percentile", spec.percentile, "50 or 90")
    from logistics.sweep.design import n_points

    total = n_points(spec)
    if total > _MAX_POINTS:
        raise _bad(
            "samples", spec.samples, f"a design of at most {_MAX_POINTS:,} points ({total:,})"
        )
    return spec


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep TOML file.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    SweepSpecError
        Malformed TOML or an invalid field.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"sweep spec {str(path)!r} not found")
    size = p.stat().st_size
    if size > limits.MAX_SCENARIO_BYTES:
        raise _bad("spec size", f"{size:,} bytes", f"at most {limits.MAX_SCENARIO_BYTES:,} bytes")
    from logistics.scenarios import ScenarioError, parse_toml

    try:  # the scenarios' TOML reader: size and nesting bounded (a deep nest is no RecursionError)
        data = parse_toml(p.read_text(encoding="utf-8"), label=str(p))
    except UnicodeDecodeError as exc:
        raise SweepSpecError(f"{p}: not valid TOML: {exc}") from None
    except ScenarioError as exc:
        raise SweepSpecError(str(exc)) from None
    return parse_spec(data, name=p.stem, source=str(p.resolve()))
