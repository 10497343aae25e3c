"""VRPTW benchmark stage: reader, OR-Tools solver, independent evaluator, `corridor bench vrptw`.

The tiny fixture (tests/fixtures/vrptw_tiny/TINY6.txt) is hand-written: 6 customers with binding
time windows and capacity. Its optimum is computed here by brute force (every permutation and
every split into at most `vehicles` routes, each checked by the evaluator); the bks.csv beside it
holds the same brute-force figures (92.1 DIMACS, 92.44 double precision, 3 routes).
"""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics import vrptw
from logistics.cli import main
from logistics.engine import routing_parameters
from logistics.vrptw import (
    VrptwError,
    VrptwFormatError,
    VrptwInstance,
    evaluate,
    parse_solomon,
    read_bks,
    read_solomon,
    solve,
)


@pytest.fixture(scope="module")
def tiny_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "vrptw_tiny"


@pytest.fixture(scope="module")
def tiny(tiny_dir: Path) -> VrptwInstance:
    return read_solomon(tiny_dir / "TINY6.txt")


def brute_force_optimum(inst: VrptwInstance, convention: vrptw.Convention) -> float:
    """Shortest feasible total distance over all solutions (tiny instances only)."""
    n = inst.n_customers
    best = float("inf")
    for perm in itertools.permutations(range(1, n + 1)):
        for cuts in itertools.product((False, True), repeat=n - 1):
            if sum(cuts) + 1 > inst.vehicles:
                continue
            routes, cur = [], [perm[0]]
            for c, cut in zip(perm[1:], cuts, strict=True):
                if cut:
                    routes.append(cur)
                    cur = [c]
                else:
                    cur.append(c)
            routes.append(cur)
            ev = evaluate(inst, routes, convention=convention)
            if ev.feasible:
                best = min(best, ev.distance)
    return best


# ----------------------------------------------------------------------------- reader


def test_read_tiny_fixture(tiny: VrptwInstance) -> None:
    assert tiny.name == "TINY6"
    assert (tiny.vehicles, tiny.capacity, tiny.n_customers) == (3, 30, 6)
    assert tiny.coords[0] == (0.0, 0.0)
    assert tiny.demand == (0, 10, 10, 15, 10, 15, 5)
    assert tiny.ready[3] == 60 and tiny.due[3] == 80 and tiny.service[3] == 5
    assert tiny.due[0] == 200


def test_read_real_solomon_c101(shared_dir: Path) -> None:
    inst = read_solomon(shared_dir / "benchmarks" / "solomon" / "C101.txt")
    assert inst.name == "C101"
    assert (inst.n_customers, inst.vehicles, inst.capacity) == (100, 25, 200)
    assert inst.coords[0] == (40.0, 50.0) and inst.due[0] == 1236
    assert inst.coords[1] == (45.0, 68.0) and inst.demand[1] == 10
    assert (inst.ready[1], inst.due[1], inst.service[1]) == (912, 967, 90)


def test_read_bks(tiny_dir: Path, shared_dir: Path) -> None:
    df = read_bks(tiny_dir / "bks.csv")
    assert list(df.columns) == list(vrptw.BKS_COLUMNS)
    assert df.loc[0, "distance_only_bks_dimacs"] == 92.1
    real = read_bks(shared_dir / "benchmarks" / "bks.csv")
    rows = {r["instance"]: r for r in real.to_dict("records")}
    assert rows["C101"]["distance_only_bks_dimacs"] == 827.3
    assert rows["C1_2_1"]["bks_distance"] == 2704.57
    assert math.isnan(rows["C1_2_1"]["distance_only_bks_dimacs"])


def test_read_bks_errors(tmp_path: Path) -> None:
    p = tmp_path / "bks.csv"
    p.write_text("instance,bks_vehicles,bks_distance\nA,1,2\n")
    with pytest.raises(VrptwFormatError, match=r"missing column.*distance_only_bks_dimacs"):
        read_bks(p)
    p.write_text(",".join(vrptw.BKS_COLUMNS) + "\nA,1,abc,,\n")
    with pytest.raises(VrptwFormatError, match=r"bks.csv:2: field bks_distance: bad value 'abc'"):
        read_bks(p)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.replace("   3          30", "   3          x"), r":5: field CAPACITY"),
        (lambda s: s.replace("   3          30", "   0          30"), r":5: field NUMBER"),
        (lambda s: s.replace("60         80", "90         80"), r":13: field DUE DATE"),
        (lambda s: s.replace("    2      10", "    7      10"), r":12: field CUST NO\."),
        (lambda s: s.replace("15        100", "99        100"), r":15: field DEMAND"),
        (lambda s: s.replace("-5         -5", "-5"), r":16: field customer row"),
        (lambda s: s.replace("-5         -5", "-5         inf"), r":16: field YCOORD\."),
        (lambda s: s.replace("CUSTOMER", "CLIENTS"), r":7: field CUSTOMER"),
        (lambda s: "", r"field name"),
    ],
)
def test_reader_errors_name_line_and_field(
    tiny_dir: Path, tmp_path: Path, mutate: object, message: str
) -> None:
    text = (tiny_dir / "TINY6.txt").read_text()
    bad = tmp_path / "bad.txt"
    bad.write_text(mutate(text))  # type: ignore[operator]
    with pytest.raises(VrptwFormatError, match=message) as info:
        read_solomon(bad)
    assert str(bad) in str(info.value)


