"""Monte Carlo: seeded, vectorised, consistent with the deterministic engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from _routes import r12_by_hand, sg_to_bkk_by_hand
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.itinerary import build_itinerary, median_sampler, parse_departure, to_hours, walk
from logistics.montecarlo import simulate
from logistics.parameters import Delay, load_parameters
from logistics.scenarios import load_scenario

DEPART = "2026-03-02 18:00"


def test_seeded_and_reproducible() -> None:
    a = simulate(r12_by_hand(), DEPART, "status-quo", draws=2000, seed=7)
    b = simulate(r12_by_hand(), DEPART, "status-quo", draws=2000, seed=7)
    c = simulate(r12_by_hand(), DEPART, "status-quo", draws=2000, seed=8)
    assert np.array_equal(a.samples_h, b.samples_h)
    assert not np.array_equal(a.samples_h, c.samples_h)
    assert a.samples_h.shape == (2000,)
    assert a.p50_h <= a.p90_h <= a.p95_h
    assert a.p50_h == pytest.approx(np.percentile(a.samples_h, 50))


def test_every_draw_matches_the_deterministic_engine() -> None:
    """The vectorised walk equals a one-draw walk with the same delay values pinned."""
    route, sc, p = r12_by_hand(), load_scenario("status-quo"), load_parameters()
    n = 64
    rng = np.random.default_rng(11)
    drawn: dict[str, np.ndarray] = {}

    def sampler(key: str, delay: Delay) -> np.ndarray:
        drawn[key] = delay.sample(rng, n)
        return drawn[key]

    t0 = to_hours(parse_departure(DEPART, "TH")[0])
    trace = walk(route, t0, sc, p, n=n, sampler=sampler)
    for i in range(n):
        pinned = {k: float(v[i]) for k, v in drawn.items()}
        one = walk(route, t0, sc, p, n=1, sampler=median_sampler(pinned), detail=True)
        assert trace.end[i] == pytest.approx(one.end[0], abs=1e-6)
        assert trace.cost_usd[i] == pytest.approx(one.cost_usd[0], abs=1e-6)
    # and the pinned one-draw walk is what build_itinerary reports
    it = build_itinerary(route, DEPART, sc, draws={k: float(v[0]) for k, v in drawn.items()})
    assert it.hours == pytest.approx(trace.end[0] - t0, abs=1e-6)


def test_no_spread_without_uncertainty(tmp_path: Path) -> None:
    path = tmp_path / "fixed.toml"
    body = "\n".join(
        f'[crossings."{c}"]\nexit_clearance_p90_h = 1.0\nexit_clearance_median_h = 1.0\n'
        f"entry_clearance_p90_h = 1.5\nentry_clearance_median_h = 1.5\ntransload_p90_h = 3.0\n"
        for c in ("nakhon-phanom-thakhek", "na-phao-cha-lo")
    )
    path.write_text('extends = "status-quo"\n' + body, encoding="utf-8")
    mc = simulate(r12_by_hand(), DEPART, path, draws=500, seed=1)
    it = build_itinerary(r12_by_hand(), DEPART, path)
    assert np.allclose(mc.samples_h, it.hours)


def test_waiting_follows_the_drawn_arrival_times() -> None:
    """Slow draws at the first border arrive at Na Phao later; when it is closed, they wait."""
    mc = simulate(r12_by_hand(), DEPART, "status-quo", draws=5000, seed=3)
    cd = mc.crossing_delays.set_index("id")
    assert cd.loc["na-phao-cha-lo", "wait_p50_h"] > 0
    assert cd.loc["na-phao-cha-lo", "wait_p90_h"] > cd.loc["na-phao-cha-lo", "wait_p50_h"]
    h24 = simulate(r12_by_hand(), DEPART, "24h-borders", draws=5000, seed=3)
    assert (h24.crossing_delays["wait_p95_h"] == 0).all()
    assert h24.p90_h < mc.p90_h
    for col in (
        "id",
        "wait_p50_h",
        "wait_p90_h",
        "clearance_p50_h",
        "clearance_p90_h",
        "transload_p50_h",
    ):
        assert col in mc.crossing_delays.columns


def test_on_time_probability() -> None:
    mc = simulate(sg_to_bkk_by_hand(), "2026-03-02 08:00", "status-quo", draws=3000, seed=0)
    assert mc.on_time_probability(mc.p50_h) == pytest.approx(0.5, abs=0.01)
    assert mc.on_time_probability(0.0) == 0.0
    assert mc.on_time_probability(10_000.0) == 1.0
    # a deadline without offset is destination (Bangkok, ICT) local time
    deadline = mc.depart + dt.timedelta(hours=mc.p90_h)
    local = deadline.tz_convert(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%d %H:%M:%S")
    assert mc.on_time_probability(local) == pytest.approx(
        mc.on_time_probability(mc.p90_h), abs=0.002
    )
    s = mc.summary(window=mc.p90_h)
    for key in (
        "p50_h",
        "p90_h",
        "p95_h",
        "cost_usd",
        "co2_kg",
        "on_time_probability",
        "crossings",
    ):
        assert key in s
    assert {"id", "wait_h", "clearance_h", "transload_h"} <= set(s["crossings"][0])


def test_bad_arguments() -> None:
    from logistics.itinerary import ItineraryError

    with pytest.raises(ItineraryError, match=r"draws: bad value 0; allowed: a whole number >= 1"):
        simulate(r12_by_hand(), DEPART, draws=0)
    with pytest.raises(ItineraryError, match=r"draws: bad value 1000000000; allowed: .*<= 100000"):
        simulate(r12_by_hand(), DEPART, draws=10**9)  # refused before any memory is taken
    with pytest.raises(ItineraryError, match=r"seed: bad value -1; allowed: a whole number >= 0"):
        simulate(r12_by_hand(), DEPART, seed=-1)
    with pytest.raises(ItineraryError, match=r"departure .* is not a date-time"):
        simulate(r12_by_hand(), "soon")


@settings(max_examples=25, deadline=None)
@given(
    hour=st.integers(0, 167),
    scenario=st.sampled_from(["status-quo", "single-stop", "single-window", "through-trucking"]),
    crew=st.sampled_from(["single", "double"]),
    seed=st.integers(0, 2**16),
)
def test_vectorised_equals_one_draw_walks(hour: int, scenario: str, crew: str, seed: int) -> None:
    """For any departure hour of the week, scenario and crew, draw i of the vectorised walk equals a
    one-draw walk with draw i's delays pinned (waits follow each draw's own arrival times)."""
    route, sc, p = r12_by_hand(), load_scenario(scenario), load_parameters()
    n = 8
    rng = np.random.default_rng(seed)
    drawn: dict[str, np.ndarray] = {}

    def sampler(key: str, delay: Delay) -> np.ndarray:
        drawn[key] = delay.sample(rng, n)
        return drawn[key]

    t0 = to_hours(parse_departure("2026-03-02 00:00", "TH")[0]) + hour
    trace = walk(route, t0, sc, p, n=n, sampler=sampler, crew=crew)
    for i in range(n):
        one = walk(route, t0, sc, p, n=1, crew=crew, detail=True,
                   sampler=median_sampler({k: float(v[i]) for k, v in drawn.items()}))  # fmt: skip
        assert trace.end[i] == pytest.approx(one.end[0], abs=1e-6)
        for c_vec, c_one in zip(trace.crossings, one.crossings, strict=True):
            assert c_vec.wait_h[i] == pytest.approx(c_one.wait_h[0], abs=1e-6)
