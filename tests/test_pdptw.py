"""Li & Lim PDPTW benchmark stage: reader, independent evaluator, model on the shared engine, CLI.

TINY (below) is hand-written: two pairs on the axes around the depot. Its optimum is one vehicle
serving 1, 2, 3, 4 (or 3, 4, 1, 2): 10 + 10 + sqrt(500) + 10 + 20 = 72.3607 (computed by hand,
every other order breaks a window or the capacity or is longer).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics import pdptw
from logistics.cli import main
from logistics.engine import SearchSettings
from logistics.pdptw import PdptwFormatError, evaluate, parse_lilim

TINY = """2 10 1
0 0 0 0 0 100 0 0 0
1 10 0 5 0 50 1 0 2
2 20 0 -5 0 60 1 1 0
3 0 10 8 0 50 1 0 4
4 0 20 -8 0 70 1 3 0
"""
TINY_OPT = 50 + math.sqrt(500)
QUICK = SearchSettings(ls_solutions=100, ls_checks=20_000, rr_iterations=20, rr_remove=2)


@pytest.fixture()
def tiny() -> pdptw.PdptwInstance:
    return parse_lilim(TINY, name="tiny")


def test_parse_tiny(tiny: pdptw.PdptwInstance) -> None:
    assert tiny.vehicles == 2 and tiny.capacity == 10 and tiny.n_tasks == 4
    assert tiny.pairs == ((1, 2), (3, 4))
    assert tiny.demand == (0, 5, -5, 8, -8)
    assert tiny.due[0] == 100 and tiny.service[1] == 1
    assert tiny.distance(2, 3) == pytest.approx(math.sqrt(500))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"<string>: field K Q S"),
        ("2 10\n", r"<string>:1: field K Q S: bad value '2 10'"),
        ("0 10 1\n", r"<string>:1: field K: bad value '0'; expected at least 1 vehicle"),
        ("2 10 -1\n", r"<string>:1: field S: bad value '-1'; expected a number >= 0"),
        (TINY.replace("1 10 0 5 0 50", "1 10 0 5 0 x"), r"<string>:3: field latest: bad value 'x'"),
        (TINY.replace("3 0 10 8", "5 0 10 8"), r"<string>:5: field id: bad value '5'"),
        (TINY.replace("2 20 0 -5 0 60", "2 20 0 -5 70 60"), r"<string>:4: field latest"),
        (TINY.replace("4 0 20 -8", "4 0 20 -7"), r"<string>:5: field delivery: bad value 4"),
        (
            TINY.replace("3 0 10 8 0 50 1 0 4", "3 0 10 8 0 50 1 0 2"),
            r":5: field delivery: bad value 2",
        ),
        (TINY.replace("1 10 0 5", "1 10 0 11"), r"<string>:3: field demand: bad value 11.0"),
        (TINY.replace("0 0 0 0 0 100", "0 0 0 3 0 100"), r"<string>:2: field depot"),
        (TINY + "5 1 1 0 0 9 0 0 0\n", r"<string>:7: field demand/pickup/delivery"),
        ("2 10 1\n0 0 0 0 0 100 0 0 0\n", r"field node rows: bad value 1"),
        (TINY.replace("0 0 0 0 0 100 0 0 0", "0 0 0 0 0 100 0 0"), r":2: field node row"),
        (TINY.replace("10 0 5", "10 0 nan"), r":3: field demand: bad value 'nan'"),
    ],
)
def test_reader_errors_name_line_and_field(text: str, message: str) -> None:
    with pytest.raises(PdptwFormatError, match=message):
        parse_lilim(text)


def test_reader_rejects_binary(tmp_path: Path) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(PdptwFormatError, match="not UTF-8 text"):
        pdptw.read_lilim(p)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_fuzz_garbage_text_raises_format_error_or_parses(text: str) -> None:
    try:
        inst = parse_lilim(text)
    except PdptwFormatError as exc:
        assert "field" in str(exc)
        return
    assert len(inst.pairs) * 2 == inst.n_tasks


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_instance_raises_format_error_or_parses(data: st.DataObject) -> None:
    tokens = TINY.split(" ")
    i = data.draw(st.integers(0, len(tokens) - 1))
    tokens[i] = data.draw(st.sampled_from(["", "-1", "0", "7", "1e9", "x", "2.5", "\n", "99"]))
    try:
        inst = parse_lilim(" ".join(tokens))
    except PdptwFormatError:
        return
    for p, d in inst.pairs:  # whatever parses is a consistent instance
        assert inst.demand[p] == -inst.demand[d] > 0
        assert all(inst.ready[k] <= inst.due[k] for k in (p, d))


def test_evaluator_feasible_and_distance(tiny: pdptw.PdptwInstance) -> None:
    ev = evaluate(tiny, [[1, 2], [3, 4]])
    assert ev.feasible and ev.vehicles == 2 and ev.distance == pytest.approx(80.0)
    ev = evaluate(tiny, [[1, 2, 3, 4], []])
    assert ev.feasible and ev.vehicles == 1 and ev.distance == pytest.approx(TINY_OPT)


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([[2, 1], [3, 4]], "delivery 2 before its pickup 1"),
        ([[1, 3, 4], [2]], "pair 1-2 split over routes 0 and 1"),
        ([[1, 3, 2, 4]], "load 13 after node 3 outside 0..10"),
        ([[1, 2]], r"2 node\(s\) not served: \[3, 4\]"),
        ([[1, 2, 1], [3, 4]], "node 1 visited more than once"),
        ([[1], [2], [3, 4]], "3 routes exceed the fleet of 2"),
        ([[3, 4, 2, 1]], "after its latest"),
        ([[1, 2, 9]], "route 0 visits 9, not in 1..4"),
    ],
)
def test_evaluator_catches_each_violation(
    tiny: pdptw.PdptwInstance, routes: list[list[int]], message: str
) -> None:
    ev = evaluate(tiny, routes)
    assert not ev.feasible
    assert any(pytest.importorskip("re").search(message, v) for v in ev.violations), ev.violations


def test_evaluator_checks_the_depot_due_date(tiny: pdptw.PdptwInstance) -> None:
    late = replace(tiny, due=(70.0, *tiny.due[1:]))
    ev = evaluate(late, [[1, 2, 3, 4]])
    assert not ev.feasible
    assert ev.violations == ("route 0: back at the depot at 76.3607, after its due date 70",)


def test_solve_tiny_reaches_the_optimum(tiny: pdptw.PdptwInstance) -> None:
    res = pdptw.solve(tiny, settings=QUICK, workers=1)
    assert res.evaluation.feasible and res.dropped == ()
    assert res.evaluation.vehicles == 1
    assert res.evaluation.distance == pytest.approx(TINY_OPT)
    assert res.stopped_by == "budget"


def test_solve_two_workers_merge_deterministically(tiny: pdptw.PdptwInstance) -> None:
    a = pdptw.solve(tiny, settings=QUICK, workers=2)
    b = pdptw.solve(tiny, settings=QUICK, workers=2)
    assert a.routes == b.routes and a.worker == b.worker == 0  # ties go to worker 0


def test_bad_workers(tiny: pdptw.PdptwInstance) -> None:
    with pytest.raises(pdptw.PdptwError, match="workers: bad value 0; expected an integer >= 1"):
        pdptw.solve(tiny, workers=0)


def test_real_instance_is_solved_feasibly(shared_dir: Path) -> None:
    lilim = shared_dir / "benchmarks" / "lilim"
    inst = pdptw.read_lilim(lilim / "pdp_100" / "lc101.txt")
    assert inst.vehicles == 25 and inst.capacity == 200 and len(inst.pairs) == 53
    res = pdptw.solve(inst, settings=replace(QUICK, rr_iterations=30, rr_remove=8), workers=1)
    assert res.evaluation.feasible, res.evaluation.violations
    bks = pdptw.read_bks(lilim / "bks.csv")
    row = bks[bks["instance"] == "lc101"].iloc[0]
    assert res.evaluation.vehicles >= row["bks_vehicles"]
    assert res.evaluation.distance >= row["bks_distance"] - 1e-3


def test_read_bks_errors(tmp_path: Path) -> None:
    p = tmp_path / "bks.csv"
    p.write_text("instance,bks_vehicles\nA,1\n")
    with pytest.raises(PdptwFormatError, match=r"missing column.*bks_distance"):
        pdptw.read_bks(p)
    p.write_text("instance,bks_vehicles,bks_distance\nA,1.5,3\n")
    with pytest.raises(PdptwFormatError, match=r"bks.csv:2: field bks_vehicles: bad value '1.5'"):
        pdptw.read_bks(p)
    p.write_text("instance,bks_vehicles,bks_distance\nA,1,3\na,2,4\n")
    with pytest.raises(PdptwFormatError, match=r"bks.csv:3: field instance: bad value 'a'"):
        pdptw.read_bks(p)


def write_bench(tmp_path: Path) -> Path:
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "tiny.txt").write_text(TINY)
    (tmp_path / "bks.csv").write_text(
        f"instance,bks_vehicles,bks_distance,source\ntiny,1,{TINY_OPT},hand\n"
    )
    return tmp_path


def test_cli_bench_pdptw_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = write_bench(tmp_path)
    code = main(
        ["bench", "pdptw", "--dir", str(d), "--rr-iterations", "10", "--workers", "1",
         "--format", "json"]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["instances"]
    assert row["instance"] == "tiny" and row["feasible"] is True
    assert row["vehicles"] == 1 and row["vehicle_gap"] == 0 and row["gap_pct"] == 0.0
    assert out["mean_vehicle_gap"] == 0.0 and out["mean_gap_pct"] == 0.0
    assert out["infeasible"] == 0


def test_cli_bench_pdptw_table_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = write_bench(tmp_path)
    assert main(["bench", "pdptw", "--dir", str(d), "--rr-iterations", "5", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "tiny" in out and "72.36" in out and "mean vehicle gap +0.000" in out
    assert main(["bench", "pdptw", "--dir", str(d), "--rr-iterations", "-1"]) == 2
    assert "--rr-iterations: bad value -1" in capsys.readouterr().err
    assert main(["bench", "pdptw", "--dir", str(d), "--rm-positions", "-2"]) == 2
    assert "--rm-positions: bad value -2; expected an integer >= 0" in capsys.readouterr().err
    assert main(["bench", "pdptw", "--dir", str(d), "--rm-positions", "0", "--workers", "1"]) == 0
    assert "route minimisation 0 positions" in capsys.readouterr().out
    assert main(["bench", "pdptw", "--dir", str(d), "--instances", "none*"]) == 2
    assert "matches no *.txt" in capsys.readouterr().err
    assert main(["bench", "pdptw", "--dir", str(tmp_path / "set" / "missing")]) == 2


def test_every_shared_instance_reads(shared_dir: Path) -> None:
    files = pdptw.benchmark_files(shared_dir / "benchmarks" / "lilim")
    assert len(files) == 35
    for path in files:
        inst = pdptw.read_lilim(path)
        assert len(inst.pairs) * 2 == inst.n_tasks


# --------------------------------------------------------------------------------------------
# Route minimisation: the PDPTW insertion oracle and the phase before the engine's search
# --------------------------------------------------------------------------------------------


def integer_route_ok(orc: pdptw.PairInsertion, route: list[int]) -> bool:
    """Forward simulation of one route in the model's integer arithmetic (the brute force)."""
    t, load, prev = orc.ready[0], 0, 0
    for c in [*route, 0]:
        t = max(orc.ready[c], t + orc.tt[prev][c])
        if t > orc.due[c]:
            return False
        load += orc.demand[c]
        if not 0 <= load <= orc.capacity:
            return False
        prev = c
    return True