def test_reader_rejects_binary(tmp_path: Path) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(VrptwFormatError, match="not UTF-8"):
        read_solomon(p)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_garbage_text_raises_format_error(text: str) -> None:
    try:
        inst = parse_solomon(text, source="fuzz")
    except VrptwFormatError:
        return
    assert inst.n_customers >= 1  # pragma: no cover - random text is virtually never valid


_TINY_TEXT = (Path(__file__).parent / "fixtures" / "vrptw_tiny" / "TINY6.txt").read_text()
_TOKENS = st.sampled_from(["", "0", "-1", "1e308", "nan", "x", "3.5", "VEHICLE", "CUSTOMER", "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_instance_raises_format_error_or_parses(data: st.DataObject) -> None:
    tokens = _TINY_TEXT.split(" ")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(tokens) - 1))
        tokens[i] = data.draw(_TOKENS)
    try:
        inst = parse_solomon(" ".join(tokens), source="fuzz")
    except VrptwFormatError:
        return
    assert len(inst.coords) == len(inst.demand) == len(inst.due) >= 2
    assert all(r <= d for r, d in zip(inst.ready, inst.due, strict=True))


# ----------------------------------------------------------------------------- evaluator


def test_evaluator_distance_and_feasibility(tiny: VrptwInstance) -> None:
    ev = evaluate(tiny, [[1, 2], [5], [6, 4, 3]], convention="dimacs")
    # arcs truncated to one decimal: 0-1 10, 1-2 10, 2-0 14.1, 0-5 9.4 twice, 0-6 7.0,
    # 6-4 11.1, 4-3 11.1, 3-0 10
    assert ev.feasible and ev.vehicles == 3
    assert ev.distance == pytest.approx(10 + 10 + 14.1 + 9.4 * 2 + 7.0 + 11.1 + 11.1 + 10)


def test_evaluator_rejects_window_violation(tiny: VrptwInstance) -> None:
    # Customer 1 (due 50) served after customer 5 (ready 100): too late.
    ev = evaluate(tiny, [[5, 1, 2], [6, 4, 3]], convention="dimacs")
    assert not ev.feasible
    assert any("customer 1 starts at" in v and "due date 50" in v for v in ev.violations)


def test_evaluator_rejects_capacity_fleet_and_coverage(tiny: VrptwInstance) -> None:
    ev = evaluate(tiny, [[6, 4, 3, 1, 2]], convention="exact")
    assert not ev.feasible and any("exceeds capacity 30" in v for v in ev.violations)
    ev = evaluate(tiny, [[1], [2], [3], [4, 5, 6]], convention="exact")
    assert any("exceed the fleet of 3" in v for v in ev.violations)
    ev = evaluate(tiny, [[1, 2], [5], [6, 4]], convention="exact")
    assert any("not served: [3]" in v for v in ev.violations)
    ev = evaluate(tiny, [[1, 2, 1], [5], [6, 4, 3]], convention="exact")
    assert any("customer 1 visited 2 times" in v for v in ev.violations)


# ----------------------------------------------------------------------------- solver


@pytest.mark.parametrize("convention", ["dimacs", "exact"])
def test_solver_reaches_brute_force_optimum(tiny: VrptwInstance, convention: str) -> None:
    optimum = brute_force_optimum(tiny, convention)  # type: ignore[arg-type]
    result = solve(
        tiny,
        time_limit_s=None,
        solution_limit=100,
        convention=convention,  # type: ignore[arg-type]
        workers=1,
    )
    assert result.evaluation.feasible and not result.dropped
    assert result.evaluation.distance == pytest.approx(optimum, abs=1e-6)


def test_solver_deterministic_with_solution_limit(tiny: VrptwInstance) -> None:
    runs = [solve(tiny, time_limit_s=None, solution_limit=20, workers=1) for _ in range(2)]
    assert runs[0].routes == runs[1].routes


def test_solver_reports_drops_honestly() -> None:
    # Customer 2's window closes before it can be reached: it must be dropped, and reported.
    text = _TINY_TEXT.replace("10         10         10          0        200", "90  90  10  0  5")
    inst = parse_solomon(text)
    result = solve(inst, time_limit_s=None, solution_limit=50, workers=1)
    assert result.dropped == (2,)
    assert not result.evaluation.feasible
    assert any("not served: [2]" in v for v in result.evaluation.violations)


