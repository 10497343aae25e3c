"""Fleet page helpers: demo and uploaded inputs, the solver run with a progress bar, outputs."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from app import _state

FORMAT_HELP = """
**Shipments**, one row per shipment: `shipment_id`, `origin`, `destination` (gazetteer names or
`LAT,LON`; or `origin_lat`/`origin_lon` and `destination_lat`/`destination_lon` columns),
`ready_time`, `earliest_delivery`, `latest_delivery` (ISO 8601; without an offset, the local time
of the place), `weight_t`, and optionally `volume_m3`, `pallets` or `teu`, `value_usd`,
`lateness_cost_usd_per_h`.

**Fleet**, one row per vehicle type and depot: `vehicle_type`, `depot` (or `depot_lat`/
`depot_lon`), `count`, `capacity_weight_t` (and optionally `capacity_volume_m3`,
`capacity_pallets`, `capacity_teu`), `cost_per_km_usd`, `cost_per_h_usd`, `fixed_cost_usd`,
`crew` (`single`/`double`), `country` (ISO alpha-2), `cross_border_permit` (yes/no).

Files up to 10 MB and 5,000 rows.
"""


@st.cache_resource(show_spinner="Loading the demo set…")
def demo() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The shipped synthetic demo shipments and fleet (immutable, shared)."""
    demo_shipments = _state.resolve("logistics.demo_shipments")
    demo_fleet = _state.resolve("logistics.demo_fleet")
    assert demo_shipments is not None and demo_fleet is not None
    return tuple(demo_shipments()), tuple(demo_fleet())


def from_uploads(shipments_file: Any, fleet_file: Any) -> tuple[Any, Any] | None:
    """Validate uploaded files with the project's readers; show problems with ``st.error``.

    The parsed objects are kept in this session only (keyed by the files' upload ids), so the
    same upload is not parsed again on every rerun.
    """
    key = (getattr(shipments_file, "file_id", None), getattr(fleet_file, "file_id", None))
    cached = st.session_state.get("fleet_uploads")
    if cached is not None and cached[0] == key:
        return cached[1]
    read_shipments = _state.resolve("logistics.read_shipments")
    read_fleet = _state.resolve("logistics.read_fleet")
    assert read_shipments is not None and read_fleet is not None
    fleet = _state.guarded(
        lambda: read_fleet(_state.read_upload(fleet_file, label="fleet")), what="Fleet file"
    )
    if fleet is None:
        return None
    shipments = _state.guarded(
        lambda: read_shipments(_state.read_upload(shipments_file, label="shipments"), fleet=fleet),
        what="Shipments file",
    )
    if shipments is None:
        return None
    result = (tuple(shipments), tuple(fleet))
    st.session_state["fleet_uploads"] = (key, result)
    return result


def _cell(value: Any) -> Any:
    name = getattr(value, "name", None)
    if dataclasses.is_dataclass(value) and isinstance(name, str):
        return name
    return value


def records_frame(records: Any) -> pd.DataFrame:
    """A table of dataclass records (shipments, vehicle types); places shown by name."""
    rows = [{f.name: _cell(getattr(r, f.name)) for f in dataclasses.fields(r)} for r in records]
    return pd.DataFrame(rows)


def compare_page(names: tuple[str, ...]) -> None:
    """Scenario comparison on a shipment set (filled in when fleet routing lands)."""
    st.info("Comparison on a shipment set: not available yet.")
