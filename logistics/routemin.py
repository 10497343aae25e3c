"""Route minimisation by an ejection pool, independent of the problem (a search-engine phase).

The phase follows the route-minimisation heuristic of Nagata & Bräysy (2009, "A powerful route
minimization heuristic for the vehicle routing problem with time windows", Operations Research
Letters 37(5)), adapted to *groups* of nodes served together (a pickup-delivery pair):

1. take one route out; its groups go into the ejection pool (a stack);
2. pop a group and insert it where it fits at least added cost;
3. if it fits nowhere, add 1 to its failure counter ``p[g]`` and insert it after ejecting one
   or two groups of one route, chosen by the smallest sum of their failure counters (ties
   seeded); the ejected groups go into the pool;
4. after every ejection, ``perturb_moves`` seeded relocations of random groups (diversification);
5. when the pool is empty, the solution has one route fewer: keep it and go to 1.

Not implemented from the paper: the "squeeze" step (insertion into an infeasible position
followed by a penalty local search). Everything problem-specific sits behind the caller's
:class:`InsertionOracle` (e.g. time windows, capacity, pairing); this module only moves groups.

Determinism: the budget counts work, never seconds: ``positions``, the insertion positions
offered to the oracle (a group tried in a route of n nodes counts n + 1), about proportional to
the oracle's CPU time whatever the route lengths; every random choice comes from ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

Route = list[int]


class InsertionOracle(Protocol):
    """The caller's feasibility and cost knowledge (e.g. :class:`logistics.pdptw.PairInsertion`)."""

    def best_insertion(
        self, route: Sequence[int], group: Sequence[int]
    ) -> tuple[int, Route] | None:
        """Cheapest feasible route with ``group`` inserted: ``(added cost, new route)`` or None.

        ``route`` is a feasible route (node ids, depot excluded; may be empty).
        """
        ...


class RouteMinError(ValueError):
    """Bad argument (names the argument, value and what is allowed)."""


@dataclass(frozen=True)
class RouteMinResult:
    """Outcome of :func:`minimize_routes`.

    Attributes
    ----------
    routes : list of list of int
        Non-empty routes of the last complete solution (every group served).
    stats : dict
        ``checks`` (oracle calls), ``positions`` (work spent), ``routes_start``,
        ``routes_end``, ``removed`` (routes taken out successfully), ``ejections``,
        ``positions_last_removal`` (work spent when the last route went), ``exhausted`` (True if
        the budget ended a removal attempt).
    """

    routes: list[Route]
    stats: dict[str, int | bool] = field(default_factory=dict)