def test_solver_hierarchical_objective(tiny: VrptwInstance) -> None:
    result = solve(tiny, time_limit_s=None, solution_limit=100, objective="hierarchical", workers=1)
    assert result.evaluation.feasible and result.evaluation.vehicles == 3


def test_solver_two_workers_keep_best(tiny: VrptwInstance) -> None:
    result = solve(tiny, time_limit_s=None, solution_limit=100, workers=2)
    assert result.evaluation.feasible
    assert result.evaluation.distance == pytest.approx(92.1)


def test_solver_c101_with_solution_limit(shared_dir: Path) -> None:
    inst = read_solomon(shared_dir / "benchmarks" / "solomon" / "C101.txt")
    result = solve(inst, time_limit_s=None, solution_limit=40, workers=1)
    assert result.evaluation.feasible, result.evaluation.violations
    assert result.evaluation.vehicles <= 25
    # Distance-only BKS of C101 in the DIMACS convention is 827.3 (CVRPLIB); stated gap <= 1%.
    assert result.evaluation.distance <= 827.3 * 1.01


@pytest.mark.parametrize("polish", [False, True])
def test_ruin_and_recreate_on_tight_windows_stays_feasible(shared_dir: Path, polish: bool) -> None:
    # RC101: tight windows, clustered + random customers. Deterministic (iteration-limited) run;
    # the independent evaluator re-checks every window, the load and the fleet.
    inst = read_solomon(shared_dir / "benchmarks" / "solomon" / "RC101.txt")
    config = vrptw.SearchConfig(
        lean_operators=True,
        ruin_recreate=True,
        ruin_iterations=300,
        polish_new_bests=polish,
    )
    first = solve(inst, time_limit_s=None, solution_limit=20, workers=1, portfolio=[config])
    assert first.evaluation.feasible, first.evaluation.violations
    assert not first.dropped
    plain = vrptw.SearchConfig(lean_operators=True)
    gls_only = solve(inst, time_limit_s=None, solution_limit=20, workers=1, portfolio=[plain])
    assert first.evaluation.distance < gls_only.evaluation.distance


def test_ruin_and_recreate_deterministic(tiny: VrptwInstance) -> None:
    config = vrptw.SearchConfig(ruin_recreate=True, ruin_iterations=50, ruin_seed=3)
    runs = [
        solve(tiny, time_limit_s=None, solution_limit=3, workers=1, portfolio=[config])
        for _ in range(2)
    ]
    assert runs[0].routes == runs[1].routes
    assert runs[0].evaluation.distance == pytest.approx(92.1)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="strategy: bad value 'NOPE'"):
        routing_parameters(1.0, strategy="NOPE")
    with pytest.raises(ValueError, match="both None"):
        routing_parameters(None)
    with pytest.raises(VrptwError, match="convention: bad value"):
        evaluate(
            VrptwInstance("x", 1, 1, ((0, 0), (1, 1)), (0, 1), (0, 0), (9, 9), (0, 0)),
            [[1]],
            convention="manhattan",  # type: ignore[arg-type]
        )


def test_search_parameters_helper() -> None:
    params = routing_parameters(
        5, strategy="SAVINGS", metaheuristic="TABU_SEARCH", gls_lambda=0.2, solution_limit=7
    )
    assert params.time_limit.seconds == 5 and params.solution_limit == 7
    assert params.guided_local_search_lambda_coefficient == pytest.approx(0.2)


# ----------------------------------------------------------------------------- CLI


def test_cli_bench_json(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "bench",
            "vrptw",
            "--dir",
            str(tiny_dir),
            "--solution-limit",
            "100",
            "--format",
            "json",
            "--workers",
            "1",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["instances"]
    assert {"instance", "vehicles", "distance", "bks_distance", "gap_pct", "feasible"} <= set(row)
    assert row["instance"] == "TINY6" and row["feasible"] is True
    assert row["bks_distance"] == 92.1 and row["gap_pct"] == 0.0 and row["vehicles"] == 3
    assert out["mean_gap_pct"] == 0.0


def test_cli_bench_table_and_errors(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "bench",
                "vrptw",
                "--dir",
                str(tiny_dir),
                "--solution-limit",
                "50",
                "--objective",
                "hierarchical",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "TINY6" in out and "92.44" in out and "mean gap" in out
    assert main(["bench", "vrptw", "--dir", str(tmp_path)]) == 2
    assert "no bks.csv" in capsys.readouterr().err


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list('abc01.,-"\n x')), max_size=12),
        max_size=6,
    )
)
def test_fuzz_bks_reader_raises_format_error_or_reads(cells: list[str]) -> None:
    header = ",".join(vrptw.BKS_COLUMNS)
    text = header + "\n" + ",".join(cells) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "bks.csv"
        p.write_text(text)
        try:
            df = read_bks(p)
        except VrptwFormatError:
            return
    assert list(df.columns) == list(vrptw.BKS_COLUMNS)
    assert all(isinstance(name, str) and name for name in df["instance"])
