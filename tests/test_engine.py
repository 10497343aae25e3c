"""The shared OR-Tools search (logistics.engine): settings, determinism under load, warm starts,
ruin and recreate by whole groups. The models are small seeded pickup-and-delivery instances
built with logistics.pdptw (the engine itself is model-agnostic)."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from functools import partial

import pytest

from logistics import engine, pdptw, routemin
from logistics.engine import SearchSettings, SettingsError, search


def random_instance(n_pairs: int, seed: int, *, vehicles: int = 6) -> pdptw.PdptwInstance:
    """A seeded PDPTW instance with wide windows (always feasible with enough vehicles)."""
    rng = random.Random(seed)
    coords = [(50.0, 50.0)]
    demand, ready, due, service = [0], [0.0], [1000.0], [0.0]
    pairs = []
    for _ in range(n_pairs):
        p, d = len(coords), len(coords) + 1
        q = rng.randint(1, 10)
        start = rng.uniform(0, 400)
        for dem in (q, -q):  # the delivery window opens after the pickup window
            coords.append((rng.uniform(0, 100), rng.uniform(0, 100)))
            start += rng.uniform(0, 150) if dem < 0 else 0
            demand.append(dem)
            ready.append(round(start))
            due.append(round(start) + 300)
            service.append(10.0)
        pairs.append((p, d))
    return pdptw.PdptwInstance(
        "rand",
        vehicles,
        30,
        tuple(coords),
        tuple(demand),
        tuple(ready),
        tuple(due),
        tuple(service),
        tuple(pairs),
    )


def solve_once(
    inst: pdptw.PdptwInstance, settings: SearchSettings, **kw: object
) -> engine.SearchResult:
    model, copy = pdptw.build_model(inst), pdptw.build_model(inst)
    return search(
        model.routing,
        model.manager,
        settings,
        groups=inst.pairs,
        recreate_model=(copy.routing, copy.manager),
        **kw,  # type: ignore[arg-type]
    )


SMALL = SearchSettings(ls_solutions=200, ls_checks=50_000, rr_iterations=30, rr_remove=3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_solution", "NOPE", "first_solution: bad value 'NOPE'; allowed .*SAVINGS"),
        ("metaheuristic", "SA", "metaheuristic: bad value 'SA'; allowed .*GUIDED_LOCAL_SEARCH"),
        ("ls_solutions", 0, "ls_solutions: bad value 0; allowed an integer >= 1"),
        ("ls_checks", 1.5, "ls_checks: bad value 1.5; allowed an integer >= 1"),
        ("rr_iterations", -1, "rr_iterations: bad value -1; allowed an integer >= 0"),
        ("rr_remove", True, "rr_remove: bad value True; allowed an integer >= 1"),
        ("neighbors_ratio", 0.0, r"neighbors_ratio: bad value 0.0; allowed a number in \(0, 1\]"),
        ("min_neighbors", 0, "min_neighbors: bad value 0"),
        ("seed", -3, "seed: bad value -3; allowed an integer >= 0"),
        ("time_cap_s", 0, "time_cap_s: bad value 0; allowed None or a number of seconds > 0"),
        ("time_cap_s", float("inf"), "time_cap_s: bad value inf"),
    ],
)
def test_settings_validate_each_field(field: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        SearchSettings(**{field: value})  # type: ignore[arg-type]


def test_ruin_and_recreate_needs_groups() -> None:
    model = pdptw.build_model(random_instance(3, 0))
    with pytest.raises(SettingsError, match="groups: bad value None with rr_iterations=5"):
        search(model.routing, model.manager, SearchSettings(rr_iterations=5))


def test_search_parameters_count_work_not_time() -> None:
    params = engine.search_parameters(SearchSettings(ls_solutions=77))
    assert params.solution_limit == 77
    assert not params.HasField("time_limit") or params.time_limit.seconds > 10**6
    assert params.lns_time_limit.seconds == engine.LNS_TIME_LIMIT_S
    ops = params.local_search_operators
    for name in engine.WALL_CLOCK_OPERATORS:
        assert getattr(ops, name) == 2  # BOOL_FALSE
    greedy = engine.search_parameters(SearchSettings(), greedy=True)
    assert greedy.local_search_metaheuristic == 1  # GREEDY_DESCENT
    on = [f.name for f in greedy.local_search_operators.DESCRIPTOR.fields if getattr(ops, f.name)]
    assert on  # every operator field is set explicitly
    enabled = [
        f.name
        for f in greedy.local_search_operators.DESCRIPTOR.fields
        if getattr(greedy.local_search_operators, f.name) == 3  # BOOL_TRUE
    ]
    assert enabled == list(engine.RECREATE_OPERATORS)


def test_search_serves_every_pair_on_one_route_pickup_first() -> None:
    inst = random_instance(12, 1)
    res = solve_once(inst, SMALL)
    assert res.stopped_by == "budget"
    assert res.stats["rr_iterations"] == 30
    ev = pdptw.evaluate(inst, res.routes)
    assert ev.feasible, ev.violations
    assert res.objective > 0


def test_same_routes_when_the_other_core_is_busy() -> None:
    """Same model and settings => same routes, quiet or with a busy-loop on the other core."""
    inst = random_instance(15, 2)
    settings = replace(SMALL, rr_iterations=60, seed=5)
    quiet = solve_once(inst, settings)
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        loaded = solve_once(inst, settings)
        again = solve_once(inst, settings)
    finally:
        burner.kill()
        burner.wait()
    assert quiet.routes == loaded.routes == again.routes
    assert quiet.objective == loaded.objective == again.objective
    assert quiet.stats["solutions"] == loaded.stats["solutions"]
    assert quiet.stats["ls_checks"] == loaded.stats["ls_checks"]


def test_seed_changes_the_ruins() -> None:
    inst = random_instance(15, 2)
    runs = {solve_once(inst, replace(SMALL, seed=s)).stats["rr_accepted"] for s in range(4)}
    assert len(runs) > 1


def test_ruin_takes_whole_groups_only() -> None:
    inst = random_instance(20, 3)
    model = pdptw.build_model(inst)
    res = search(model.routing, model.manager, SearchSettings(ls_checks=20_000))
    ruin = engine._Ruin(model.routing, model.manager, inst.pairs, SearchSettings(rr_remove=4))
    pair_of = {n: pr for pr in inst.pairs for n in pr}
    emptied_a_route = False
    for _ in range(200):
        out = ruin(res.routes)
        assert out
        assert all(pair_of[n][0] in out and pair_of[n][1] in out for n in out)
        emptied_a_route |= any(r and set(r) <= out for r in res.routes)
    assert emptied_a_route  # route removal (vehicle elimination) happens


def test_initial_routes_accepted_or_rejected_with_a_fallback() -> None:
    inst = random_instance(10, 4)
    first = solve_once(inst, replace(SMALL, rr_iterations=0))
    warm = solve_once(inst, replace(SMALL, rr_iterations=0), initial_routes=first.routes)
    assert warm.stats["initial_routes"] == "accepted"
    assert warm.objective <= first.objective
    p, d = inst.pairs[0]
    bad = [[d, p]]  # delivery before its pickup: OR-Tools rejects it
    cold = solve_once(inst, replace(SMALL, rr_iterations=0), initial_routes=bad)
    assert cold.stats["initial_routes"] == "rejected"
    assert pdptw.evaluate(inst, cold.routes).feasible


def test_progress_reports_each_stage() -> None:
    seen: list[tuple[str, int, int]] = []
    solve_once(random_instance(6, 5), SMALL, progress=lambda *a: seen.append(a))
    stages = [s for s, _, _ in seen]
    assert "local_search" in stages
    assert seen[-1] == ("ruin_recreate", 30, 30)
    assert all(0 <= done <= total for _, done, total in seen)


def test_time_cap_is_reported_when_it_binds() -> None:
    res = solve_once(random_instance(20, 6), replace(SMALL, time_cap_s=1e-6))
    assert res.stopped_by == "time_cap"


def test_local_optimum_without_ruin() -> None:
    res = solve_once(
        random_instance(4, 7),
        SearchSettings(metaheuristic="GREEDY_DESCENT", ls_solutions=100_000, rr_iterations=0),
    )
    assert res.stopped_by == "local_optimum"


# --------------------------------------------------------------------------------------------
# Route minimisation (logistics.routemin): problem-independent, the oracle comes from the caller
# --------------------------------------------------------------------------------------------


class BinOracle:
    """A non-routing oracle: single-node groups with a weight, a route holds weight <= 10, cost is
    the weight added (so the phase is checked on a problem that is not a PDPTW)."""

    def __init__(self, weight: dict[int, int]) -> None:
        self.weight = weight

    def best_insertion(self, route: list[int], group: list[int]) -> tuple[int, list[int]] | None:
        total = sum(self.weight[n] for n in [*route, *group])
        return (sum(self.weight[n] for n in group), [*route, *group]) if total <= 10 else None


def test_route_min_packs_a_non_routing_problem_to_its_bound() -> None:
    weight = {1: 6, 2: 4, 3: 5, 4: 5, 5: 3, 6: 7}  # 30 in all: 3 routes of exactly 10
    oracle = BinOracle(weight)
    res = routemin.minimize_routes(
        [[n] for n in weight], [[n] for n in weight], oracle, positions=20_000, seed=1
    )
    assert len(res.routes) == 3 and res.stats["removed"] == 3
    assert sorted(n for r in res.routes for n in r) == sorted(weight)
    assert all(sum(weight[n] for n in r) <= 10 for r in res.routes)


def test_route_min_keeps_a_complete_solution_when_no_route_can_go() -> None:
    weight = {1: 6, 2: 6, 3: 6}  # no two fit together
    res = routemin.minimize_routes(
        [[1], [2], [3]], [[1], [2], [3]], BinOracle(weight), positions=500, seed=0
    )
    assert sorted(res.routes) == [[1], [2], [3]]
    assert res.stats["removed"] == 0 and res.stats["exhausted"] is True
    assert 500 <= res.stats["positions"] <= 520  # stops at the budget (work, not time)


def test_route_min_is_seeded() -> None:
    inst = random_instance(12, seed=3, vehicles=12)
    oracle = pdptw.PairInsertion(inst)
    start = [[p, d] for p, d in inst.pairs]
    runs = [
        routemin.minimize_routes(start, inst.pairs, oracle, positions=30_000, seed=s).routes
        for s in (5, 5, 6)
    ]
    assert runs[0] == runs[1]
    assert len(runs[0]) < len(start)
    for routes in runs:
        assert pdptw.evaluate(inst, routes).feasible


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"positions": -1}, "positions: bad value -1; allowed an integer >= 0"),
        ({"positions": 10, "seed": True}, "seed: bad value True"),
        ({"positions": 10, "min_routes": 0}, "min_routes: bad value 0"),
    ],
)
def test_route_min_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(routemin.RouteMinError, match=message):
        routemin.minimize_routes([[1]], [[1]], BinOracle({1: 1}), **kwargs)  # type: ignore[arg-type]


def test_route_min_needs_a_complete_solution() -> None:
    with pytest.raises(routemin.RouteMinError, match="routes: bad value"):
        routemin.minimize_routes([[1]], [[1], [2]], BinOracle({1: 1, 2: 1}), positions=10)


def test_engine_search_keeps_the_vehicles_of_minimised_routes() -> None:
    inst = random_instance(10, seed=4, vehicles=10)
    oracle = pdptw.PairInsertion(inst)
    start, _ = routemin.greedy_routes(oracle, inst.pairs)
    rm = routemin.minimize_routes(start, inst.pairs, oracle, positions=30_000, seed=0)
    model = pdptw.build_model(inst)
    res = search(
        model.routing,
        model.manager,
        SearchSettings(ls_solutions=50, ls_checks=50_000),
        initial_routes=rm.routes,
        groups=inst.pairs,
    )
    assert res.stats["initial_routes"] == "accepted"
    ev = pdptw.evaluate(inst, res.routes)
    assert ev.feasible and ev.vehicles <= len(rm.routes)


def test_route_ruin_share_is_validated() -> None:
    with pytest.raises(SettingsError, match=r"route_ruin_share: bad value 1.5; allowed a number"):
        SearchSettings(route_ruin_share=1.5)
    assert SearchSettings().route_ruin_share == engine.ROUTE_RUIN_SHARE  # the fleet's default


def test_caller_insertion_recreate_is_checked_by_the_model_and_seeded() -> None:
    inst = random_instance(10, seed=7, vehicles=10)
    oracle = pdptw.PairInsertion(inst)
    settings = SearchSettings(
        ls_solutions=20, ls_checks=20_000, rr_iterations=60, rr_remove=4, route_ruin_share=0.0
    )

    def run() -> engine.SearchResult:
        return solve_once(inst, settings, insert_groups=partial(routemin.insert_groups, oracle))

    a, b = run(), run()
    assert a.routes == b.routes and a.objective == b.objective
    assert a.stats["rr_iterations"] == 60 and "rr_unfit" in a.stats
    assert a.stats["rr_accepted"] > 0
    ev = pdptw.evaluate(inst, a.routes)
    assert ev.feasible, ev.violations
    plain = solve_once(inst, replace(settings, rr_iterations=0))
    assert a.objective <= plain.objective  # the search keeps its best
    assert "rr_unfit" not in plain.stats  # without it, the stats are as before


def test_insert_groups_leaves_out_what_fits_nowhere() -> None:
    inst = pdptw.parse_lilim(
        "2 8 1\n0 0 0 0 0 100 0 0 0\n1 10 0 5 0 30 1 0 2\n2 20 0 -5 0 60 1 1 0\n"
        "3 0 10 8 0 12 1 0 4\n4 0 20 -8 0 70 1 3 0\n"
    )
    oracle = pdptw.PairInsertion(inst)
    out = routemin.insert_groups(oracle, [[1, 2], []], [(3, 4)], random.Random(0))
    assert out == [[1, 2], []]  # never opens the empty route, and 3-4 cannot join 1-2
    out = routemin.insert_groups(oracle, [[], []], [(1, 2)], random.Random(0))
    assert out == [[], []]
