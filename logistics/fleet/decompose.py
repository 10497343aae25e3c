"""Split a large shipment set into sub-problems that are solved independently.

A week of a corridor's shipments is hundreds to thousands of loads; one OR-Tools model of all of
them (several solver nodes per shipment, hundreds of vehicles) builds and searches too slowly.
Sub-problems of about ``group_shipments`` shipments each, with their share of the fleet, are
solved independently (in parallel) and merged in a fixed order, so the result does not depend on
the number of processes.

* **Shipments** are stratified: ordered by flow (origin country, destination country), then
  ready time and id, and dealt to the groups in turn, so each group holds the same mix of flows
  and days as the whole set.
* **Vehicles**: each fleet row's vehicles are shared among the groups in proportion to the
  group sizes (largest remainder; the row index rotates which group gets a remainder vehicle,
  so single vehicles spread over the groups).

The split does not depend on the scenario, so the plans of different scenarios can seed each
other group by group. The price: a vehicle serves one group only (no reuse across groups); with
a proportional fleet that costs little, and ``docs/fleet.md`` records the measured effect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from logistics.shipments import Shipment, VehicleType


@dataclass(frozen=True)
class Group:
    """One sub-problem: indices into the shipment list and into the expanded vehicle list."""

    shipments: tuple[int, ...]
    vehicles: tuple[int, ...]


def expand_fleet(fleet: Sequence[VehicleType]) -> tuple[list[VehicleType], list[int]]:
    """One entry per vehicle (rows repeated ``count`` times) and the fleet row of each."""
    vehicles, rows = [], []
    for r, v in enumerate(fleet):
        vehicles += [v] * v.count
        rows += [r] * v.count
    return vehicles, rows


def split(
    shipments: Sequence[Shipment], fleet: Sequence[VehicleType], group_shipments: int
) -> list[Group]:
    """Groups of at most about ``group_shipments`` shipments, each with its share of the fleet.

    A set no larger than ``group_shipments`` is one group with the whole fleet.
    """
    vehicles, rows = expand_fleet(fleet)
    n = len(shipments)
    # never more groups than vehicles: a group without a vehicle could serve nothing
    n_groups = max(1, min(math.ceil(n / group_shipments), len(vehicles)))
    if n_groups == 1:
        return [Group(tuple(range(n)), tuple(range(len(vehicles))))]
    order = sorted(
        range(n),
        key=lambda i: (
            shipments[i].origin.country,
            shipments[i].destination.country,
            shipments[i].ready_utc,
            shipments[i].shipment_id,
        ),
    )
    members: list[list[int]] = [[] for _ in range(n_groups)]
    for pos, i in enumerate(order):
        members[pos % n_groups].append(i)
    sizes = [len(m) for m in members]
    assigned: list[list[int]] = [[] for _ in range(n_groups)]
    for r, v in enumerate(fleet):
        ids = [k for k, row in enumerate(rows) if row == r]
        quota = [v.count * size / n for size in sizes]
        counts = [math.floor(q) for q in quota]
        left = v.count - sum(counts)
        # largest remainder; ties rotate with the row so single vehicles spread out
        rank = sorted(range(n_groups), key=lambda g: (-(quota[g] - counts[g]), (g - r) % n_groups))
        for g in rank[:left]:
            counts[g] += 1
        start = 0
        for g in range(n_groups):
            assigned[g] += ids[start : start + counts[g]]
            start += counts[g]
    for g in range(n_groups):  # a group the rounding left empty takes one from the largest
        if not assigned[g]:
            donor = max(range(n_groups), key=lambda h: (len(assigned[h]), -h))
            assigned[g].append(assigned[donor].pop())
    return [
        Group(tuple(sorted(m)), tuple(sorted(a))) for m, a in zip(members, assigned, strict=True)
    ]
