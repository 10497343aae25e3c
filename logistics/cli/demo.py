"""`corridor demo`: write a SYNTHETIC shipments/fleet pair at K times the demo's volume."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``corridor demo`` to the sub-commands."""
    p = sub.add_parser(
        "demo",
        help="write K copies of the demo shipments on shifted days, with a fleet K times as large",
        description=(
            "Write DIR/shipments.csv and DIR/fleet.csv: K copies of the shipped SYNTHETIC demo "
            "flows (copy c moved by c x SHIFT days, ids suffixed -cNN) and the demo fleet with "
            "every count x K. Read them back with `corridor optimize --shipments "
            "DIR/shipments.csv --fleet DIR/fleet.csv`."
        ),
    )
    p.add_argument("--scale", type=int, required=True, help="K, the number of copies (1-50)")
    p.add_argument(
        "--shift-days", type=float, default=1.0, help="days between consecutive copies (default 1)"
    )
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from logistics.shipments import write_scaled_demo
    from networks.io import check_output, staged_files

    out = check_output(args.out, folder=True)  # no link, FIFO, device or file
    with staged_files(out) as tmp:  # the pair replaces the old pair together
        written = write_scaled_demo(tmp, args.scale, shift_days=args.shift_days)
    s_path, f_path = (out / Path(p).name for p in written)
    print(f"wrote SYNTHETIC demand x{args.scale}: {s_path} and {f_path}")
    print(f"plan it: corridor optimize --shipments {s_path} --fleet {f_path} --out PLAN_DIR")
    return 0
