"""Corridor networks: road, sea, ports and border crossings as one multimodal graph.

Public API (see ``docs/architecture.md``)::

    from networks import load_network, resolve_place, shortest_route
"""

from networks.types import MODES, UTC_OFFSET_H, Leg, Place, Route

__all__ = ["MODES", "UTC_OFFSET_H", "Leg", "Place", "Route"]
