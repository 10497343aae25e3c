"""Export multimodal graphs: GraphML (osmnx) and GeoPackage (``nodes`` and ``edges`` layers), and
the project's safe-writing helpers.

Files are written atomically: to a temporary file in the target folder, then ``os.replace``
(:func:`atomic_path`). A set of files is written into a fresh temporary folder beside its target
that then replaces the target in one step (:func:`atomic_folder`), or, for a file and its sidecar,
that is moved in a fixed order (:func:`staged_files`). :func:`check_output` refuses output paths
that are symbolic links, FIFOs, devices or of the wrong kind before any work starts.
:func:`csv_safe` neutralises CSV cells a spreadsheet would execute.
:func:`load_graph` reads a GraphML export back with the attribute types restored (checkpoint,
port and sea node ids are strings, so plain ``osmnx.load_graphml`` needs
``node_dtypes={"osmid": str}``).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

logger = logging.getLogger(__name__)

#: Version of the project's output schema, in every JSON output (see :mod:`logistics.schema`).
SCHEMA_VERSION = 1
#: File extensions :func:`save_graph` can write.
GRAPH_FORMATS: tuple[str, ...] = (".graphml", ".gpkg")


class ExportError(ValueError):
    """Unsupported export path (unknown extension)."""


class OutputError(ValueError):
    """An output path that cannot be written safely (a link, FIFO, device, wrong kind)."""


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


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISREG, "a file"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def check_output(
    path: str | os.PathLike[str],
    *,
    folder: bool,
    flag: str = "--out",
    owned: Callable[[Path], bool] | None = None,
) -> Path:
    """Refuse an output path that cannot be replaced safely; return it as a :class:`Path`.

    Parameters
    ----------
    path : path-like
    folder : bool
        The output is a folder (else a file).
    flag : str
        Name of the option or field, for the message.
    owned : callable, optional
        For a folder: ``owned(path)`` says whether an existing, non-empty folder holds only a
        previous output (it is replaced whole); without it any existing folder is accepted.

    Raises
    ------
    OutputError
        ``path`` is a symbolic link, a FIFO, a device or socket, a file where a folder is wanted
        (or the reverse), or a non-empty folder that is not a previous output.
    """
    p = Path(path)
    want = "a new or existing folder" if folder else "a new or existing regular file"
    if p.is_symlink():
        raise OutputError(f"{flag}: bad value {str(p)!r}: a symbolic link; allowed: {want}")
    if not p.exists():
        return p
    kind = _kind(p.stat().st_mode)
    if kind != ("a folder" if folder else "a file"):
        raise OutputError(f"{flag}: bad value {str(p)!r}: {kind}; allowed: {want}")
    if folder and owned is not None and any(p.iterdir()) and not owned(p):
        raise OutputError(
            f"{flag}: bad value {str(p)!r}: a folder with files that are not this command's "
            "output (it would be replaced whole); allowed: a new or empty folder, or a previous "
            "output folder"
        )
    return p


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it replaces ``target``.

    The temporary name keeps ``target``'s suffix (writers that pick a format from it work) and
    does not exist yet (writers that refuse an existing file work). On any error (including
    ``KeyboardInterrupt``) it is removed and ``target`` is left as it was: nothing is ever
    half-written. Missing parent folders are created.

    Raises
    ------
    OutputError
        ``target`` is a symbolic link, FIFO, device or folder (:func:`check_output`).
    """
    target = check_output(target, folder=False, flag="output")
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The process's file-creation mask, read once (``os.umask`` can only be read by setting it).
_UMASK = _umask()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` where
    the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextmanager
def atomic_folder(
    target: str | os.PathLike[str],
    *,
    flag: str = "--out",
    owned: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Yield a fresh, empty temporary folder beside ``target``; on success it replaces ``target``.

    The replacement is one step (an atomic exchange of the two folders on Linux, then the old
    run is deleted; elsewhere two renames, with a moment where ``target`` is absent), so a
    reader sees the old run or the new one, never a mix, and files of the old run never remain.
    On any error (including ``KeyboardInterrupt``) the temporary folder is removed and ``target``
    is left as it was. Files inside may still be written with :func:`atomic_path`.

    Parameters
    ----------
    target : path-like
        The output folder; missing parents are created.
    flag, owned
        As in :func:`check_output`, which runs before and again just before the replacement.
    """
    target = check_output(target, folder=True, flag=flag, owned=owned)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    old = tmp.with_name(tmp.name + "-old")
    try:
        tmp.chmod(0o777 & ~_UMASK)
        yield tmp
        check_output(target, folder=True, flag=flag, owned=owned)
        if target.exists():
            tmp.chmod(target.stat().st_mode & 0o7777)
            if not _exchange(tmp, target):
                os.rename(target, old)
                try:
                    os.rename(tmp, target)
                except BaseException:
                    os.rename(old, target)  # put the old run back
                    raise
        else:
            os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after an exchange: the old run
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_files(
    folder: str | os.PathLike[str], *, companions: Sequence[str] = ()
) -> Iterator[Path]:
    """Yield a fresh temporary folder inside ``folder``; on success every file written into it
    moves to ``folder`` (each with ``os.replace``), so the set replaces the old one together.

    The order is fixed: first the old files named in ``companions`` (e.g. a sidecar) are
    removed, then the other files move, then the companions. A companion therefore never sits
    beside a main file it does not describe (a reader may briefly see the new data file without
    its sidecar). On any error (including ``KeyboardInterrupt``) the temporary folder is removed
    and nothing in ``folder`` changes (a ``folder`` created for this write is removed too).

    Raises
    ------
    OutputError
        A file to be replaced is a symbolic link, FIFO, device or folder.
    """
    base = Path(folder)
    created = not base.exists()
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=base, prefix=".staged-"))
    done = False
    try:
        yield tmp
        names = sorted(p.name for p in tmp.iterdir())
        for name in names:
            check_output(base / name, folder=False, flag="output")
        main = [n for n in names if n not in companions]
        later = [n for n in companions if n in names]
        for name in later:
            (base / name).unlink(missing_ok=True)
        for name in main + later:
            os.replace(tmp / name, base / name)
        done = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not done and not any(base.iterdir()):
            base.rmdir()  # a folder made for this write goes with it


#: First characters that make a spreadsheet read a cell as a formula (or hide one).
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not execute: a string starting with ``= + - @``, tab or
    carriage return gets a leading ``'`` (a plain number such as ``-5`` is left alone, and so is
    every non-string). A string that already starts with ``'`` before such a character gets one
    more, so :func:`csv_cell_restore` gives back exactly the original."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith("'"):
        return "'" + value if value.lstrip("'").startswith(CSV_FORMULA_START) else value
    if value.startswith(CSV_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cell_restore(value: Any) -> Any:
    """The original of a :func:`csv_cell` value (for readers of the project's CSVs)."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value.lstrip("'").startswith(CSV_FORMULA_START)
    ):
        return value[1:]
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`csv_cell` (numbers and
    column types unchanged; column names too)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, target: str | os.PathLike[str]) -> None:
    """Write ``frame`` (no index) as CSV the way every project CSV is written: text cells
    neutralised (:func:`csv_safe`), RFC 4180 line ends (``CRLF``, so a cell holding a bare
    carriage return is quoted and reads back as one cell)."""
    csv_safe(frame).to_csv(target, index=False, lineterminator="\r\n")


def write_csv_atomic(target: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write ``frame`` with :func:`to_safe_csv`, atomically (:func:`atomic_path`)."""
    with atomic_path(target) as tmp:
        to_safe_csv(frame, tmp)
    return Path(target)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def save_figure_atomic(fig: Any, target: str | os.PathLike[str], *, dpi: int = 110) -> Path:
    """Save a matplotlib figure as PNG to ``target`` atomically (see :func:`atomic_path`), and
    close it whatever happens; return the path."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, dpi=dpi, format="png")
    finally:
        plt.close(fig)
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
