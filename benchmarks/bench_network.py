"""Benchmark of the network stage: cold load, route query latency, memory peak.

Run from the project root::

    python benchmarks/bench_network.py

Each measurement runs in a fresh Python process so imports and caches start cold:

* ``build``: ``build_network("all")`` with the on-disk cache disabled, timed from process start
  (imports included);
* ``first run``: ``load_network("all")`` with the on-disk cache disabled: the build plus the
  routing indexes, what the first run on a machine pays before it writes the cache;
* ``load``: ``load_network("all")`` in a new process with the on-disk pickle cache already written
  (every later run), timed from process start;
* build, first run and load are each repeated (``--repeat``, default 3) and the median is shown
  with the range, since the machine may be shared; the load average is printed with the figures;
* ``route``: after loading, the first query (which builds the routing index) and then repeated
  queries over a fixed set of origin/destination pairs and modes (median, p95, max);
* memory: ``tracemalloc`` peak of Python allocations during build/load (separate runs, since
  tracing slows imports), and the process's peak resident set size (``resource.getrusage``).

Targets (issue 2): load < 3 s, route query < 50 ms after load, peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from typing import Any

_CHILD = textwrap.dedent(
    """
    import json, resource, statistics, sys, time, tracemalloc
    trace = sys.argv[2] == "trace"
    t0 = time.perf_counter()
    if trace:
        tracemalloc.start()
    from networks.multimodal import build_network, load_network
    t_import = time.perf_counter() - t0
    what = sys.argv[1]
    graph = build_network("all") if what == "build" else load_network("all")
    t_ready = time.perf_counter() - t0
    out = {"what": what, "import_s": t_import, "ready_s": t_ready,
           "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    if trace:
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if what == "load" and not trace:
        from networks.routing import shortest_route
        queries = [
            ("Bangkok", "Hanoi", None, "road"),
            ("Bangkok", "Hanoi", "R9", "road"),
            ("Bangkok", "Hanoi", "R12", "road"),
            ("Bangkok", "Hanoi", "R8", "road"),
            ("Bangkok", "Hanoi", None, "sea"),
            ("Bangkok", "Hanoi", None, "any"),
            ("Singapore", "Bangkok", None, "road"),
            ("Kuala Lumpur", "Penang", None, "road"),
            ("Amata City Chonburi", "Yen Phong Industrial Park (Bac Ninh)", None, "road"),
            ("13.75,100.50", "21.03,105.85", None, "road"),
        ]
        t = time.perf_counter()
        shortest_route(graph, "Bangkok", "Hanoi")
        out["first_query_ms"] = (time.perf_counter() - t) * 1000
        times = {}
        for o, d, via, mode in queries:
            label = f"{o} -> {d} ({mode}{', via ' + via if via else ''})"
            runs = []
            for _ in range(20):
                t = time.perf_counter()
                shortest_route(graph, o, d, via=via, mode=mode)
                runs.append((time.perf_counter() - t) * 1000)
            times[label] = runs
        every = sorted(x for runs in times.values() for x in runs)
        out["query_ms_median"] = statistics.median(every)
        out["query_ms_p95"] = every[int(0.95 * (len(every) - 1))]
        out["query_ms_max"] = every[-1]
        out["query_ms_by_pair"] = {k: statistics.median(v) for k, v in times.items()}
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    """
)


def _run(what: str, cache_dir: str, *, trace: bool = False) -> dict[str, Any]:
    env = dict(os.environ, CORRIDOR_CACHE_DIR=cache_dir)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, what, "trace" if trace else "time"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in runs]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    """Run the benchmark and print the figures (Markdown-friendly)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of build/first run/load")
    repeat = max(1, parser.parse_args().repeat)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as cache:
        builds = [_run("build", "off") for _ in range(repeat)]
        firsts = [_run("first", "off") for _ in range(repeat)]
        build_mem = _run("build", "off", trace=True)
        _run("load", cache)  # writes the pickle cache
        loads = [_run("load", cache) for _ in range(repeat)]
        load_mem = _run("load", cache, trace=True)
    load_after = os.getloadavg()
    build, load = builds[0], loads[-1]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        f"load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
        f"{repeat} runs of build, first run and load (median, range)"
    )
    print(f"graph: {load['nodes']:,} nodes, {load['edges']:,} edges (corridor 'all')")
    print()
    print("| measurement | value |")
    print("|---|---:|")
    print(f"| build, no disk cache (process start -> graph), s | {_median(builds, 'ready_s')} |")
    print(f"|   of which imports, s | {_median(builds, 'import_s')} |")
    print(
        "| first run: load_network, no disk cache (build + routing indexes), s | "
        f"{_median(firsts, 'ready_s')} |"
    )
    print(
        f"| cold load, disk cache warm (process start -> graph), s | {_median(loads, 'ready_s')} |"
    )
    print(f"|   of which imports, s | {_median(loads, 'import_s')} |")
    first = load["first_query_ms"]
    print(f"| first route query of the process (reads the gazetteer), ms | {first:.1f} |")
    print(f"| route query after load, median, ms | {load['query_ms_median']:.1f} |")
    print(f"| route query after load, p95, ms | {load['query_ms_p95']:.1f} |")
    print(f"| route query after load, max, ms | {load['query_ms_max']:.1f} |")
    print(f"| tracemalloc peak during build, MB | {build_mem['tracemalloc_peak_mb']:.0f} |")
    print(f"| peak RSS of the build process, MB | {build['maxrss_mb']:.0f} |")
    print(f"| tracemalloc peak during cached load, MB | {load_mem['tracemalloc_peak_mb']:.0f} |")
    print(f"| peak RSS of the load + 200 queries process, MB | {load['maxrss_mb']:.0f} |")
    print()
    print("| query (20 runs each) | median ms |")
    print("|---|---:|")
    for label, ms in load["query_ms_by_pair"].items():
        print(f"| {label} | {ms:.1f} |")


if __name__ == "__main__":
    main()
