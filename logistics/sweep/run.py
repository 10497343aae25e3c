"""Running a sweep on Dask distributed, resumably, into partitioned Parquet.

:func:`run_sweep` builds the design and the shared context (routes or network, base scenario,
tables), ships the context to every worker once (``Client.scatter(..., broadcast=True)``) and
submits one task per chunk of ``chunk_points`` points. Each finished chunk is written at once to
``DIR/results/part-NNNNN.parquet`` (atomically), so a rerun after a crash computes only the
chunks that are missing. ``DIR/sweep.json`` is the provenance sidecar (spec, its hash, seed,
package versions, sources). ``workers=0`` runs the same chunks in this process, without Dask.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.limits import MAX_WORKERS
from logistics.parameters import load_parameters
from logistics.report import _json_ready, _parameters_with_sources, package_version
from logistics.scenarios import load_scenario
from logistics.sweep.design import design
from logistics.sweep.spec import SweepSpec
from logistics.sweep.tasks import SweepContext, run_chunk
from networks.io import atomic_path, write_text_atomic

__all__ = ["SweepError", "build_context", "load_results", "missing_chunks", "run_sweep"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
PROVENANCE = "sweep.json"
RESULTS = "results"
_PACKAGES = ("numpy", "pandas", "pyarrow", "dask", "distributed", "SALib", "scipy", "ortools")


class SweepError(ValueError):
    """A sweep cannot run (an output folder holding another spec's results, no results...)."""


def _part(out: Path, chunk: int) -> Path:
    return out / RESULTS / f"part-{chunk:05d}.parquet"


def n_chunks(spec: SweepSpec, points: int) -> int:
    """Number of chunks (tasks) of a design of ``points`` points."""
    return -(-points // spec.chunk_points)


def missing_chunks(spec: SweepSpec, out: str | Path, points: int) -> list[int]:
    """Chunks of ``spec`` without a results file in ``out`` (what a rerun computes)."""
    return [c for c in range(n_chunks(spec, points)) if not _part(Path(out), c).is_file()]


def _versions() -> dict[str, str]:
    out = {"asean-corridor": package_version(), "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _check_folder(spec: SweepSpec, out: Path) -> None:
    sidecar = out / PROVENANCE
    if sidecar.is_file():
        old = json.loads(sidecar.read_text(encoding="utf-8")).get("spec_sha256")
        if old != spec.sha256():
            raise SweepError(
                f"--out {str(out)!r} holds the results of another spec (sha256 {str(old)[:12]}, "
                f"this one {spec.sha256()[:12]}); allowed: a new folder, or the same spec to resume"
            )
    elif (out / RESULTS).exists():
        raise SweepError(
            f"--out {str(out)!r} has results but no {PROVENANCE}; allowed: a new or empty folder"
        )


def _write_provenance(spec: SweepSpec, out: Path, extra: dict[str, Any]) -> None:
    params = load_parameters()
    meta = {
        "spec": spec.to_dict(),
        "spec_file": spec.source,
        "spec_sha256": spec.sha256(),
        "seed": spec.seed,
        "seeding": spec.seeding,
        "versions": _versions(),
        "base_scenario": load_scenario(spec.base_scenario).to_dict(),
        "sources": _parameters_with_sources(params),
        "updated_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **extra,
    }
    write_text_atomic(out / PROVENANCE, json.dumps(_json_ready(meta), indent=2, ensure_ascii=False))


def build_context(spec: SweepSpec, graph: Any = None) -> SweepContext:
    """The shared context of a sweep: routes of every OD pair and mode (or, for a fleet sweep,
    the network, shipments and fleet), the base scenario, the tables and the design."""
    import networks

    G = graph if graph is not None else networks.load_network(spec.corridor)
    points, _ = design(spec)
    ctx = SweepContext(
        spec=spec,
        base=load_scenario(spec.base_scenario),
        params=load_parameters(),
        target=load_scenario(spec.target_scenario) if spec.target_scenario else None,
        design=points,
    )
    if spec.kind == "fleet":
        from logistics.shipments import demo_fleet, demo_shipments, read_fleet, read_shipments

        ctx.graph = G
        ctx.fleet = demo_fleet() if spec.fleet == "demo" else read_fleet(spec.fleet)
        ctx.shipments = (
            demo_shipments()
            if spec.shipments == "demo"
            else read_shipments(spec.shipments, fleet=ctx.fleet)
        )
        return ctx
    for od in spec.od:
        routes: dict[str, Any] = {}
        for mode in spec.modes:
            try:
                routes[mode] = networks.shortest_route(
                    G, od.origin, od.destination, via=od.via if mode == "road" else None, mode=mode
                )
            except ValueError as exc:  # RouteError, PlaceError: recorded in the rows
                routes[mode] = f"no {mode} route: {exc}"
        ctx.routes.append(routes)
    return ctx


def _write_part(out: Path, chunk: int, frame: pd.DataFrame) -> None:
    with atomic_path(_part(out, chunk)) as tmp:
        frame.to_parquet(tmp, index=False)


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A client of ``scheduler``, or of a new LocalCluster (one process per worker)."""
    import os

    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster), cluster


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    graph: Any = None,
) -> dict[str, Any]:
    """Run (or resume) a sweep into ``out``.

    Parameters
    ----------
    spec : SweepSpec
    out : path
        Results folder: ``results/part-*.parquet``, ``design.parquet``, ``sweep.json``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default a LocalCluster.
    workers : int, optional
        Worker processes of the LocalCluster (default one per core); 0 runs in this process.
    progress : callable, optional
        ``progress(done, total)`` after each chunk (chunks already on disk count as done).
    graph : networkx.MultiDiGraph, optional
        The network (default :func:`networks.load_network` of the spec's corridor).

    Returns
    -------
    dict
        The provenance written to ``sweep.json`` (``points``, ``chunks``, ``computed_chunks``,
        ``failed_rows``, ``elapsed_s``...).
    """
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= MAX_WORKERS
    ):
        raise SweepError(
            f"--workers {workers!r} is not allowed; allowed: a whole number from 0 to {MAX_WORKERS}"
        )
    out = Path(out)
    _check_folder(spec, out)
    t0 = time.perf_counter()
    ctx = build_context(spec, graph)
    points = len(ctx.design)
    total = n_chunks(spec, points)
    todo = missing_chunks(spec, out, points)
    for stale in (out / RESULTS).glob(".part-*"):  # temporary files of a killed run
        stale.unlink(missing_ok=True)
    with atomic_path(out / "design.parquet") as tmp:
        ctx.design.to_parquet(tmp, index=False)
    info: dict[str, Any] = {"status": "running", "points": points, "chunks": total}
    _write_provenance(spec, out, info)
    done = total - len(todo)
    if progress is not None:
        progress(done, total)
    where = "in process" if todo else "nothing (every chunk already on disk)"
    if todo and workers == 0:
        for chunk in todo:
            _write_part(out, chunk, run_chunk(ctx, chunk))
            done += 1
            if progress is not None:
                progress(done, total)
    elif todo:
        from distributed import as_completed

        client, cluster = _client(scheduler, workers)
        try:
            where = f"dask {client.scheduler.address} ({len(client.nthreads())} workers)"
            shared = client.scatter(ctx, broadcast=True, hash=False)
            futures = {
                client.submit(run_chunk, shared, c, pure=False, key=f"sweep-chunk-{c}"): c
                for c in todo
            }
            for fut in as_completed(futures):
                _write_part(out, futures[fut], fut.result())
                fut.release()
                done += 1
                if progress is not None:
                    progress(done, total)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    results = load_results(out)
    info.update(
        {
            "status": "complete",
            "computed_chunks": len(todo),
            "rows": len(results),
            "failed_rows": int((results["error"] != "").sum()),
            "ran_on": where,
            "elapsed_s": round(time.perf_counter() - t0, 2),
        }
    )
    _write_provenance(spec, out, info)
    log.info("sweep %s: %d points, %d chunks computed (%s)", spec.name, points, len(todo), where)
    return info


def load_results(out: str | Path) -> pd.DataFrame:
    """All result rows of a folder, sorted by point, OD and mode (partition order is irrelevant).

    Raises
    ------
    SweepError
        No ``results/part-*.parquet`` in ``out``.
    """
    files = sorted((Path(out) / RESULTS).glob("part-*.parquet"))
    if not files:
        raise SweepError(f"no sweep results in {str(out)!r}; allowed: a folder written by sweep")
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    keys = [k for k in ("point", "od", "mode") if k in df.columns]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)
