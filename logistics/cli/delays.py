"""`corridor` sub-commands for border delays and scenarios.

``scenario list|show NAME|diff A B``, ``itinerary``, ``compare`` (OD comparison; with
``--shipments``/``--demo`` it hands over to the fleet comparison in :mod:`logistics.cli.fleet`)
and ``delays export``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pandas as pd
from tqdm import tqdm

from logistics.defaults import DRAWS_ANALYSIS
from networks.io import SCHEMA_VERSION

#: Per-item override sections of a scenario (see logistics.scenarios).
SECTIONS = ("crossings", "ports", "countries")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this family's sub-commands to sub."""
    # -- scenario
    sc = sub.add_parser("scenario", help="list, show or diff harmonization scenarios")
    sc_sub = sc.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    p = sc_sub.add_parser("list", help="list the built-in scenarios")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_scenario_list)
    p = sc_sub.add_parser("show", help="show every setting of a scenario (name or TOML path)")
    p.add_argument("name")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_scenario_show)
    p = sc_sub.add_parser("diff", help="settings that differ between two scenarios")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_scenario_diff)

    # -- itinerary
    it = sub.add_parser(
        "itinerary", help="door-to-door itinerary with delays, costs, CO2 and reliability"
    )
    _od_args(it)
    it.add_argument(
        "--mode", choices=("road", "sea", "any"), default="road", help="routing mode (default road)"
    )
    it.add_argument(
        "--scenario", default="status-quo", help="scenario name or TOML path (default status-quo)"
    )
    it.add_argument(
        "--draws",
        type=int,
        default=None,
        help=f"Monte Carlo draws (0: medians only; default {DRAWS_ANALYSIS})",
    )
    it.add_argument("--seed", type=int, default=0)
    it.add_argument("--crew", choices=("single", "double"), default="single")
    it.add_argument(
        "--payload-t", type=float, default=None, help="cargo on the truck, t (default capacity)"
    )
    win = it.add_mutually_exclusive_group()
    win.add_argument(
        "--window-h", type=float, default=None, help="delivery window, hours after departure"
    )
    win.add_argument(
        "--deadline",
        default=None,
        help="delivery deadline (ISO 8601; no offset = destination time)",
    )
    it.add_argument("--chart", default=None, help="write the time/cost-distance chart to this PNG")
    it.add_argument("--format", choices=("table", "json"), default="table")
    it.set_defaults(handler=_itinerary)

    # -- compare (shared with the fleet comparison, issue 4)
    cp = sub.add_parser(
        "compare",
        help="compare scenarios: an OD pair by road and sea (--from/--to), "
        "or a fleet plan (--shipments/--demo)",
    )
    cp.add_argument("--from", dest="origin", default=None, help="origin place (OD comparison)")
    cp.add_argument(
        "--to", dest="destination", default=None, help="destination place (OD comparison)"
    )
    cp.add_argument(
        "--via", default=None, help="crossing id or route label (R9, R12, R8) for the road route"
    )
    cp.add_argument(
        "--depart", default=None, help="departure, ISO 8601 (default 2026-03-02 08:00 local)"
    )
    cp.add_argument(
        "--scenarios",
        default=None,
        help="comma-separated scenario names or paths, or 'all' (default: every built-in for an "
        "OD pair; the fleet comparison's default set with --shipments/--demo)",
    )
    cp.add_argument(
        "--departures",
        choices=("one", "week"),
        default="one",
        help="OD comparison: from --depart only (default), or from every hour of the week that "
        "starts then (distribution, and how often each scenario beats the first one given)",
    )
    cp.add_argument(
        "--window-h", type=float, default=None, help="delivery window, hours after departure"
    )
    cp.add_argument(
        "--draws",
        type=int,
        default=None,
        help=f"Monte Carlo draws (default {DRAWS_ANALYSIS} for an OD pair)",
    )
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--crew", choices=("single", "double"), default="single")
    cp.add_argument("--format", choices=("table", "json"), default="table")
    # fleet comparison (implemented in logistics.cli.fleet.run_fleet_compare)
    cp.add_argument("--shipments", default=None, help="shipments file (fleet comparison)")
    cp.add_argument("--fleet", default=None, help="fleet file (fleet comparison)")
    cp.add_argument(
        "--demo", action="store_true", help="use the shipped synthetic demo shipments and fleet"
    )
    cp.add_argument("--out", default=None, help="output folder (fleet comparison)")
    from logistics.cli.fleet import add_solver_arguments

    add_solver_arguments(cp, compare=True)
    cp.add_argument(
        "--corridor",
        choices=("bangkok-hanoi", "singapore-malaysia-thailand", "all"),
        default="all",
        help="network to load (default all)",
    )
    cp.set_defaults(handler=_compare)

    # -- delays export
    dl = sub.add_parser("delays", help="per-crossing and per-route delay estimates")
    dl_sub = dl.add_subparsers(dest="delays_command", required=True, metavar="ACTION")
    p = dl_sub.add_parser(
        "export", help="export delay estimates with a JSON sidecar (atomic writes)"
    )
    p.add_argument(
        "--scenario", default="status-quo", help="scenario name or path, comma-separated, or 'all'"
    )
    p.add_argument("--format", choices=("csv", "parquet", "geojson"), required=True)
    p.add_argument("--out", required=True, help="output file (sidecar: <out>.json)")
    p.add_argument(
        "--draws", type=int, default=None, help=f"Monte Carlo draws (default {DRAWS_ANALYSIS})"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--depart", default=None, help="start of the week arrival times are spread over")
    p.add_argument(
        "--no-routes", action="store_true", help="crossings only (do not load the network)"
    )
    p.set_defaults(handler=_delays_export)


def _od_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="origin", required=True, help="origin place name or LAT,LON")
    p.add_argument(
        "--to", dest="destination", required=True, help="destination place name or LAT,LON"
    )
    p.add_argument("--via", default=None, help="crossing id or route label (R9, R12, R8)")
    p.add_argument("--depart", required=True, help='departure, ISO 8601, e.g. "2026-03-02 18:00"')


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (not ``None``), so the library's defaults apply to the rest."""
    return {k: v for k, v in options.items() if v is not None}


