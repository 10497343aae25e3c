"""Scenario terms of the fleet model: the corridor rules (``logistics.rules``) evaluated once for
one scenario at one reliability percentile, in the shape the routing model needs.

Nothing here decides a rule: crossings come from :func:`logistics.rules.border.crossing_passage`,
sea legs from :func:`logistics.rules.sea.sea_passage`, driver hours from
:class:`logistics.rules.hours.HoursOfService`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from logistics.matrix import BorderTerms
from logistics.rules.border import CrossingPassage, crossing_passage
from logistics.rules.hours import CREWS, HoursOfService
from logistics.rules.sea import SeaPassage, sea_passage

log = logging.getLogger(__name__)

#: Reliability percentiles a plan may be built at.
PERCENTILES = (50, 90)


class RoutingError(ValueError):
    """Bad fleet-routing input or an unsolvable instance (the message explains which)."""


@dataclass(frozen=True)
class ScenarioTerms:
    """What the routing model needs from a scenario, at one reliability percentile.

    Build with :func:`scenario_terms`.

    Attributes
    ----------
    crossings : mapping
        ``(crossing_id, from_country, to_country)`` -> :class:`CrossingPassage` (passable only).
    port_country : mapping
        Port id -> country.
    sea : callable
        ``sea(from_port, to_port, sea_km)`` -> :class:`SeaPassage` at the percentile.
    hours_of_service : mapping
        Crew -> :class:`HoursOfService`.
    payload_t : callable
        Legal payload (t) of a vehicle allowed in the given countries.
    """

    name: str
    percentile: int
    crossings: Mapping[tuple[str, str, str], CrossingPassage]
    port_country: Mapping[str, str]
    sea: Callable[[str, str, float], SeaPassage]
    hours_of_service: Mapping[str, HoursOfService]
    payload_t: Callable[[Sequence[str]], float]
    co2_road_kg_per_vkm: float
    closed: frozenset[tuple[str, str, str]] = frozenset()
    scenario: Any = field(repr=False, default=None)
    params: Any = field(repr=False, default=None)

    def customs_usd(self, export_country: str, import_country: str) -> float:
        """Customs clearance of one land shipment (``CostModel.clearance_usd``); 0 for terms
        built by hand without a scenario."""
        if self.scenario is None or self.params is None or export_country == import_country:
            return 0.0
        from logistics.costs import CostModel

        return CostModel(self.params, self.scenario).clearance_usd(export_country, import_country)

    def border_terms(self) -> dict[tuple[str, str, str], BorderTerms]:
        """Delays and fees for the travel matrix (crossings driven through); a direction that
        never opens under the scenario gets an infinite delay, so no path uses it."""
        out = {
            k: BorderTerms(delay_h=c.delay_h, fee_usd=c.fee_usd) for k, c in self.crossings.items()
        }
        out.update({k: BorderTerms(delay_h=math.inf) for k in self.closed})
        return out


def bridges_h(net: Any) -> dict[tuple[str, str, str], float]:
    """Drive between the two checkpoints of every crossing direction of a ``TravelNetwork``
    (its border edges), in hours."""
    border = net.edges[net.edges["mode"] == "border"]
    return {
        (str(c), str(a), str(b)): float(t) / 3600.0
        for c, a, b, t in zip(
            border["crossing_id"], border["frm"], border["to"], border["travel_time"], strict=True
        )
    }


def scenario_terms(
    scenario: Any,
    *,
    percentile: int = 50,
    params: Any = None,
    crossings: Iterable[tuple[str, str, str]] | None = None,
    bridges_h: Mapping[tuple[str, str, str], float] | None = None,
) -> ScenarioTerms:
    """Evaluate the corridor rules of ``scenario`` at ``percentile`` for the routing model.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario or a built-in name / TOML path (:func:`logistics.load_scenario`).
    percentile : {50, 90}
        Border clearance, transloading, port dwell and opening-hours waits are taken at this
        percentile of their distributions.
    params : ParameterSet, optional
        Default :func:`logistics.load_parameters`.
    crossings : iterable of (crossing_id, from_country, to_country), optional
        Directions to include (default: every direction in the parameter table).
    bridges_h : mapping, optional
        Drive between the two checkpoints of each direction (h; the network's border edges),
        so a joint control after the bridge is reached when it is.
    """
    from logistics.parameters import load_parameters
    from logistics.scenarios import load_scenario

    if percentile not in PERCENTILES:
        raise RoutingError(f"percentile: bad value {percentile!r}; allowed: 50, 90")
    sc = load_scenario(scenario) if not hasattr(scenario, "border_rule") else scenario
    p = params or load_parameters()
    q = percentile / 100.0
    out: dict[tuple[str, str, str], CrossingPassage] = {}
    closed: set[tuple[str, str, str]] = set()
    for cid, a, b in list(crossings) if crossings is not None else list(p.borders):
        try:
            bridge = (bridges_h or {}).get((cid, a, b), 0.0)
            passage = crossing_passage(sc, p, cid, a, b, quantile=q, bridge_h=bridge)
        except ValueError as exc:
            log.warning("no border parameters for %s %s->%s: %s", cid, a, b, exc)
            continue
        if passage.passable:
            out[(cid, a, b)] = passage
        else:
            closed.add((cid, a, b))

    @cache
    def sea(a: str, b: str, sea_km: float) -> SeaPassage:
        return sea_passage(sc, p, a, b, sea_km, quantile=q)

    return ScenarioTerms(
        name=sc.name,
        percentile=percentile,
        crossings=out,
        port_country={pid: sc.port_rule(p, pid).country for pid in p.ports},
        sea=sea,
        hours_of_service={crew: HoursOfService.from_scenario(sc, p, crew) for crew in CREWS},
        payload_t=lambda countries: float(sc.capacity_t(p, list(countries))),
        co2_road_kg_per_vkm=sc.general_value(p, "co2_road_kg_per_vkm"),
        closed=frozenset(closed),
        scenario=sc,
        params=p,
    )
