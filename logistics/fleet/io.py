"""Plan and comparison files: CSV, JSON and GeoJSON.

A plan or a comparison is written into a fresh temporary folder beside ``--out`` that then
replaces it in one step (:func:`networks.io.atomic_folder`): a reader sees one run, never two
mixed, and a rerun with fewer scenarios leaves no old scenario folder. ``--out`` is checked first
(:func:`check_plan_out`, :func:`check_comparison_out`): a link, FIFO, device, file, or a folder
holding anything but a previous output is refused. Each file is also atomic on its own; CSV text
cells are neutralised (:func:`networks.io.csv_safe`); every JSON file carries ``schema_version``
(:mod:`logistics.schema`).

Plan files repeat byte for byte for the same inputs, settings and seed, except the timing
fields (names ending in ``_s``) of ``kpis.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from logistics.fleet.chart import comparison_chart
from logistics.fleet.plan import FleetPlan
from logistics.fleet.terms import RoutingError
from logistics.scenarios import SCENARIO_NAME
from logistics.schema import SCHEMA_VERSION
from networks.io import atomic_folder, atomic_path, check_output, write_csv_atomic

#: The files of one plan folder (``corridor optimize --out``, one scenario of a comparison).
PLAN_FILES = (
    "routes.csv",
    "legs.csv",
    "routes.geojson",
    "shipments.csv",
    "vehicles.csv",
    "kpis.json",
)
#: The files at the top of a comparison folder (beside one plan folder per scenario).
COMPARISON_FILES = ("comparison.csv", "comparison.png", "kpis.json")

#: A scenario name that may name a folder under the output folder.
#: A scenario name that names a folder under ``--out`` (the scenarios' own rule).
SAFE_NAME = SCENARIO_NAME


def check_folder_name(name: str) -> None:
    """Raise :class:`RoutingError` unless the scenario ``name`` is a plain folder name (one that
    cannot write outside the output folder)."""
    if not SAFE_NAME.fullmatch(name):
        raise RoutingError(
            f"scenario name: bad value {name!r}; allowed: letters, digits, '.', '_', '-' "
            "(it names a folder under --out), not starting with '.'"
        )


def _is_plan_folder(path: Path) -> bool:
    return all(p.is_file() and not p.is_symlink() and p.name in PLAN_FILES for p in path.iterdir())


def _is_comparison_folder(path: Path) -> bool:
    for p in path.iterdir():
        if p.is_symlink():
            return False
        if p.is_file() and p.name in COMPARISON_FILES:
            continue
        if p.is_dir() and SAFE_NAME.fullmatch(p.name) and _is_plan_folder(p):
            continue
        return False
    return True


def check_plan_out(out: str | os.PathLike[str]) -> Path:
    """Refuse an ``--out`` a plan cannot replace (see :func:`networks.io.check_output`)."""
    return check_output(out, folder=True, owned=_is_plan_folder)


def check_comparison_out(out: str | os.PathLike[str]) -> Path:
    """Refuse an ``--out`` a comparison cannot replace (see :func:`networks.io.check_output`)."""
    return check_output(out, folder=True, owned=_is_comparison_folder)


def _atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, datetime):
        return o.isoformat()
    return str(o)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def json_text(data: Any, **dumps: Any) -> str:
    """Strict JSON of ``data`` (NaN and infinities as ``null``, numpy scalars as numbers)."""
    return json.dumps(_clean(data), default=_json_default, allow_nan=False, **dumps)


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically (strict: NaN and infinities as ``null``)."""
    text = json_text(data, indent=2)

    def write(p: Path) -> None:
        p.write_text(text + "\n", encoding="utf-8")

    return _atomic_write(Path(path), write)


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a CSV atomically, text cells neutralised (:func:`networks.io.write_csv_atomic`)."""
    return write_csv_atomic(path, frame)


def plan_geojson(plan: FleetPlan) -> dict[str, Any]:
    """Vehicle routes (LineStrings along the network) and stops (Points) as GeoJSON."""
    features: list[dict[str, Any]] = []
    veh = {str(r["vehicle"]): r for r in plan.vehicles.to_dict("records")}
    for vid, coords in plan.geometry.items():
        props: dict[str, Any] = {"vehicle": vid, "scenario": plan.scenario}
        if vid in veh:
            r = veh[vid]
            props.update(
                km=round(float(r["km"]), 1),
                cost_usd=round(float(r["cost_usd"]), 2),
                vehicle_type=str(r["vehicle_type"]),
            )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                "properties": props,
            }
        )
    for st in plan.stops.to_dict("records"):
        if st["kind"] == "depot":
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(st["lon"]), float(st["lat"])]},
                "properties": {
                    "vehicle": st["vehicle"],
                    "seq": int(st["seq"]),
                    "kind": st["kind"],
                    "shipment_id": st["shipment_id"],
                    "leg": int(st["leg"]),
                    "place": st["place"],
                    "arrival_utc": st["arrival_utc"],
                },
            }
        )
    return {"type": "FeatureCollection", "schema_version": SCHEMA_VERSION, "features": features}


def plan_kpis(plan: FleetPlan) -> dict[str, Any]:
    """What ``kpis.json`` of a plan holds (the ``plan-kpis`` schema): ``schema_version``, the
    KPIs, ``solver`` and ``soft_windows``."""
    return {
        "schema_version": SCHEMA_VERSION,
        **plan.kpis,
        "solver": plan.solver,
        "soft_windows": plan.soft_windows,
    }


def _plan_files(plan: FleetPlan, out: Path) -> list[Path]:
    gj = json_text(plan_geojson(plan))
    kpis = plan_kpis(plan)
    legs = plan.legs.copy()
    legs["nodes"] = [";".join(str(n) for n in path) for path in legs["nodes"]]
    return [
        write_csv(out / "routes.csv", plan.stops),
        write_csv(out / "legs.csv", legs),
        _atomic_write(out / "routes.geojson", lambda p: p.write_text(gj, encoding="utf-8")),
        write_csv(out / "shipments.csv", plan.shipments),
        write_csv(out / "vehicles.csv", plan.vehicles),
        write_json(out / "kpis.json", kpis),
    ]


def _moved(paths: list[Path], tmp: Path, out: Path) -> list[Path]:
    return [out / p.relative_to(tmp) for p in paths]


def write_plan(plan: FleetPlan, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``routes.csv``, ``legs.csv`` (the exact node path of every served leg),
    ``routes.geojson``, ``shipments.csv``, ``vehicles.csv`` and ``kpis.json`` (:data:`PLAN_FILES`)
    to ``out_dir``, which they replace whole in one step.

    Raises
    ------
    networks.io.OutputError
        ``out_dir`` is refused by :func:`check_plan_out`.
    """
    out = check_plan_out(out_dir)
    with atomic_folder(out, owned=_is_plan_folder) as tmp:
        written = _plan_files(plan, tmp)
    return _moved(written, tmp, out)


def write_comparison(
    table: pd.DataFrame, plans: Mapping[str, FleetPlan], out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.png``, ``kpis.json`` and one folder per plan to
    ``out_dir``, which they replace whole in one step (no folder of an earlier run remains).

    Raises
    ------
    RoutingError
        A scenario name that is not a plain folder name (it could write outside ``out_dir``).
    networks.io.OutputError
        ``out_dir`` is refused by :func:`check_comparison_out`.
    """
    out = check_comparison_out(out_dir)
    for name in plans:
        check_folder_name(name)
    with atomic_folder(out, owned=_is_comparison_folder) as tmp:
        written = [
            write_csv(tmp / "comparison.csv", table),
            comparison_chart(table, tmp / "comparison.png"),
            write_json(
                tmp / "kpis.json",
                {
                    "schema_version": SCHEMA_VERSION,
                    "scenarios": {n: p.kpis for n, p in plans.items()},
                },
            ),
        ]
        for name, plan in plans.items():
            written += _plan_files(plan, tmp / name)
    return _moved(written, tmp, out)