# --------------------------------------------------------------------------- scenario


def _scenario_list(args: argparse.Namespace) -> int:
    from logistics.scenarios import list_scenarios, load_scenario

    rows = [
        {"name": n, "description": " ".join(load_scenario(n).description.split())}
        for n in list_scenarios()
    ]
    if args.format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, "scenarios": rows})
    else:
        for r in rows:
            print(f"{r['name']:<24} {r['description']}")
    return 0


def _scenario_show(args: argparse.Namespace) -> int:
    from logistics.scenarios import load_scenario

    sc = load_scenario(args.name)
    data = sc.to_dict()
    if args.format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, **data})
        return 0
    print(f"scenario {sc.name}  ({sc.path})")
    print(" ".join(sc.description.split()))
    for key, value in data.items():
        if key in ("name", "description", "path", "sources", "general", *SECTIONS):
            continue
        print(f"  {key:<20} {value}")
    for key, value in data["general"].items():
        print(f"  general.{key:<12} {value}")
    for section in SECTIONS:
        for item_id, body in data[section].items():
            for key, value in body.items():
                print(f"  {section}.{item_id}.{key} = {value}")
    if data["sources"]:
        print("sources:")
        for key, value in data["sources"].items():
            print(f"  {key}: {value}")
    return 0


def _scenario_diff(args: argparse.Namespace) -> int:
    from logistics.scenarios import diff_scenarios

    df = diff_scenarios(args.a, args.b)
    if args.format == "json":
        diff = {"a": df.attrs["a"], "b": df.attrs["b"], "differences": df.to_dict("records")}
        _print_json({"schema_version": SCHEMA_VERSION, **diff})
        return 0
    if df.empty:
        print(f"{df.attrs['a']} and {df.attrs['b']} have the same settings")
        return 0
    print(df.rename(columns={"a": df.attrs["a"], "b": df.attrs["b"]}).to_string(index=False))
    return 0


