"""Many-to-many travel matrices between stops on the multimodal graph, under a scenario.

:class:`TravelNetwork` turns a graph of the contract (``docs/architecture.md``) into compressed
sparse row (CSR) matrices once; :meth:`TravelNetwork.road_matrix` then runs
:func:`scipy.sparse.csgraph.dijkstra` from every unique stop node at once (C code, not one networkx
call per pair). Border edges weigh their free-flow time plus the scenario's delay for that
crossing and direction (clearance at the chosen percentile plus the opening-hours wait, see
:func:`logistics.rules.border.crossing_passage`), so the shortest path already picks the faster
crossing. The predecessor tree of each search gives, per pair, the driven distance, the border
delay, the crossings used (a bit set, and in order on demand) and the countries driven through.

Trucks use ``road``, ``border`` and ``port`` (port access / drayage) edges; ships use ``sea``
edges only (:meth:`TravelNetwork.sea_matrix`).

:func:`to_solver_int` is the one place where hours, metres and dollars become the integers
OR-Tools needs (rounding rule: ceiling, so time and cost are never under-stated).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from networks.geo import ACCESS_CIRCUITY, ACCESS_SPEED_KPH, MAX_ACCESS_KM, access_leg, nearest
from networks.geo import haversine_m as haversine_m  # re-export: the fleet imports it from here
from networks.types import Place

log = logging.getLogger(__name__)

TRUCK_MODES = ("road", "border", "port")
SEA_MODES = ("sea",)

#: The access leg from a stop to its nearest road node is the model of :mod:`networks.geo`
#: (great-circle x :data:`ACCESS_CIRCUITY` at :data:`ACCESS_SPEED_KPH`); a stop farther than
#: :data:`MAX_ACCESS_KM` from any road node is unreachable.
ACCESS_MODEL = (ACCESS_CIRCUITY, ACCESS_SPEED_KPH, MAX_ACCESS_KM)
#: Seconds added per metre in the second search that recovers path lengths (see ``_matrix``);
#: small enough not to change the quickest path (3,000 km add 0.3 s), large enough for float64.
LENGTH_EPS_S_PER_M = 1e-7
#: Threads for the searches (scipy's dijkstra releases the GIL).
SEARCH_THREADS = 3


class MatrixError(ValueError):
    """A graph or stop list that cannot give a travel matrix (names the problem)."""


def to_solver_int(
    values: Any, *, scale: float, big: int = 10**12, rounding: str = "ceil"
) -> np.ndarray:
    """Convert non-negative floats to the int64 OR-Tools needs.

    The single place where hours, seconds, metres, tonnes or dollars become integers.

    Parameters
    ----------
    values : array-like of float
        Non-negative quantities (negative values are clipped to 0).
    scale : float
        Solver units per input unit (``1/60``: seconds -> minutes; ``100``: USD -> cents).
    big : int
        Value for ``inf``/``nan`` (unreachable) entries.
    rounding : {"ceil", "floor"}
        ``ceil`` (default) for travel times, costs and demands: never under-stated.
        ``floor`` for capacities and window ends: never over-stated. Float noise below 1e-9 of
        a unit is removed first, so ``60.0000000001`` minutes stays 60.
    """
    if rounding not in ("ceil", "floor"):
        raise ValueError(f"rounding {rounding!r} is not allowed; allowed: ceil, floor")
    arr = np.asarray(values, dtype=float) * scale
    out = np.full(arr.shape, big, dtype=np.int64)
    ok = np.isfinite(arr)
    x = np.maximum(arr[ok], 0.0)
    out[ok] = np.ceil(x - 1e-9) if rounding == "ceil" else np.floor(x + 1e-9)
    return np.minimum(out, big)


@dataclass(frozen=True)
class BorderTerms:
    """What one crossing in one direction adds to a truck arc under a scenario.

    Attributes
    ----------
    delay_h : float
        Clearance (exit + entry + documentary) at the percentile plus the opening-hours wait.
    fee_usd : float
        Exit plus entry fees.
    """

    delay_h: float
    fee_usd: float = 0.0


def border_terms(
    scenario: Any,
    *,
    quantile: float,
    params: Any = None,
    crossings: Sequence[tuple[str, str, str]] | None = None,
) -> dict[tuple[str, str, str], BorderTerms]:
    """Border terms of every crossing direction (or ``crossings``) under ``scenario``.

    Each is :func:`logistics.rules.border.crossing_passage` at ``quantile``: clearance plus the
    opening-hours wait for a random arrival, and the fees. Directions that never open are left
    out (no truck can drive through them).
    """
    from logistics.parameters import load_parameters
    from logistics.rules.border import crossing_passage

    p = params or load_parameters()
    out = {}
    for key in crossings if crossings is not None else list(p.borders):
        passage = crossing_passage(scenario, p, *key, quantile=quantile)
        if passage.passable:
            out[key] = BorderTerms(delay_h=passage.delay_h, fee_usd=passage.fee_usd)
    return out


@dataclass(frozen=True)
class TravelMatrix:
    """Travel between stops (row = from, column = to).

    Attributes
    ----------
    places : tuple of Place
        The stops, in matrix order.
    nodes : tuple
        Graph node each stop was snapped to.
    access_m : numpy.ndarray
        Great-circle distance from each stop to its node.
    time_s : numpy.ndarray
        Door-to-door time: access legs, driving and border delays (``inf`` when unreachable).
    drive_s : numpy.ndarray
        Driving time only (access legs and edges), no border delays.
    border_s : numpy.ndarray
        Border delays along the path.
    distance_m : numpy.ndarray
        Distance along the path, access legs included.
    fee_usd : numpy.ndarray
        Border fees along the path.
    crossings_mask : numpy.ndarray of int64
        Bit ``k`` set when the path uses crossing ``crossing_ids[k]``.
    countries_mask : numpy.ndarray of int64
        Bit ``k`` set when the path drives in ``country_codes[k]``.
    """

    places: tuple[Place, ...]
    nodes: tuple[Any, ...]
    access_m: np.ndarray
    time_s: np.ndarray
    drive_s: np.ndarray
    border_s: np.ndarray
    distance_m: np.ndarray
    fee_usd: np.ndarray
    crossings_mask: np.ndarray
    countries_mask: np.ndarray
    crossing_ids: tuple[str, ...]
    country_codes: tuple[str, ...]
    _paths: _PathStore | None = field(default=None, repr=False, compare=False)

    @property
    def reachable(self) -> np.ndarray:
        """Boolean matrix: a path exists."""
        return np.isfinite(self.time_s)

    def crossings(self, i: int, j: int) -> list[str]:
        """Crossing ids used from stop ``i`` to stop ``j``, in order of travel."""
        if self._paths is None or not self.reachable[i, j]:
            return []
        return self._paths.crossings(i, j)

    def path_nodes(self, i: int, j: int) -> list[Any]:
        """Graph nodes of the path from stop ``i`` to stop ``j`` (empty when unreachable)."""
        if self._paths is None or not self.reachable[i, j]:
            return []
        return self._paths.nodes(i, j)

    def path_lonlat(self, i: int, j: int) -> list[tuple[float, float]]:
        """(lon, lat) of the graph nodes on the path from stop ``i`` to stop ``j``."""
        if self._paths is None or not self.reachable[i, j]:
            return []
        net = self._paths.net
        return [(float(net.lon[k]), float(net.lat[k])) for k in self._paths._walk(i, j)]

    def countries(self, i: int, j: int) -> set[str]:
        """Countries driven through from stop ``i`` to stop ``j``."""
        mask = int(self.countries_mask[i, j])
        return {c for k, c in enumerate(self.country_codes) if mask >> k & 1}


@dataclass
class _PathStore:
    """Predecessor rows of the searches, to walk paths on demand."""

    net: TravelNetwork
    source_row: np.ndarray  # stop index -> row in pred
    target_idx: np.ndarray  # stop index -> graph index
    pred: np.ndarray  # (n_sources, n_nodes) int32
    edge_crossing: Mapping[tuple[int, int], int]

    def _walk(self, i: int, j: int) -> list[int]:
        row = self.pred[self.source_row[i]]
        src = int(self.target_idx[i])
        cur = int(self.target_idx[j])
        out = [cur]
        while cur != src:
            cur = int(row[cur])
            if cur < 0:
                return []
            out.append(cur)
        return out[::-1]

    def nodes(self, i: int, j: int) -> list[Any]:
        return [self.net.node_ids[k] for k in self._walk(i, j)]

    def crossings(self, i: int, j: int) -> list[str]:
        walk = self._walk(i, j)
        out = []
        for a, b in itertools.pairwise(walk):
            k = self.edge_crossing.get((a, b), -1)
            if k >= 0:
                out.append(self.net.crossing_ids[k])
        return out


class TravelNetwork:
    """A graph prepared for many-to-many searches (built once, reused across scenarios).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Graph of the contract: node ``x``, ``y``, ``country``, ``kind``; edge ``mode``,
        ``length`` (m), ``travel_time`` (s); border edges ``crossing_id``, ``from_country``,
        ``to_country``.

    Notes
    -----
    Scenario-weighted CSR matrices are cached on the instance, keyed by the border terms, so
    the same network serves several scenarios without mutable module state.
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        #: the graph itself, for walking a plan's paths (:mod:`logistics.fleet.timing`)
        self.graph = G
        self.node_ids: list[Any] = list(G.nodes)
        index = {n: i for i, n in enumerate(self.node_ids)}
        self.index = index
        data = G.nodes
        self.lat = np.array([float(data[n]["y"]) for n in self.node_ids])
        self.lon = np.array([float(data[n]["x"]) for n in self.node_ids])
        self.country = np.array([str(data[n].get("country", "")) for n in self.node_ids])
        self.kind = np.array([str(data[n].get("kind", "road")) for n in self.node_ids])
        self.port_node = {
            str(d["port_id"]): index[n]
            for n, d in G.nodes(data=True)
            if d.get("kind") == "port" and d.get("port_id")
        }
        rows = []
        for u, v, d in G.edges(data=True):
            try:
                length, tt = float(d["length"]), float(d["travel_time"])
            except (KeyError, TypeError, ValueError):
                raise MatrixError(
                    f"edge {u!r}->{v!r} lacks a numeric 'length' (m) or 'travel_time' (s); "
                    "every edge of the graph contract has both"
                ) from None
            rows.append(
                (
                    index[u],
                    index[v],
                    str(d.get("mode", "road")),
                    length,
                    tt,
                    str(d.get("crossing_id", "") or ""),
                    str(d.get("from_country", "") or ""),
                    str(d.get("to_country", "") or ""),
                    str(d.get("country", "") or ""),
                )
            )
        self.edges = pd.DataFrame(
            rows,
            columns=[
                "u",
                "v",
                "mode",
                "length",
                "travel_time",
                "crossing_id",
                "frm",
                "to",
                "country",
            ],
        )
        border = self.edges["mode"] == "border"
        self.crossing_ids: tuple[str, ...] = tuple(
            sorted(set(self.edges.loc[border, "crossing_id"]) - {""})
        )
        #: (crossing_id, from_country, to_country) of every border edge direction
        self.border_keys: frozenset[tuple[str, str, str]] = frozenset(
            self.edges.loc[border, ["crossing_id", "frm", "to"]].itertuples(index=False, name=None)
        )
        codes = sorted((set(self.country) | set(self.edges["country"])) - {""})
        self.country_codes: tuple[str, ...] = tuple(codes)
        if len(self.crossing_ids) > 63 or len(self.country_codes) > 63:
            raise MatrixError("more than 63 crossings or countries; bit sets hold at most 63")
        self._csr_cache: dict[Any, tuple[csr_matrix, csr_matrix, pd.DataFrame]] = {}
        log.info(
            "travel network: %d nodes, %d edges, %d crossings",
            len(self.node_ids),
            len(self.edges),
            len(self.crossing_ids),
        )

    # ------------------------------------------------------------------ snapping

    def snap(self, places: Sequence[Place]) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road node (graph index) of each place, in its own country when known.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Graph indices and great-circle access distances in metres.
        """
        road = np.flatnonzero(self.kind == "road")
        pos, dist = nearest(
            [p.lat for p in places],
            [p.lon for p in places],
            self.lat[road],
            self.lon[road],
            country=np.array([p.country for p in places], dtype=object),
            node_country=self.country[road],
        )
        return road[pos].astype(np.int64), dist

    # ------------------------------------------------------------------ weights

    def _csr(
        self, modes: tuple[str, ...], border_terms: Mapping[tuple[str, str, str], BorderTerms]
    ) -> tuple[csr_matrix, csr_matrix, pd.DataFrame]:
        key = (modes, tuple(sorted((k, v) for k, v in border_terms.items())))
        if key in self._csr_cache:
            return self._csr_cache[key]
        e = self.edges[self.edges["mode"].isin(modes)].copy()
        delay = np.zeros(len(e))
        fee = np.zeros(len(e))
        missing = set()
        is_border = (e["mode"] == "border").to_numpy()
        for pos in np.flatnonzero(is_border):
            row = e.iloc[pos]
            terms = border_terms.get((row["crossing_id"], row["frm"], row["to"]))
            if terms is None:
                missing.add((row["crossing_id"], row["frm"], row["to"]))
                continue
            delay[pos] = terms.delay_h * 3600.0
            fee[pos] = terms.fee_usd
        if missing:
            log.warning(
                "no scenario terms for %d crossing directions (no delay added): %s",
                len(missing),
                ", ".join("/".join(m) for m in sorted(missing)),
            )
        e["delay_s"] = delay
        e["fee_usd"] = fee
        e["weight"] = e["travel_time"] + e["delay_s"]
        e = e[np.isfinite(e["weight"])]
        # one edge per (u, v): the quickest of any parallel edges
        e = (
            e.sort_values("weight", kind="stable")
            .drop_duplicates(["u", "v"])
            .reset_index(drop=True)
        )
        n = len(self.node_ids)
        # csr sums duplicates; there are none now. Zero weights would read as "no edge".
        w = np.maximum(e["weight"].to_numpy(), 1e-6)
        uv = (e["u"].to_numpy(), e["v"].to_numpy())
        csr = csr_matrix((w, uv), shape=(n, n))
        csr_len = csr_matrix((w + LENGTH_EPS_S_PER_M * e["length"].to_numpy(), uv), shape=(n, n))
        self._csr_cache[key] = (csr, csr_len, e)
        return csr, csr_len, e

    # ------------------------------------------------------------------ matrices

    def road_matrix(
        self,
        places: Sequence[Place],
        *,
        border_terms: Mapping[tuple[str, str, str], BorderTerms] | None = None,
        stop_nodes: Sequence[Any] | None = None,
    ) -> TravelMatrix:
        """Truck travel between every pair of ``places`` under the given border terms.

        Parameters
        ----------
        places : sequence of Place
            Stops; each is snapped to its nearest road node (in its country when known).
        border_terms : mapping, optional
            ``(crossing_id, from_country, to_country) -> BorderTerms``; crossings without terms
            add no delay (logged).
        stop_nodes : sequence, optional
            Graph node id per stop, or ``None`` to snap that stop (checkpoints and ports are
            given by node so the matrix starts exactly there).

        Returns
        -------
        TravelMatrix
        """
        return self._matrix(places, TRUCK_MODES, border_terms or {}, snap=True, fixed=stop_nodes)

    def sea_matrix(self, port_ids: Sequence[str]) -> TravelMatrix:
        """Sailing distance and time between ports over ``sea`` edges (no dwell, no waiting)."""
        missing = [p for p in port_ids if p not in self.port_node]
        if missing:
            raise MatrixError(
                f"unknown port(s) {', '.join(missing)}; ports in the graph: "
                f"{', '.join(sorted(self.port_node))}"
            )
        nodes = [self.port_node[p] for p in port_ids]
        places = [
            Place(
                name=p,
                lat=float(self.lat[k]),
                lon=float(self.lon[k]),
                country=str(self.country[k]),
                kind="port",
                place_id=p,
            )
            for p, k in zip(port_ids, nodes, strict=True)
        ]
        return self._matrix(places, SEA_MODES, {}, snap=False, nodes=np.array(nodes))

    def _matrix(
        self,
        places: Sequence[Place],
        modes: tuple[str, ...],
        border_terms: Mapping[tuple[str, str, str], BorderTerms],
        *,
        snap: bool,
        nodes: np.ndarray | None = None,
        fixed: Sequence[Any] | None = None,
    ) -> TravelMatrix:
        n_stops = len(places)
        if n_stops == 0:
            raise MatrixError("no stops given")
        if snap:
            nodes, access_m = self.snap(places)
            for k, node in enumerate(fixed or []):
                if node is None:
                    continue
                if node not in self.index:
                    raise MatrixError(f"stop node {node!r} is not in the graph")
                nodes[k] = self.index[node]
                access_m[k] = 0.0
        else:
            assert nodes is not None
            access_m = np.zeros(n_stops)
        csr, csr_len, e = self._csr(modes, border_terms)
        uniq = np.unique(nodes)
        border = e[e["mode"] == "border"].reset_index(drop=True)
        heads = border["v"].to_numpy()
        uh, hinv = np.unique(heads, return_inverse=True)
        # scipy's dijkstra releases the GIL: the three searches run side by side.
        with ThreadPoolExecutor(max_workers=SEARCH_THREADS) as pool:
            main = pool.submit(dijkstra, csr, directed=True, indices=uniq, return_predecessors=True)
            # Length along the quickest path: a second search on time + EPS * length; its
            # distance minus the time is EPS times the path length (ties broken by length).
            by_len = pool.submit(dijkstra, csr_len, directed=True, indices=uniq)
            heads_fut = pool.submit(dijkstra, csr, directed=True, indices=uh) if len(uh) else None
            dist, pred = main.result()
            dist_len = by_len.result()
            from_heads = heads_fut.result() if heads_fut is not None else None
        with np.errstate(invalid="ignore"):  # inf - inf on unreachable pairs, masked below
            return self._assemble(
                places, nodes, access_m, e, dist, pred, dist_len, from_heads, hinv, border
            )

    def _assemble(
        self,
        places: Sequence[Place],
        nodes: np.ndarray,
        access_m: np.ndarray,
        e: pd.DataFrame,
        dist: np.ndarray,
        pred: np.ndarray,
        dist_len: np.ndarray,
        from_heads: np.ndarray | None,
        hinv: np.ndarray,
        border: pd.DataFrame,
    ) -> TravelMatrix:
        n_stops = len(places)
        _, inverse = np.unique(nodes, return_inverse=True)
        src_rows = inverse  # stop -> row of uniq
        tgt = nodes
        sel = np.ix_(src_rows, tgt)
        time_s = dist[sel].astype(float)
        length = np.maximum((dist_len[sel] - time_s) / LENGTH_EPS_S_PER_M, 0.0)
        # Border edges on the quickest path: d(s,u) + w(u,v) + d(v,t) == d(s,t).
        delay = np.zeros((n_stops, n_stops))
        fee = np.zeros((n_stops, n_stops))
        cm = np.zeros((n_stops, n_stops), dtype=np.int64)
        km = np.zeros((n_stops, n_stops), dtype=np.int64)
        if from_heads is not None:
            from_head = from_heads[:, tgt]  # (n_heads, n_stops)
            to_tail = dist[:, border["u"].to_numpy()][src_rows]  # (n_stops, n_border)
            tol = 1e-6 * np.maximum(time_s, 1.0)
            for b, row in enumerate(border.itertuples(index=False)):
                via = to_tail[:, b][:, None] + row.weight + from_head[hinv[b]][None, :]
                on = np.isfinite(time_s) & (np.abs(via - time_s) <= tol)
                delay += on * row.delay_s
                fee += on * row.fee_usd
                if row.crossing_id in self.crossing_ids:
                    cm |= np.where(on, 1 << self.crossing_ids.index(row.crossing_id), 0)
                if row.to in self.country_codes:
                    km |= np.where(on, 1 << self.country_codes.index(row.to), 0)
        # access legs (stop -> node and node -> stop)
        access_len, access_s = access_leg(access_m)
        add_t = access_s[:, None] + access_s[None, :]
        add_l = access_len[:, None] + access_len[None, :]
        lat = np.array([p.lat for p in places])
        lon = np.array([p.lon for p in places])
        same_place = (lat[:, None] == lat[None, :]) & (lon[:, None] == lon[None, :])
        time_s = np.where(same_place, 0.0, time_s + add_t)
        length = np.where(same_place, 0.0, length + add_l)
        delay = np.where(same_place, 0.0, delay)
        fee = np.where(same_place, 0.0, fee)
        cm = np.where(same_place, 0, cm)
        far = access_m > MAX_ACCESS_KM * 1000.0
        if far.any():
            time_s[far, :] = np.inf
            time_s[:, far] = np.inf
            np.fill_diagonal(time_s, 0.0)
            log.warning(
                "%d stop(s) farther than %.0f km from any road node: %s",
                int(far.sum()),
                MAX_ACCESS_KM,
                ", ".join(places[int(k)].name for k in np.flatnonzero(far)),
            )
        unreachable = ~np.isfinite(time_s)
        for arr in (length, delay, fee):
            arr[unreachable] = np.inf
        drive = np.where(unreachable, np.inf, time_s - np.where(unreachable, 0.0, delay))
        # country of each stop itself (access legs)
        stop_country_bit = np.array(
            [
                (1 << self.country_codes.index(p.country)) if p.country in self.country_codes else 0
                for p in places
            ],
            dtype=np.int64,
        )
        km = km | stop_country_bit[:, None] | stop_country_bit[None, :]
        border_edges = e[e["mode"] == "border"]
        edge_crossing = {
            (int(u), int(v)): self.crossing_ids.index(c)
            for u, v, c in zip(
                border_edges["u"], border_edges["v"], border_edges["crossing_id"], strict=True
            )
            if c in self.crossing_ids
        }
        paths = _PathStore(
            net=self,
            source_row=src_rows,
            target_idx=np.asarray(tgt),
            pred=pred.astype(np.int32),
            edge_crossing=edge_crossing,
        )
        return TravelMatrix(
            places=tuple(places),
            nodes=tuple(self.node_ids[k] for k in tgt),
            access_m=access_m,
            time_s=time_s,
            drive_s=drive,
            border_s=delay,
            distance_m=length,
            fee_usd=fee,
            crossings_mask=cm,
            countries_mask=km,
            crossing_ids=self.crossing_ids,
            country_codes=self.country_codes,
            _paths=paths,
        )
