"""Splitting a shipment set into sub-problems (``logistics.fleet.decompose``): stratified groups,
each with its proportional share of the fleet, the same split on every run."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from logistics.fleet.decompose import Group, expand_fleet, split
from logistics.shipments import Shipment, VehicleType, demo_fleet, demo_shipments


def _flow(s: Shipment) -> tuple[str, str]:
    return (s.origin.country, s.destination.country)


@pytest.fixture(scope="module")
def ships() -> tuple[Shipment, ...]:
    return demo_shipments()


@pytest.fixture(scope="module")
def fleet() -> tuple[VehicleType, ...]:
    return demo_fleet()


def test_a_set_no_larger_than_the_group_size_is_one_group_with_the_whole_fleet(
    ships: tuple[Shipment, ...], fleet: tuple[VehicleType, ...]
) -> None:
    n_vehicles = sum(v.count for v in fleet)
    for size in (len(ships), len(ships) + 1, 2000):
        groups = split(ships, fleet, size)
        assert groups == [Group(tuple(range(len(ships))), tuple(range(n_vehicles)))]
    assert split(ships[:5], fleet, 5) == [Group(tuple(range(5)), tuple(range(n_vehicles)))]


@pytest.mark.parametrize("size", [5, 10, 20, 40, 78])
def test_groups_partition_the_shipments_and_the_fleet(
    ships: tuple[Shipment, ...], fleet: tuple[VehicleType, ...], size: int
) -> None:
    groups = split(ships, fleet, size)
    n, n_groups = len(ships), -(-len(ships) // size)
    assert len(groups) == n_groups
    # every shipment once, every vehicle once, indices sorted inside a group
    assert sorted(i for g in groups for i in g.shipments) == list(range(n))
    vehicles, rows = expand_fleet(fleet)
    assert sorted(k for g in groups for k in g.vehicles) == list(range(len(vehicles)))
    for g in groups:
        assert list(g.shipments) == sorted(g.shipments)
        assert list(g.vehicles) == sorted(g.vehicles)
        assert len(g.shipments) <= size
    # sizes differ by at most one (shipments dealt in turn)
    sizes = [len(g.shipments) for g in groups]
    assert max(sizes) - min(sizes) <= 1
    # fleet counts add up per fleet row, and each group's share is proportional (within one)
    for r, v in enumerate(fleet):
        per_group = [sum(1 for k in g.vehicles if rows[k] == r) for g in groups]
        assert sum(per_group) == v.count
        for g, got in zip(groups, per_group, strict=True):
            quota = v.count * len(g.shipments) / n
            assert quota - 1 < got < quota + 1, (r, got, quota)


def test_groups_are_stratified_by_flow(
    ships: tuple[Shipment, ...], fleet: tuple[VehicleType, ...]
) -> None:
    groups = split(ships, fleet, 20)
    whole = Counter(_flow(s) for s in ships)
    for g in groups:
        mine = Counter(_flow(ships[i]) for i in g.shipments)
        for flow, count in whole.items():
            # each group holds about its share of every flow (dealt in turn: within one)
            share = count * len(g.shipments) / len(ships)
            assert abs(mine[flow] - share) <= 1.0 + 1e-9, (flow, mine[flow], share)


def test_single_vehicles_spread_over_the_groups(ships: tuple[Shipment, ...]) -> None:
    # four rows of one vehicle each and four groups: one vehicle per group, not all in one
    base = demo_fleet()[0]
    fleet = [replace(base, vehicle_type=f"t{r}", count=1) for r in range(4)]
    groups = split(ships[:40], fleet, 10)
    assert [len(g.vehicles) for g in groups] == [1, 1, 1, 1]


def test_the_split_is_deterministic_and_ignores_the_input_order(
    ships: tuple[Shipment, ...], fleet: tuple[VehicleType, ...]
) -> None:
    a = split(ships, fleet, 20)
    assert split(ships, fleet, 20) == a
    # the same shipments in another order: the same groups of shipments (by id)
    shuffled = list(reversed(ships))
    b = split(shuffled, fleet, 20)
    ids_a = [sorted(ships[i].shipment_id for i in g.shipments) for g in a]
    ids_b = [sorted(shuffled[i].shipment_id for i in g.shipments) for g in b]
    assert ids_a == ids_b
    assert [g.vehicles for g in a] == [g.vehicles for g in b]


def test_expand_fleet_repeats_rows_by_count(fleet: tuple[VehicleType, ...]) -> None:
    vehicles, rows = expand_fleet(fleet)
    assert len(vehicles) == len(rows) == sum(v.count for v in fleet)
    assert [vehicles[k] is fleet[r] for k, r in enumerate(rows)] == [True] * len(rows)
    assert rows == sorted(rows)


def test_every_group_gets_a_vehicle_even_with_a_small_fleet() -> None:
    """1,000 shipments and the 51 demo vehicles: 13 groups, none without a vehicle (one used to
    get none and the run failed with "empty fleet"); fewer vehicles than groups: one group per
    vehicle."""
    base = demo_shipments()
    ships = [replace(base[i % len(base)], shipment_id=f"S{i}") for i in range(1000)]
    groups = split(ships, demo_fleet(), 80)
    assert len(groups) == 13 and all(g.vehicles for g in groups)
    assert sorted(v for g in groups for v in g.vehicles) == list(range(51))
    one_row = [replace(demo_fleet()[0], count=3)]
    groups = split(ships, one_row, 80)
    assert len(groups) == 3 and [len(g.vehicles) for g in groups] == [1, 1, 1]
    assert sorted(i for g in groups for i in g.shipments) == list(range(1000))