# --------------------------------------------------------------------------- itinerary


def _itinerary(args: argparse.Namespace) -> int:
    import networks
    from logistics.itinerary import time_cost_distance_chart
    from logistics.report import itinerary_report
    from networks.io import check_output

    if args.chart:
        check_output(args.chart, folder=False, flag="--chart")  # before any work
    route = networks.shortest_route(
        networks.load_network("all"), args.origin, args.destination, via=args.via, mode=args.mode
    )
    it, out = itinerary_report(
        route,
        args.depart,
        args.scenario,
        crew=args.crew,
        payload_t=args.payload_t,
        **_given(draws=args.draws),
        seed=args.seed,
        window=args.window_h if args.window_h is not None else args.deadline,
    )
    if args.chart:
        out["chart"] = str(time_cost_distance_chart(it, args.chart))
    if args.format == "json":
        _print_json(out)
        return 0
    _print_itinerary_table(it, out, "draws" in out)
    return 0


def _print_itinerary_table(it: Any, out: dict[str, Any], has_mc: bool) -> None:
    print(
        f"{out['origin']} -> {out['destination']}  scenario {out['scenario']}, {out['crew']} crew, "
        f"payload {out['payload_t']} t"
    )
    for note in out["notes"]:
        print(f"note: {note}")
    print(
        f"distance {out['distance_km']:.0f} km   free-flow driving/sailing "
        f"{out['travel_time_h']:.1f} h   countries {' > '.join(out['countries'])}"
    )
    print(
        f"walk at median delays (every delay at its median, walked once): depart {out['depart']}"
        f"   arrive {out['arrive']}   door to door {out['median_walk_h']:.1f} h"
    )
    if has_mc:
        line = (
            f"Monte Carlo over {out['draws']} draws (seed {out['seed']}), door to door: "
            f"P50 {out['p50_h']:.1f} h  P90 {out['p90_h']:.1f} h  P95 {out['p95_h']:.1f} h"
        )
        if "on_time_probability" in out:
            line += f"  on time {out['on_time_probability']:.1%}"
        print(line)
        print("  (P50: the middle of the drawn trips, not the walk at median delays)")
    else:
        print("Monte Carlo: not run (--draws 0); no percentiles")
    ind = out["indicators"]
    print(
        f"cost {out['cost_usd']:.0f} USD ({ind['cost_usd_per_t']:.1f} USD/t)   "
        f"CO2 {out['co2_kg']:.0f} kg "
        f"({ind['co2_kg_per_t']:.1f} kg/t)"
    )
    print(
        f"speed with delays {ind['speed_with_delays_kph']} km/h, "
        f"without {ind['speed_without_delays_kph']} km/h; "
        f"at borders {ind['border_time_h']} h and {ind['border_cost_usd']} USD"
    )
    if out["crossings"]:
        print("\ncrossings:")
        cols = [
            "id",
            "from_country",
            "to_country",
            "time_h",
            "wait_h",
            "clearance_h",
            "transload_h",
            "cost_usd",
        ]
        cols += [c for c in ("time_p90_h", "wait_p90_h") if c in out["crossings"][0]]
        print(pd.DataFrame(out["crossings"])[cols].to_string(index=False))
    print("\nevents:")
    ev = it.events.copy()
    ev["start"] = ev["start"].map(lambda t: t.strftime("%a %d %b %H:%M %Z"))
    ev["end"] = ev["end"].map(lambda t: t.strftime("%a %d %b %H:%M"))
    cols = ["place", "activity", "start", "end", "duration_h", "cum_km", "cum_h", "cum_cost_usd"]
    print(ev[cols].round(2).to_string(index=False))
    if "chart" in out:
        print(f"\nchart written to {out['chart']}")


