"""The ``corridor`` command line: one sub-command family per stage.

Each module in this package owns one family and exposes ``register(subparsers)``;
handlers return an exit code. Library errors (``ValueError`` subclasses, ``FileNotFoundError``)
are reported as one clear line on stderr with exit code 2, never as a traceback. Ctrl-C and
SIGTERM stop a command with exit code 130 after its temporary files are removed (SIGTERM first
ends the command's worker processes).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from logistics.cli import app_cmd, bench, checks, delays, demo, fleet, network, sweep


def build_parser() -> argparse.ArgumentParser:
    """Return the full ``corridor`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="corridor",
        description="ASEAN corridor networks, border delays, scenarios and fleet routing.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (network, delays, fleet, demo, bench, sweep, app_cmd):
        module.register(sub)
    return parser


def _interrupt_on_sigterm() -> Any:
    """Make SIGTERM interrupt this process like Ctrl-C (so temporary outputs are removed),
    after killing its worker processes; return the previous handler (``None`` outside the main
    thread, where nothing changes)."""
    main_pid = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != main_pid:  # a forked worker: end as SIGTERM always did
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        for child in multiprocessing.active_children():
            child.kill()
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``corridor`` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "app":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    previous = _interrupt_on_sigterm()
    try:
        checks.check_flags(args)  # the shared flags' bounds, before any work
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print(f"corridor {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, KeyError, FileNotFoundError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"corridor {args.command}: error: {message}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
