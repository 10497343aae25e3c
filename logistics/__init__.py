"""Logistics on the corridor networks: border delays, scenarios, itineraries, fleet routing."""

__all__: list[str] = []