@pytest.mark.parametrize("seed", range(4))
def test_pair_insertion_matches_brute_force(shared_dir: Path, seed: int) -> None:
    """Every (pickup, delivery) position on real routes: same feasibility, same least cost."""
    import random

    inst = pdptw.read_lilim(shared_dir / "benchmarks" / "lilim" / "pdp_100" / "lrc201.txt")
    orc = pdptw.PairInsertion(inst)
    rng = random.Random(seed)
    pairs = list(inst.pairs)
    rng.shuffle(pairs)
    routes, _ = pdptw.routemin.greedy_routes(orc, pairs[:-6])
    assert all(integer_route_ok(orc, r) for r in routes)
    for p, d in pairs[-6:]:
        for r in routes:
            best = None
            for i in range(len(r) + 1):
                for j in range(i, len(r) + 1):
                    cand = [*r[:i], p, *r[i:j], d, *r[j:]]
                    if integer_route_ok(orc, cand):
                        c = sum(orc.cost[a][b] for a, b in zip([0, *cand], [*cand, 0], strict=True))
                        c -= sum(orc.cost[a][b] for a, b in zip([0, *r], [*r, 0], strict=True))
                        best = c if best is None else min(best, c)
            got = orc.best_insertion(r, (p, d))
            assert (got is None) == (best is None)
            if got is not None:
                assert got[0] == best and integer_route_ok(orc, got[1])
                assert sorted(got[1]) == sorted([*r, p, d])


