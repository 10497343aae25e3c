"""Plan and comparison files: CSV, JSON and GeoJSON, each written atomically.

Plan files repeat byte for byte for the same inputs, settings and seed, except the timing
fields (names ending in ``_s``) of ``kpis.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from logistics.fleet.chart import comparison_chart
from logistics.fleet.plan import FleetPlan
from logistics.fleet.terms import RoutingError
from networks.io import atomic_path

#: A scenario name that may name a folder under the output folder.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_folder_name(name: str) -> None:
    """Raise :class:`RoutingError` unless the scenario ``name`` is a plain folder name (one that
    cannot write outside the output folder)."""
    if not SAFE_NAME.fullmatch(name):
        raise RoutingError(
            f"scenario name: bad value {name!r}; allowed: letters, digits, '.', '_', '-' "
            "(it names a folder under --out), not starting with '.'"
        )


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


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically."""
    text = json.dumps(_clean(data), indent=2, default=_json_default)

    def write(p: Path) -> None:
        p.write_text(text + "\n", encoding="utf-8")

    return _atomic_write(Path(path), write)


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a CSV atomically."""
    return _atomic_write(Path(path), lambda p: frame.to_csv(p, index=False))


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
    return {"type": "FeatureCollection", "features": features}


def write_plan(plan: FleetPlan, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``routes.csv``, ``legs.csv`` (the exact node path of every served leg),
    ``routes.geojson``, ``shipments.csv``, ``vehicles.csv`` and ``kpis.json``.

    Every file is written atomically (temporary file + ``os.replace``).
    """
    out = Path(out_dir)
    gj = json.dumps(plan_geojson(plan), default=_json_default)
    kpis = dict(plan.kpis)
    kpis["solver"] = plan.solver
    kpis["soft_windows"] = plan.soft_windows
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


def write_comparison(
    table: pd.DataFrame, plans: Mapping[str, FleetPlan], out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.png``, ``kpis.json`` and one folder per plan.

    Raises
    ------
    RoutingError
        A scenario name that is not a plain folder name (it could write outside ``out_dir``).
    """
    out = Path(out_dir)
    for name in plans:
        check_folder_name(name)
    written = [
        write_csv(out / "comparison.csv", table),
        comparison_chart(table, out / "comparison.png"),
    ]
    written.append(
        write_json(out / "kpis.json", {"scenarios": {n: p.kpis for n, p in plans.items()}})
    )
    for name, plan in plans.items():
        written += write_plan(plan, out / name)
    return written
