"""Cached calls into the public API of ``networks`` and ``logistics``.

* The graph is a shared read-only resource: ``st.cache_resource``.
* Results are returned as plain data (dicts, DataFrames, arrays) so ``st.cache_data`` can pickle
  them. Results on built-in inputs (place names, built-in scenarios) are cached globally with
  ``st.cache_data``; results that depend on a session's own scenario are cached with
  ``scope="session"``, keyed by the scenario's TOML text, so no other session can see them.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import streamlit as st

import logistics
import networks
from app import _state

#: Corridor loaded by the app (both corridors in one graph).
CORRIDOR = "all"
#: Seed of every Monte Carlo run in the app (results are reproducible).
SEED = 1


@st.cache_resource(show_spinner="Loading the corridor network…")
def network(corridor: str = CORRIDOR) -> nx.MultiDiGraph:
    """The multimodal graph of a corridor (shared, never mutated by the app)."""
    graph: nx.MultiDiGraph = networks.load_network(corridor)
    return graph


@st.cache_data(show_spinner=False)
def crossings() -> pd.DataFrame:
    """The shipped crossings table (one row per crossing)."""
    return pd.DataFrame(networks.crossings_table())


@st.cache_data(show_spinner=False)
def ports() -> pd.DataFrame:
    """The shipped ports table."""
    return pd.DataFrame(networks.ports_table())


@st.cache_data(show_spinner=False)
def places() -> pd.DataFrame:
    """The gazetteer: names a user can type (cities, industrial estates, ports, crossings)."""
    table = pd.DataFrame(networks.gazetteer())
    keep = [c for c in ("name", "kind", "country", "lat", "lon", "aliases") if c in table]
    return table[keep]


@st.cache_data(show_spinner="Finding the route…", max_entries=256)
def route(origin: str, destination: str, via: str | None, mode: str) -> Any:
    """``networks.shortest_route`` on the cached graph."""
    return networks.shortest_route(network(), origin, destination, via=via, mode=mode)


def _scenario_text(name: str) -> str:
    own = _state.custom_scenarios().get(name)
    return "" if own is None else str(own["toml"])


def _itinerary(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, crew: str
) -> dict[str, Any]:
    it = logistics.build_itinerary(
        route(*route_args), depart=depart, scenario=_state.scenario(scenario_name), crew=crew
    )
    # Plain data only: the Itinerary holds its Scenario, which does not pickle.
    summary = it.to_dict()
    summary.pop("legs", None)
    return {"summary": summary, "events": it.events.copy(), "crossings": it.crossings.copy()}


def _simulate(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, crew: str, draws: int, seed: int
) -> dict[str, Any]:
    mc = logistics.simulate(
        route(*route_args),
        depart=depart,
        scenario=_state.scenario(scenario_name),
        crew=crew,
        draws=draws,
        seed=seed,
    )
    # Plain data only (see _itinerary); on-time shares are read off the samples by the page.
    return {
        "summary": mc.summary(),
        "samples_h": np.asarray(mc.samples_h, dtype=float),
        "crossing_delays": pd.DataFrame(mc.crossing_delays).copy(),
    }


def chart_png(route_obj: Any, *, depart: str, scenario: Any, crew: str) -> bytes:
    """The project's time/cost-distance chart (``logistics.time_cost_distance_chart``) as PNG.

    Meant as a deferred download (runs when the user clicks, off the script thread), so it
    touches no Streamlit state: the route and scenario objects are passed in. The image is
    written in a private temporary directory and read back.
    """
    it = logistics.build_itinerary(route_obj, depart=depart, scenario=scenario, crew=crew)
    with tempfile.TemporaryDirectory(prefix="corridor-chart-") as tmp:
        return bytes(
            logistics.time_cost_distance_chart(
                it, Path(tmp) / "time_cost_distance.png"
            ).read_bytes()
        )


@st.cache_data(show_spinner="Building the itinerary…", max_entries=256)
def _itinerary_global(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, crew: str
) -> Any:
    return _itinerary(route_args, scenario_name, depart, crew)


@st.cache_data(show_spinner="Building the itinerary…", max_entries=32, scope="session")
def _itinerary_session(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, crew: str, scenario_toml: str
) -> Any:
    return _itinerary(route_args, scenario_name, depart, crew)


@st.cache_data(show_spinner="Simulating delays…", max_entries=128)
def _simulate_global(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, crew: str, draws: int, seed: int
) -> Any:
    return _simulate(route_args, scenario_name, depart, crew, draws, seed)


@st.cache_data(show_spinner="Simulating delays…", max_entries=16, scope="session")
def _simulate_session(
    route_args: tuple[Any, ...],
    scenario_name: str,
    depart: str,
    crew: str,
    draws: int,
    seed: int,
    scenario_toml: str,
) -> Any:
    return _simulate(route_args, scenario_name, depart, crew, draws, seed)


def itinerary(
    route_args: tuple[Any, ...], scenario_name: str, depart: str, *, crew: str = "single"
) -> Any:
    """``logistics.build_itinerary`` for a route (given by its ``route()`` arguments)."""
    text = _scenario_text(scenario_name)
    if text:
        return _itinerary_session(route_args, scenario_name, depart, crew, text)
    return _itinerary_global(route_args, scenario_name, depart, crew)


def simulate(
    route_args: tuple[Any, ...],
    scenario_name: str,
    depart: str,
    *,
    crew: str = "single",
    draws: int,
    seed: int,
) -> Any:
    """``logistics.simulate`` for a route (given by its ``route()`` arguments)."""
    text = _scenario_text(scenario_name)
    if text:
        return _simulate_session(route_args, scenario_name, depart, crew, draws, seed, text)
    return _simulate_global(route_args, scenario_name, depart, crew, draws, seed)


@st.cache_data(show_spinner=False)
def border_table() -> pd.DataFrame:
    """The shipped border parameters (one row per crossing and direction, with sources)."""
    return pd.DataFrame(logistics.border_parameters())


def _scenarios(names: tuple[str, ...]) -> list[Any]:
    return [_state.scenario(n) for n in names]


def _compare(
    od: tuple[str, str, str | None],
    names: tuple[str, ...],
    depart: str,
    window_h: float | None,
    draws: int,
    crew: str,
    modes: tuple[str, ...],
) -> pd.DataFrame:
    origin, destination, via = od
    table: pd.DataFrame = logistics.compare_od(
        network(),
        origin,
        destination,
        _scenarios(names),
        via=via,
        depart=depart,
        window_h=window_h,
        draws=draws,
        seed=SEED,
        crew=crew,
        modes=modes,
    )
    return table


@st.cache_data(show_spinner="Comparing scenarios…", max_entries=128)
def _compare_global(*args: Any) -> pd.DataFrame:
    return _compare(*args)


@st.cache_data(show_spinner="Comparing scenarios…", max_entries=16, scope="session")
def _compare_session(*args: Any, scenario_tomls: tuple[str, ...]) -> pd.DataFrame:
    return _compare(*args)


def compare(
    od: tuple[str, str, str | None],
    names: tuple[str, ...],
    *,
    depart: str,
    window_h: float | None,
    draws: int,
    crew: str,
    modes: tuple[str, ...],
) -> pd.DataFrame:
    """``logistics.compare_od`` for one OD pair under the named scenarios (seed :data:`SEED`)."""
    args = (od, names, depart, window_h, draws, crew, modes)
    texts = tuple(_scenario_text(n) for n in names)
    if any(texts):
        return _compare_session(*args, scenario_tomls=texts)
    return _compare_global(*args)


def _export(
    names: tuple[str, ...], fmt: str, draws: int, with_routes: bool, depart: str
) -> dict[str, bytes]:
    folder = _state.session_dir() / "export"
    folder.mkdir(exist_ok=True)
    data, sidecar = logistics.export_delays(
        _scenarios(names),
        fmt=fmt,
        out=folder / f"delays.{fmt}",
        G=network() if with_routes else None,
        draws=draws,
        seed=SEED,
        depart=depart,
    )
    return {"data": Path(data).read_bytes(), "sidecar": Path(sidecar).read_bytes()}


@st.cache_data(show_spinner="Estimating delays…", max_entries=64)
def _export_global(*args: Any) -> dict[str, bytes]:
    return _export(*args)


@st.cache_data(show_spinner="Estimating delays…", max_entries=8, scope="session")
def _export_session(*args: Any, scenario_tomls: tuple[str, ...]) -> dict[str, bytes]:
    return _export(*args)


def export(
    names: tuple[str, ...], *, fmt: str, draws: int, with_routes: bool, depart: str
) -> dict[str, bytes]:
    """``logistics.export_delays`` into this session's directory; the files' bytes."""
    args = (names, fmt, draws, with_routes, depart)
    texts = tuple(_scenario_text(n) for n in names)
    if any(texts):
        return _export_session(*args, scenario_tomls=texts)
    return _export_global(*args)


def read_export(data: bytes, fmt: str) -> pd.DataFrame:
    """The exported table back from its bytes (for the preview)."""
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data))
    if fmt == "parquet":
        return pd.read_parquet(io.BytesIO(data))
    features = json.loads(data)["features"]
    return pd.DataFrame([f["properties"] for f in features])