def test_route_min_removes_a_removable_route(tiny: pdptw.PdptwInstance) -> None:
    """TINY started on two routes: one vehicle serves both pairs (1, 2, 3, 4 or 3, 4, 1, 2)."""
    orc = pdptw.PairInsertion(tiny)
    res = pdptw.routemin.minimize_routes([[1, 2], [3, 4]], tiny.pairs, orc, positions=100)
    assert res.routes in ([[1, 2, 3, 4]], [[3, 4, 1, 2]])
    ev = evaluate(tiny, res.routes)
    assert ev.feasible and ev.vehicles == 1


def test_route_min_cannot_merge_what_capacity_forbids(tiny: pdptw.PdptwInstance) -> None:
    # capacity 8: 1-2 cannot ride inside 3-4; node 3 (due 12) must come first and node 1 (due
    # 30) cannot wait until 3-4 is delivered (at 44.4): one route is impossible, two are fine
    small = replace(tiny, capacity=8, due=(100.0, 30.0, 60.0, 12.0, 70.0))
    orc = pdptw.PairInsertion(small)
    res = pdptw.routemin.minimize_routes([[1, 2], [3, 4]], small.pairs, orc, positions=200)
    assert sorted(res.routes) == [[1, 2], [3, 4]]
    assert evaluate(small, res.routes).feasible


def test_solve_with_route_min_on_a_real_instance_is_seeded_and_feasible(shared_dir: Path) -> None:
    inst = pdptw.read_lilim(shared_dir / "benchmarks" / "lilim" / "pdp_100" / "lr105.txt")
    quick = replace(QUICK, rr_iterations=5, rr_remove=8)
    a = pdptw.solve(inst, settings=quick, workers=1, rm_positions=200_000)
    b = pdptw.solve(inst, settings=quick, workers=1, rm_positions=200_000)
    off = pdptw.solve(inst, settings=quick, workers=1, rm_positions=0)
    assert a.routes == b.routes and a.evaluation.feasible, a.evaluation.violations
    assert a.stats["rm_routes_end"] == a.evaluation.vehicles
    assert a.evaluation.vehicles < off.evaluation.vehicles
    assert "rm_routes_end" not in off.stats


def test_solve_bad_rm_positions(tiny: pdptw.PdptwInstance) -> None:
    with pytest.raises(pdptw.PdptwError, match="rm_positions: bad value -1; expected an integer"):
        pdptw.solve(tiny, rm_positions=-1)
