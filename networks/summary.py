"""Summary of a corridor network: what ``corridor network info`` prints, as plain data.

:func:`network_summary` counts nodes and edges by kind, mode and country, sums road length by
country, and lists the border crossings (grouped by corridor, with the connectors that join each
checkpoint to the road network) and the ports (with their drayage connectors).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from networks.borders import crossings_table
from networks.io import SCHEMA_VERSION
from networks.multimodal import CORRIDORS, connectors_table

__all__ = ["network_summary"]


def _ids(graph: nx.MultiDiGraph, key: str) -> list[str]:
    return [x for x in str(graph.graph.get(key, "")).split(",") if x]


def network_summary(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts and listings of a multimodal graph (JSON-ready).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A network of :func:`networks.load_network` / :func:`networks.build_network`.

    Returns
    -------
    dict
        ``corridor``, ``source``; ``corridors`` (name, countries and description of each corridor
        the network covers); ``nodes``, ``edges``; ``nodes_by_kind``, ``road_nodes_by_country``,
        ``edges_by_mode``, ``road_km_by_country`` (each road counted once, not per direction);
        ``crossings`` (per crossing: ``id``, ``corridor``, ``route``, ``country_a``,
        ``country_b`` and ``connectors``, the nearest-node connectors as ``country`` and
        ``length_m``), ``ports`` (``id`` and the ``drayage_m`` of each drayage connector)
        and ``connectors_by_kind``; ``schema_version`` as in every JSON output (crossings and
        ports are objects with ``id``, as in ``route``).
    """
    nodes_by_kind = Counter(str(d.get("kind", "")) for _, d in graph.nodes(data=True))
    nodes_by_country = Counter(
        str(d.get("country", "")) for _, d in graph.nodes(data=True) if d.get("kind") == "road"
    )
    edges_by_mode: Counter[str] = Counter()
    road_km: dict[str, float] = defaultdict(float)
    for _, _, d in graph.edges(data=True):
        edges_by_mode[str(d.get("mode", ""))] += 1
        if d.get("mode") == "road":
            road_km[str(d.get("country", ""))] += float(d["length"]) / 1000 / 2  # both directions
    conns = connectors_table(graph)
    table = crossings_table().set_index("crossing_id")
    crossings = []
    for cid in _ids(graph, "crossings"):
        row = table.loc[cid]
        near = conns[(conns.crossing_id == cid) & (conns.kind == "nearest")]
        crossings.append(
            {
                "id": cid,
                "corridor": str(row["corridor"]),
                "route": str(row["route"]),
                "country_a": str(row["country_a"]),
                "country_b": str(row["country_b"]),
                "connectors": [
                    {"country": str(country), "length_m": float(length_m)}
                    for country, length_m in zip(
                        near["country"].tolist(), near["length_m"].tolist(), strict=True
                    )
                ],
            }
        )
    ports = [
        {
            "id": pid,
            "drayage_m": conns.loc[(conns.port_id == pid) & (conns.kind == "drayage"), "length_m"]
            .astype(float)
            .tolist(),
        }
        for pid in _ids(graph, "ports")
    ]
    corridor = str(graph.graph.get("corridor", ""))
    return {
        "schema_version": SCHEMA_VERSION,
        "corridor": corridor,
        "source": str(graph.graph.get("source", "")),
        "corridors": [
            {"name": name, "countries": list(spec["countries"]), "description": spec["description"]}
            for name, spec in CORRIDORS.items()
            if corridor in (name, "all")
        ],
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "nodes_by_kind": dict(sorted(nodes_by_kind.items())),
        "road_nodes_by_country": dict(sorted(nodes_by_country.items())),
        "edges_by_mode": dict(sorted(edges_by_mode.items())),
        "road_km_by_country": {k: round(v, 1) for k, v in sorted(road_km.items())},
        "crossings": crossings,
        "ports": ports,
        "connectors_by_kind": {
            str(k): int(n) for k, n in sorted(conns["kind"].value_counts().items())
        },
    }
