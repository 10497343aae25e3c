"""Money and CO2 of one truckload: truck cost by country, sea freight, handling, emissions.

All rates come from the sourced tables in ``logistics/data`` (see ``docs/parameters.md``) after a
scenario's ``[general]`` overrides. Money (``*_usd``) and time (``*_h``) are kept separate; nothing
here converts time into money except the truck's own hourly cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from logistics.parameters import ParameterSet
from logistics.scenarios import Scenario
from networks.geo import DEFAULT_COUNTRY

__all__ = ["CostModel"]


@dataclass(frozen=True)
class CostModel:
    """Cost and emission rates for one scenario and crew.

    Parameters
    ----------
    params : ParameterSet
    scenario : Scenario
    crew : {"single", "double"}
    """

    params: ParameterSet
    scenario: Scenario
    crew: str = "single"

    def _g(self, key: str) -> float:
        return self.scenario.general_value(self.params, key)

    def truck_usd_per_km(self, country: str) -> float:
        """Distance-dependent truck cost (fuel, tyres, maintenance) in ``country``."""
        return self.scenario.country_rule(
            self.params, country or DEFAULT_COUNTRY
        ).truck_cost_usd_per_km

    def truck_usd_per_h(self, country: str) -> float:
        """Time-dependent truck cost (driver(s), depreciation, insurance) in ``country``."""
        rate = self.scenario.country_rule(
            self.params, country or DEFAULT_COUNTRY
        ).truck_cost_usd_per_h
        if self.crew == "double":
            rate += self._g("double_crew_extra_usd_per_h")
        return rate

    def clearance_usd(self, export_country: str, import_country: str) -> float:
        """Customs clearance of one land shipment: the export country's and the import country's
        whole-process border-compliance costs (``country_costs.csv``), once per shipment and
        direction, never at a transit crossing. Sea legs carry them in the port handling."""
        return self.export_clearance_usd(export_country) + self.import_clearance_usd(import_country)

    def export_clearance_usd(self, country: str) -> float:
        """The export half of :meth:`clearance_usd`."""
        rule = self.scenario.country_rule(self.params, country or DEFAULT_COUNTRY)
        return float(rule.export_clearance_usd)

    def import_clearance_usd(self, country: str) -> float:
        """The import half of :meth:`clearance_usd`."""
        rule = self.scenario.country_rule(self.params, country or DEFAULT_COUNTRY)
        return float(rule.import_clearance_usd)

    def sea_freight_usd(self, sea_km: float) -> float:
        """Ocean freight of one container over ``sea_km``."""
        return self._g("sea_freight_base_usd") + self._g("sea_freight_usd_per_km") * sea_km

    def road_co2_kg(self, km: float) -> float:
        """CO2 of one loaded truck over ``km`` (per vehicle-km factor)."""
        return self._g("co2_road_kg_per_vkm") * km

    def sea_co2_kg(self, km: float, payload_t: float) -> float:
        """CO2 of ``payload_t`` tonnes carried ``km`` by container ship."""
        return self._g("co2_sea_kg_per_tkm") * km * payload_t

    @property
    def sailing_speed_kph(self) -> float:
        """Ship service speed (km/h)."""
        return self._g("sailing_speed_kph")