# --------------------------------------------------------------------------- compare


def _compare(args: argparse.Namespace) -> int:
    if args.shipments or args.demo:
        from logistics.cli.fleet import run_fleet_compare

        return run_fleet_compare(args)
    if not (args.origin and args.destination):
        raise ValueError(
            "compare needs either --from and --to (OD comparison) "
            "or --shipments/--demo (fleet comparison)"
        )
    import networks
    from logistics.cli.checks import unique_scenarios
    from logistics.cli.fleet import scenario_names
    from logistics.report import compare_od, compare_od_json, compare_od_table

    names = unique_scenarios(scenario_names(args.scenarios))  # before the network loads
    if args.departures == "week":
        return _compare_week(args, names)
    df = compare_od(
        networks.load_network(args.corridor), args.origin, args.destination, names, **_od(args)
    )
    if args.format == "json":
        _print_json(compare_od_json(df, args.origin, args.destination))
        return 0
    print(
        f"{args.origin} -> {args.destination}  depart {df.attrs['depart']}  "
        f"({df.attrs['draws']} draws, seed {df.attrs['seed']})"
    )
    for note in df.attrs.get("notes", []):
        print(f"note: {note}")
    print(compare_od_table(df).to_string(index=False))
    return 0


def _od(args: argparse.Namespace) -> dict[str, Any]:
    """The OD comparison's options from the ``compare`` flags (one departure or a week)."""
    return {
        "via": args.via,
        "depart": args.depart,
        "window_h": args.window_h,
        **_given(draws=args.draws),
        "seed": args.seed,
        "crew": args.crew,
    }


def _compare_week(args: argparse.Namespace, names: list[str]) -> int:
    """``corridor compare --from --to --departures week``."""
    import networks
    from logistics.report import WEEK_DEPARTURES, compare_od_week

    with tqdm(total=WEEK_DEPARTURES, desc="departures", disable=args.format == "json") as bar:

        def advance(done: int, total: int) -> None:
            bar.update(done - bar.n)

        every, table = compare_od_week(
            networks.load_network(args.corridor),
            args.origin,
            args.destination,
            names,
            progress=advance,
            **_od(args),
        )
    if args.format == "json":
        _print_json(
            {
                "schema_version": SCHEMA_VERSION,
                "origin": str(args.origin),
                "destination": str(args.destination),
                "start": table.attrs["start"],
                "draws": table.attrs["draws"],
                "seed": table.attrs["seed"],
                "notes": table.attrs["notes"],
                "summary": table.to_dict("records"),
                "departures": every.to_dict("records"),
            }
        )
        return 0
    print(
        f"{args.origin} -> {args.destination}  {WEEK_DEPARTURES} hourly departures from "
        f"{table.attrs['start']}  ({table.attrs['draws']} draws each, seed {table.attrs['seed']})"
    )
    for note in table.attrs.get("notes", []):
        print(f"note: {note}")
    print(table.round(2).to_string(index=False))
    return 0


# --------------------------------------------------------------------------- delays export


def _delays_export(args: argparse.Namespace) -> int:
    from logistics.cli.checks import unique_scenarios
    from logistics.cli.fleet import scenario_names
    from logistics.report import check_export_out, export_delays

    check_export_out(args.out)  # before any work: no folder, link, FIFO or device
    names = unique_scenarios(scenario_names(args.scenario), flag="--scenario")
    graph = None
    if not args.no_routes:
        import networks

        graph = networks.load_network("all")
    path, sidecar = export_delays(
        names,
        fmt=args.format,
        out=args.out,
        G=graph,
        **_given(draws=args.draws),
        seed=args.seed,
        depart=args.depart,
    )
    print(f"wrote {path} and {sidecar}")
    return 0
