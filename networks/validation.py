"""Validity, measured: computed corridor distances against published ones, before and after.

"Before" is the raw shipped ``world_highways`` road graph (cross-border edges kept, no crossings,
no connectors; endpoints snapped to the nearest node of any country). "After" is the multimodal
graph of :func:`networks.load_network`. :func:`validation_markdown` renders the table, the
corrections applied and every connector with its length; ``corridor network validate`` writes it
to ``docs/validation.md``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from networks.io import write_text_atomic
from networks.multimodal import (
    BORDER_SPEED_KPH,
    CONNECTOR_CIRCUITY,
    CONNECTOR_SPEED_KPH,
    EXCURSION_MAX_DETOUR,
    LONG_EDGE_MAX_RATIO,
    LONG_EDGE_MIN_KM,
    MAX_CONNECTOR_KM,
    PORT_ACCESS_SPEED_KPH,
    SPLIT_MAX_DETOUR,
    build_network,
    connectors_table,
    load_network,
)
from networks.places import resolve_place
from networks.routing import shortest_route, shortest_route_nodes
from networks.sea import SEA_SPEED_KPH, sea_reference_km

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """A published (or cross-check) distance between two endpoints.

    Endpoints are gazetteer names, or ``cp:<crossing_id>:<country>`` for a checkpoint node.
    """

    name: str
    origin: str
    destination: str
    published_km: float
    source: str
    mode: str = "road"
    note: str = ""


#: The reference distances checked by ``corridor network validate``.
REFERENCES: tuple[Reference, ...] = (
    Reference(
        "North-South Expressway, Johor Bahru - Bukit Kayu Hitam",
        "cp:woodlands-johor-bahru:MY",
        "cp:bukit-kayu-hitam-sadao:MY",
        772.0,
        "North-South Expressway length as given in the project brief (issue 2), the figure "
        "published by the concessionaire PLUS Malaysia",
    ),
    Reference(
        "Lao NR9, Savannakhet (Mekong bridge) - Dansavanh",
        "cp:mukdahan-savannakhet:LA",
        "cp:dansavanh-lao-bao:LA",
        241.6,
        "laotiantimes.com/2016/10/26/one-stop-service-speed-border-crossings/ (B), via "
        "reference/border-facts.md §1a",
    ),
    Reference(
        "Mukdahan - Lao Bao (R9), checkpoint to checkpoint",
        "cp:mukdahan-savannakhet:TH",
        "cp:dansavanh-lao-bao:VN",
        236.0,
        "project brief (issue 2), approximate; primary source not given",
        note="inconsistent with the 241.6 km of Lao NR9 alone; shown as given",
    ),
    Reference(
        "Nakhon Phanom - Ha Tinh",
        "Nakhon Phanom",
        "Ha Tinh",
        300.0,
        "project brief (issue 2), approximate; primary source not given",
    ),
    Reference(
        "Bangkok - Nong Khai by road",
        "Bangkok",
        "Nong Khai",
        626.0,
        "Wikipedia 'Nong Khai' ('626 km north of Bangkok by road', citing Google Maps, retrieved "
        "22 May 2015) (C)",
    ),
    Reference(
        "Thai Route 2 (Mittraphap Road), Saraburi - Nong Khai",
        "Saraburi",
        "Nong Khai",
        508.0,
        "traveling2thailand.com/2010/12/along-highways-of-thailand-m.html ('total length of "
        "508-km') (C)",
    ),
    Reference(
        "Laem Chabang - Hai Phong by sea",
        "Laem Chabang",
        "Hai Phong",
        float("nan"),
        "cross-check only: searoute's own computed shortest sea distance (stored at extract time); "
        "no published sailing distance found (border-facts.md §5)",
        mode="sea",
    ),
)


def _endpoint_coords(graph: nx.MultiDiGraph, spec: str) -> tuple[float, float, str]:
    if spec.startswith("cp:"):
        d = graph.nodes[spec]
        return float(d["y"]), float(d["x"]), str(d.get("country", ""))
    place = resolve_place(spec)
    return place.lat, place.lon, place.country


def _after(graph: nx.MultiDiGraph, ref: Reference) -> dict[str, Any]:
    if ref.mode == "sea":
        route = shortest_route(graph, ref.origin, ref.destination, mode="sea", weight="length")
        km = sum(leg.distance_km for leg in route.legs if leg.mode == "sea")
        return {"computed_km": km, "crossings": ""}
    if ref.origin.startswith("cp:") and ref.destination.startswith("cp:"):
        route = shortest_route_nodes(graph, ref.origin, ref.destination, weight="length")
    else:
        route = shortest_route(graph, ref.origin, ref.destination, weight="length")
    return {"computed_km": route.distance_km, "crossings": ", ".join(route.crossings)}


def _raw(raw: nx.MultiDiGraph, graph: nx.MultiDiGraph, ref: Reference) -> dict[str, Any]:
    from networks.geo import haversine_m

    ids = list(raw.nodes)
    ys = np.fromiter((raw.nodes[n]["y"] for n in ids), float, len(ids))
    xs = np.fromiter((raw.nodes[n]["x"] for n in ids), float, len(ids))
    snaps = []
    ends = []
    for spec in (ref.origin, ref.destination):
        lat, lon, _ = _endpoint_coords(graph, spec)
        dist = haversine_m(lat, lon, ys, xs)
        i = int(np.argmin(dist))
        ends.append(ids[i])
        snaps.append(float(dist[i]) / 1000)
    try:
        length = nx.shortest_path_length(raw, ends[0], ends[1], weight="length") / 1000
    except nx.NetworkXNoPath:
        length = float("nan")
    return {"raw_km": length, "raw_snap_km": max(snaps)}


def validation_table(
    graph: nx.MultiDiGraph | None = None,
    raw: nx.MultiDiGraph | None = None,
    *,
    uncorrected: nx.MultiDiGraph | None = None,
) -> pd.DataFrame:
    """Computed against published distances, before (raw) and after the corrections.

    Parameters
    ----------
    graph : networkx.MultiDiGraph, optional
        The multimodal graph (default ``load_network("all")``).
    raw : networkx.MultiDiGraph, optional
        The raw road graph (default: the shipped ``world_highways`` extract, all countries).
    uncorrected : networkx.MultiDiGraph, optional
        The multimodal graph without the long-straight-edge correction (default: built with
        ``build_network("all", correct_long_edges=False)``).

    Returns
    -------
    pandas.DataFrame
        One row per :data:`REFERENCES` entry: ``name``, ``published_km``, ``raw_km``,
        ``raw_error_pct``, ``raw_snap_km`` (farthest endpoint snap), ``uncorrected_km``,
        ``uncorrected_error_pct``, ``computed_km``,
        ``error_pct``, ``crossings``, ``source``, ``note``.
    """
    from networks.road import load_default_roads

    graph = load_network("all") if graph is None else graph
    raw = load_default_roads() if raw is None else raw
    if uncorrected is None:
        uncorrected = build_network("all", correct_long_edges=False)
    refs = sea_reference_km()
    rows = []
    for ref in REFERENCES:
        published = ref.published_km
        if ref.mode == "sea":
            published = refs.get("THLCH-VNHPH", float("nan"))
        after = _after(graph, ref)
        mid = _after(uncorrected, ref)
        before = (
            _raw(raw, graph, ref)
            if ref.mode == "road"
            else {"raw_km": float("nan"), "raw_snap_km": float("nan")}
        )
        rows.append(
            {
                "name": ref.name,
                "published_km": published,
                "raw_km": before["raw_km"],
                "raw_error_pct": 100 * (before["raw_km"] - published) / published,
                "raw_snap_km": before["raw_snap_km"],
                "uncorrected_km": mid["computed_km"],
                "uncorrected_error_pct": 100 * (mid["computed_km"] - published) / published,
                "computed_km": after["computed_km"],
                "error_pct": 100 * (after["computed_km"] - published) / published,
                "crossings": after["crossings"],
                "source": ref.source,
                "note": ref.note,
            }
        )
    return pd.DataFrame(rows)


def osm_sample_offsets(paths: list[Path], raw: nx.MultiDiGraph | None = None) -> pd.DataFrame:
    """Distance from each raw ``world_highways`` node to the nearest road of a real OSM extract.

    Parameters
    ----------
    paths : list of Path
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` extracts, read with
        :func:`networks.road.graph_from_osm_file`.
    raw : networkx.MultiDiGraph, optional
        The raw road graph (default: the shipped ``world_highways`` extract).

    Returns
    -------
    pandas.DataFrame
        One row per extract: ``sample``, ``osm_edges``, ``nodes`` (world_highways nodes inside
        the extract's road extent shrunk by 10 %), ``median_m``, ``max_m``.
    """
    import shapely

    from networks.road import graph_from_osm_file, load_default_roads

    raw = load_default_roads() if raw is None else raw
    rx = np.fromiter((d["x"] for _, d in raw.nodes(data=True)), float)
    ry = np.fromiter((d["y"] for _, d in raw.nodes(data=True)), float)
    rows = []
    for path in paths:
        osm = graph_from_osm_file(path)
        lines = []
        for u, v, d in osm.edges(data=True):
            geom = d.get("geometry")
            if geom is None:
                a, b = osm.nodes[u], osm.nodes[v]
                geom = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
            lines.append(geom)
        if not lines:
            continue
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(lines))
        dx, dy = (maxx - minx) * 0.1, (maxy - miny) * 0.1
        inside = (rx > minx + dx) & (rx < maxx - dx) & (ry > miny + dy) & (ry < maxy - dy)
        # Local equirectangular metres around the extract (accurate to <1 % at this scale).
        lat0 = (miny + maxy) / 2
        kx, ky = 111_320.0 * np.cos(np.radians(lat0)), 110_574.0
        factor = np.array([kx, ky])
        scaled = shapely.transform(np.asarray(lines), lambda c, f=factor: c * f)
        tree = shapely.STRtree(scaled)
        pts = shapely.points(rx[inside] * kx, ry[inside] * ky)
        if len(pts):
            _, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        else:
            dist = np.empty(0)
        rows.append(
            {
                "sample": Path(path).name,
                "osm_edges": osm.number_of_edges(),
                "nodes": int(inside.sum()),
                "median_m": float(np.median(dist)) if len(dist) else float("nan"),
                "max_m": float(dist.max()) if len(dist) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["sample", "osm_edges", "nodes", "median_m", "max_m"])


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def validation_markdown(
    graph: nx.MultiDiGraph | None = None,
    raw: nx.MultiDiGraph | None = None,
    *,
    osm_samples: list[Path] | None = None,
) -> str:
    """The validation report as Markdown (table, corrections, OSM samples, connectors).

    ``osm_samples``: real OSM extracts to compare the raw node positions with (optional).
    """
    from networks.road import load_default_roads

    graph = load_network("all") if graph is None else graph
    raw = load_default_roads() if raw is None else raw
    table = validation_table(graph, raw)
    long_edges = [
        (u, v, d)
        for u, v, d in graph.edges(data=True)
        if d.get("length_corrected") and str(u) < str(v)
    ]
    conns = connectors_table(graph)
    lines = [
        "# Validation of the corridor networks",
        "",
        "Generated by `corridor network validate` (module `networks/validation.py`); do not edit "
        "by hand.",
        "",
        "Computed shortest distances (by length) against published figures. **Before**: the raw "
        "shipped `world_highways` road graph (OpenStreetMap-derived, via `scgraph_data`), with its "
        "cross-border edges and no crossings or connectors; endpoints snapped to the nearest node "
        "of any country (the snap distance shows how far that is). **Crossings only**: the "
        "multimodal graph with every correction except the long-straight-edge circuity. "
        "**After**: the multimodal graph `load_network('all')` with all the corrections listed "
        "below. Error = (computed - published) / published. Checkpoint-to-checkpoint legs start "
        "and end at the checkpoint nodes; the others at the road nodes nearest the places.",
        "",
        "| Leg | Published km | Before km | Before err % | Before snap km | Crossings only km "
        "| Crossings only err % | After km | After err % | Crossings used (after) | Source |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in table.to_dict("records"):
        note = f" Note: {r['note']}." if r["note"] else ""
        lines.append(
            f"| {r['name']} | {_fmt(r['published_km'])} | {_fmt(r['raw_km'])} | "
            f"{_fmt(r['raw_error_pct'])} | {_fmt(r['raw_snap_km'])} | "
            f"{_fmt(r['uncorrected_km'])} | {_fmt(r['uncorrected_error_pct'])} | "
            f"{_fmt(r['computed_km'])} | {_fmt(r['error_pct'])} | {r['crossings'] or '-'} | "
            f"{r['source']}.{note} |"
        )
    lines += ["", "Before -> after, by leg:", ""]
    for r in table.to_dict("records"):
        if not np.isfinite(r["raw_error_pct"]):
            lines.append(f"- {r['name']}: {_fmt(r['error_pct'])} % (no road before/after).")
            continue
        verdict = (
            "better"
            if abs(r["error_pct"]) < abs(r["raw_error_pct"]) - 0.05
            else ("worse" if abs(r["error_pct"]) > abs(r["raw_error_pct"]) + 0.05 else "unchanged")
        )
        lines.append(
            f"- {r['name']}: {_fmt(r['raw_error_pct'])} % -> {_fmt(r['error_pct'])} % "
            f"({verdict}; before, the farthest endpoint snapped {_fmt(r['raw_snap_km'])} km)."
        )
    counts = conns["kind"].value_counts().to_dict()
    from networks.borders import crossings_table

    xings = crossings_table()
    n_assumed = int(xings["position_source"].str.startswith("assumption:").sum())
    n_nudged = int((xings["position_note"].str.len() > 0).sum())
    lines += [
        "",
        "## Corrections applied to the raw network",
        "",
        f"- Road edges whose ends lie in different countries are removed; an edge whose straight "
        f"line passes through a crossing of the same two countries (detour at most "
        f"{SPLIT_MAX_DETOUR}x) is split at the two checkpoints (`split`, "
        f"{counts.get('split', 0)} pieces; the edge's own road length is shared in proportion "
        "to the great-circle pieces).",
        f"- Short excursions across a border (a road leaving a country for at most 3 nodes, all "
        f"within 5 km of the boundary, and returning within {EXCURSION_MAX_DETOUR}x the straight "
        f"line) are artefacts of merged border-river roads; a `bypass` edge inside the country "
        f"replaces them ({counts.get('bypass', 0)} edges, length = the excursion's road length).",
        f"- Each crossing is two checkpoint nodes joined by `border` edges (driven at "
        f"{BORDER_SPEED_KPH:g} km/h, assumption); each checkpoint joins the nearest road node of "
        f"its own country (in a national component of 10+ nodes) by a `nearest` connector: "
        f"great-circle x {CONNECTOR_CIRCUITY} (circuity, assumption) at {CONNECTOR_SPEED_KPH:g} "
        f"km/h; none longer than {MAX_CONNECTOR_KM:g} km straight.",
        f"- Each port joins the nearest road node of its country by a `drayage` edge "
        f"(great-circle x {CONNECTOR_CIRCUITY}, {PORT_ACCESS_SPEED_KPH:g} km/h) and the nearest "
        f"sea node by a `port-sea` edge (great-circle; vessel speed {SEA_SPEED_KPH:.1f} km/h).",
        f"- Long straight road edges (at least {LONG_EDGE_MIN_KM:g} km, stated length within "
        f"{LONG_EDGE_MAX_RATIO}x the great-circle: a road stored as one straight segment) get "
        f"length = great-circle x {CONNECTOR_CIRCUITY} (the connector circuity, not fitted); "
        f"{len(long_edges)} such edges (each direction counted once) in this graph, e.g. Lao NR9 "
        "east of Seno, one 190 km straight edge in `world_highways`.",
        "- Road nodes outside the largest strongly connected land component are dropped.",
        "",
        f"Checkpoint positions: {n_assumed} of {len(xings)} crossings have positions labelled "
        "`assumption: approximate checkpoint position, not yet verified against OSM "
        "barrier=border_control` (no internet was available to query OSM); "
        f"{n_nudged} of them were nudged onto their country's side of the Natural Earth "
        "boundary (column `position_note` of `networks/data/crossings.csv`). A test checks that "
        "every checkpoint lies in its own country on the shipped polygons.",
        "",
        "## Every connector",
        "",
        "`length_km` is the edge length used for routing; `straight_km` the great-circle distance "
        "it was derived from (for `split` pieces: the great-circle piece; the length is that "
        "piece's share of the source edge's road length).",
        "",
        "| Kind | Mode | Country | Crossing | Port | From | To | length_km | straight_km |",
        "|---|---|---|---|---|---|---|---:|---:|",
    ]
    conns = conns.sort_values(["kind", "crossing_id", "port_id", "country", "from_node"])
    for c in conns.to_dict("records"):
        lines.append(
            f"| {c['kind']} | {c['mode']} | {c['country'] or '-'} | {c['crossing_id'] or '-'} | "
            f"{c['port_id'] or '-'} | {c['from_node']} | {c['to_node']} | "
            f"{c['length_m'] / 1000:.2f} | {c['straight_m'] / 1000:.2f} |"
        )
    lines.append("")
    if osm_samples:
        offsets = osm_sample_offsets(osm_samples, raw)
        lines += [
            "## Raw node positions against real OpenStreetMap extracts",
            "",
            "Distance from each `world_highways` node inside an extract (its road extent shrunk "
            "by 10 %) to the nearest road of that extract (`graph_from_osm_file`, drivable "
            "classes). `world_highways` rounds coordinates to 3 decimals (~110 m), so tens of "
            "metres are expected. The extracts are read where they are; nothing is copied.",
            "",
            "| Extract | OSM road edges | world_highways nodes | median m | max m |",
            "|---|---:|---:|---:|---:|",
        ]
        for o in offsets.to_dict("records"):
            lines.append(
                f"| {o['sample']} | {o['osm_edges']:,} | {o['nodes']} | {_fmt(o['median_m'])} | "
                f"{_fmt(o['max_m'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_validation(
    path: str | os.PathLike[str],
    *,
    graph: nx.MultiDiGraph | None = None,
    raw: nx.MultiDiGraph | None = None,
    osm_samples: list[Path] | None = None,
) -> Path:
    """Write :func:`validation_markdown` to ``path`` atomically and return the path."""
    target = Path(path)
    text = validation_markdown(graph, raw, osm_samples=osm_samples)
    write_text_atomic(target, text)
    logger.info("wrote %s", target)
    return target


__all__ = [
    "REFERENCES",
    "Reference",
    "osm_sample_offsets",
    "validation_markdown",
    "validation_table",
    "write_validation",
]
