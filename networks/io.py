"""Export multimodal graphs: GraphML (osmnx) and GeoPackage (``nodes`` and ``edges`` layers).

Files are written atomically: to a temporary file in the target folder, then ``os.replace``.
:func:`load_graph` reads a GraphML export back with the attribute types restored (checkpoint,
port and sea node ids are strings, so plain ``osmnx.load_graphml`` needs
``node_dtypes={"osmid": str}``).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

logger = logging.getLogger(__name__)

#: File extensions :func:`save_graph` can write.
GRAPH_FORMATS: tuple[str, ...] = (".graphml", ".gpkg")


class ExportError(ValueError):
    """Unsupported export path (unknown extension)."""


def _export_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Copy without private (``_``-prefixed) graph attributes such as routing caches."""
    out = graph.copy()
    for key in [k for k in out.graph if str(k).startswith("_")]:
        del out.graph[key]
    return out


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it replaces ``target``.

    The temporary name keeps ``target``'s suffix (writers that pick a format from it work) and
    does not exist yet (writers that refuse an existing file work). On any error it is removed and
    ``target`` is left as it was: nothing is ever half-written. Missing parent folders are created.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def save_graph(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write a graph to ``.graphml`` or ``.gpkg``, atomically.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph of the contract in ``docs/architecture.md``.
    path : str or path-like
        Target file. ``.graphml`` uses ``osmnx.io.save_graphml``; ``.gpkg`` writes a GeoPackage
        with a ``nodes`` (points) and an ``edges`` (straight line strings) layer, node ids as text.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ExportError
        The extension is not one of :data:`GRAPH_FORMATS`.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise ExportError(
            f"cannot export to {str(path)!r}: unknown extension {target.suffix!r}; "
            f"allowed: {', '.join(GRAPH_FORMATS)}"
        )
    if not target.parent.exists():
        raise FileNotFoundError(f"cannot export to {str(path)!r}: folder {target.parent} not found")
    with atomic_path(target) as tmp:
        if suffix == ".graphml":
            import osmnx as ox

            ox.save_graphml(_export_copy(graph), filepath=tmp)
        else:
            _write_gpkg(graph, tmp)
    logger.info(
        "wrote %s (%d nodes, %d edges)", target, graph.number_of_nodes(), graph.number_of_edges()
    )
    return target


def _to_bool(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def load_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a ``.graphml`` written by :func:`save_graph` back into a multimodal graph.

    Numeric node ids (road nodes) become ``int`` again; numeric and boolean attributes get their
    types back.
    """
    import osmnx as ox

    target = Path(path)
    if target.suffix.lower() != ".graphml":
        raise ExportError(f"cannot load {str(path)!r}: only .graphml can be read back")
    floats = ("length", "speed_kph", "travel_time", "straight_m", "length_raw")
    graph = ox.load_graphml(
        target,
        node_dtypes={"osmid": str, "handling_h": float, "handling_cost_usd": float},
        edge_dtypes={
            **{k: float for k in floats},
            "connector": _to_bool,
            "cross_border": _to_bool,
            "length_corrected": _to_bool,
        },
    )
    mapping = {n: int(n) for n in graph.nodes if isinstance(n, str) and n.isdigit()}
    return nx.relabel_nodes(graph, mapping, copy=False)


def _write_gpkg(graph: nx.MultiDiGraph, path: Path) -> None:
    import geopandas as gpd
    import pandas as pd
    from shapely import LineString, Point

    node_rows = []
    for n, d in graph.nodes(data=True):
        row = {k: _scalar(v) for k, v in d.items() if k not in ("geometry",)}
        row["node_id"] = str(n)
        row["geometry"] = Point(float(d["x"]), float(d["y"]))
        node_rows.append(row)
    nodes = gpd.GeoDataFrame(pd.DataFrame(node_rows), geometry="geometry", crs="EPSG:4326")
    edge_rows = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        row = {a: _scalar(b) for a, b in d.items() if a != "geometry"}
        row.update(u=str(u), v=str(v), key=int(k) if isinstance(k, int) else str(k))
        geom = d.get("geometry")
        if geom is None:
            geom = LineString(
                [
                    (float(graph.nodes[u]["x"]), float(graph.nodes[u]["y"])),
                    (float(graph.nodes[v]["x"]), float(graph.nodes[v]["y"])),
                ]
            )
        row["geometry"] = geom
        edge_rows.append(row)
    edges = gpd.GeoDataFrame(pd.DataFrame(edge_rows), geometry="geometry", crs="EPSG:4326")
    nodes.to_file(path, layer="nodes", driver="GPKG", engine="pyogrio")
    edges.to_file(path, layer="edges", driver="GPKG", engine="pyogrio", mode="a")