class _Budget:
    """Work counter: ``used`` positions of ``limit``, ``calls`` oracle calls."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used, self.calls = limit, 0, 0

    def left(self) -> bool:
        return self.used < self.limit

    def call(
        self, oracle: InsertionOracle, route: Sequence[int], group: Sequence[int]
    ) -> tuple[int, Route] | None:
        self.used += len(route) + 1
        self.calls += 1
        return oracle.best_insertion(route, group)


def _best_over(
    oracle: InsertionOracle,
    routes: list[Route],
    group: Sequence[int],
    budget: _Budget,
) -> tuple[int, int, Route] | None:
    """Cheapest insertion of ``group`` over all routes: ``(cost, route index, new route)``."""
    best: tuple[int, int, Route] | None = None
    for k, r in enumerate(routes):
        ins = budget.call(oracle, r, group)
        if ins is not None and (best is None or ins[0] < best[0]):
            best = (ins[0], k, ins[1])
    return best


def greedy_routes(
    oracle: InsertionOracle, groups: Sequence[Sequence[int]]
) -> tuple[list[Route], int]:
    """Sequential cheapest insertion of ``groups`` in the given order, a new route when a group
    fits in no open route. Returns the routes and the oracle calls made.

    Raises
    ------
    RouteMinError
        If a group does not fit even in an empty route.
    """
    budget = _Budget(0)
    routes: list[Route] = []
    for g in groups:
        best = _best_over(oracle, routes, g, budget)
        if best is None:
            alone = budget.call(oracle, [], g)
            if alone is None:
                raise RouteMinError(f"groups: bad value {list(g)!r}; infeasible even alone")
            routes.append(alone[1])
        else:
            routes[best[1]] = best[2]
    return routes, budget.calls


def insert_groups(
    oracle: InsertionOracle,
    routes: list[Route],
    groups: Sequence[Sequence[int]],
    rng: random.Random,
) -> list[Route]:
    """Put ``groups`` back into ``routes`` (a recreate step): in a seeded random order, each at
    its cheapest feasible place in a non-empty route (never opening a route: that is left to
    the caller); groups that fit nowhere stay out."""
    out = [list(r) for r in routes]
    used = [k for k, r in enumerate(out) if r]
    order = list(groups)
    rng.shuffle(order)
    budget = _Budget(0)
    for g in order:
        best = _best_over(oracle, [out[k] for k in used], g, budget)
        if best is not None:
            out[used[best[1]]] = best[2]
    return out


def _eject(
    oracle: InsertionOracle,
    routes: list[Route],
    group: Sequence[int],
    groups: Sequence[tuple[int, ...]],
    group_of: dict[int, int],
    fails: list[int],
    rng: random.Random,
    budget: _Budget,
    max_tries: int,
) -> tuple[int, Route, list[int]] | None:
    """Insert ``group`` after ejecting 1 or 2 groups of one route, the ejected set chosen by the
    least sum of failure counters (ties seeded); at most ``max_tries`` candidates are tried.
    Returns ``(route index, new route, ejected group ids)``."""
    cands: list[tuple[int, int, float, int, tuple[int, ...]]] = []
    for k, r in enumerate(routes):
        on = sorted({group_of[n] for n in r})
        for a_i, a in enumerate(on):
            cands.append((fails[a], 1, rng.random(), k, (a,)))
            for b in on[a_i + 1 :]:
                cands.append((fails[a] + fails[b], 2, rng.random(), k, (a, b)))
    cands.sort()
    for _, _, _, k, out in cands[:max_tries]:
        if not budget.left():
            return None
        drop = {n for h in out for n in groups[h]}
        ins = budget.call(oracle, [n for n in routes[k] if n not in drop], group)
        if ins is not None:
            return k, ins[1], list(out)
    return None


def _perturb(
    oracle: InsertionOracle,
    routes: list[Route],
    groups: Sequence[tuple[int, ...]],
    group_of: dict[int, int],
    rng: random.Random,
    budget: _Budget,
    moves: int,
) -> None:
    """``moves`` seeded relocations: a random group to its cheapest place in another random
    route (kept only when feasible there)."""
    if len(routes) < 2:
        return
    for _ in range(moves):
        if not budget.left():
            return
        k = rng.randrange(len(routes))
        if not routes[k]:
            continue
        h = group_of[routes[k][rng.randrange(len(routes[k]))]]
        to = rng.randrange(len(routes) - 1)
        to += to >= k
        ins = budget.call(oracle, routes[to], groups[h])
        if ins is not None:
            drop = set(groups[h])
            routes[k] = [n for n in routes[k] if n not in drop]
            routes[to] = ins[1]
    routes[:] = [r for r in routes if r]


def minimize_routes(
    routes: Sequence[Sequence[int]],
    groups: Sequence[Sequence[int]],
    oracle: InsertionOracle,
    *,
    positions: int,
    seed: int = 0,
    min_routes: int = 1,
    perturb_moves: int = 20,
    eject_tries: int = 300,
) -> RouteMinResult:
    """Remove routes one at a time with an ejection pool until the budget is spent.

    Parameters
    ----------
    routes : sequence of sequences of int
        A complete feasible solution (every node of ``groups`` on exactly one route).
    groups : sequence of sequences of int
        Node sets that stay on one route (pickup-delivery pairs); they partition the nodes.
    oracle : InsertionOracle
        Feasibility and cost of inserting a group into a route.
    positions : int
        Work budget: insertion positions offered to the oracle (a route of n nodes: n + 1).
    seed : int
        Seeds the route choices, ejection ties and perturbation.
    min_routes : int
        Stop when this many routes remain (a lower bound, or 1).
    perturb_moves, eject_tries : int
        Relocations after each ejection; candidate ejections tried per failed insertion.
        assumption: set on Li & Lim tuning instances (docs/benchmarks.md).

    Returns
    -------
    RouteMinResult
        The last complete solution (never fewer groups served than given).

    Raises
    ------
    RouteMinError
        On a bad budget or groups that do not cover the routes' nodes.
    """
    for name, value, low in (
        ("positions", positions, 0),
        ("seed", seed, 0),
        ("min_routes", min_routes, 1),
        ("perturb_moves", perturb_moves, 0),
        ("eject_tries", eject_tries, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise RouteMinError(f"{name}: bad value {value!r}; allowed an integer >= {low}")
    gs = [tuple(g) for g in groups if len(g) > 0]
    group_of = {n: k for k, g in enumerate(gs) for n in g}
    current = [list(r) for r in routes if r]
    on_routes = [n for r in current for n in r]
    if sorted(on_routes) != sorted(group_of):
        raise RouteMinError(
            "routes: bad value (nodes on routes differ from the nodes of groups); "
            "allowed a complete solution, every group node exactly once"
        )
    rng = random.Random(seed)
    budget = _Budget(positions)
    fails = [1] * len(gs)
    stats: dict[str, int | bool] = {
        "routes_start": len(current),
        "removed": 0,
        "ejections": 0,
        "positions_last_removal": 0,
        "exhausted": False,
    }
    while len(current) > min_routes and budget.left():
        trial = [list(r) for r in current]
        victim = trial.pop(rng.randrange(len(trial)))
        pool = sorted({group_of[n] for n in victim})
        rng.shuffle(pool)
        while pool and budget.left():
            g = pool.pop()
            best = _best_over(oracle, trial, gs[g], budget)
            if best is not None:
                trial[best[1]] = best[2]
                continue
            fails[g] += 1
            ej = _eject(oracle, trial, gs[g], gs, group_of, fails, rng, budget, eject_tries)
            if ej is None:
                pool.insert(0, g)  # retry later, after the perturbation
            else:
                k, new_route, out = ej
                trial[k] = new_route
                pool.extend(out)
                stats["ejections"] += 1
            _perturb(oracle, trial, gs, group_of, rng, budget, perturb_moves)
        if pool:
            stats["exhausted"] = True
            break
        current = [r for r in trial if r]
        stats["removed"] += 1
        stats["positions_last_removal"] = budget.used
    stats["checks"] = budget.calls
    stats["positions"] = budget.used
    stats["routes_end"] = len(current)
    return RouteMinResult(current, stats)
