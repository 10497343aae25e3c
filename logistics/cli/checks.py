"""Bounds of the flags every ``corridor`` command shares, checked before any work starts.

:func:`check_flags` runs in :func:`logistics.cli.main` on the parsed arguments; each bound is a
constant of :mod:`logistics.limits` (``docs/limits.md``). :func:`unique_scenarios` loads the
scenarios of a comparison once and refuses two with the same name.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime

from logistics import limits

#: Commands whose ``--draws 0`` means "medians only".
_ZERO_DRAWS = ("itinerary",)
#: Commands whose ``--workers`` counts processes (``sweep`` has its own meaning and check).
_PROCESS_COMMANDS = ("optimize", "compare", "bench")


def check_flags(args: argparse.Namespace) -> None:
    """Raise :class:`~logistics.limits.LimitError` naming the first flag outside its bound."""
    draws = getattr(args, "draws", None)
    if draws is not None:
        limits.check_draws(draws, field="--draws", allow_zero=args.command in _ZERO_DRAWS)
    seed = getattr(args, "seed", None)
    if seed is not None:
        limits.check_seed(seed, field="--seed")
    cap = getattr(args, "time_limit", None)
    if cap is not None:
        limits.check_number("--time-limit", cap, lo=0.0, lo_open=True, hi=limits.MAX_TIME_LIMIT_S)
    workers = getattr(args, "workers", None)
    if workers is not None and args.command in _PROCESS_COMMANDS:
        limits.check_number("--workers", workers, lo=1, hi=limits.MAX_WORKERS, whole=True)
    window = getattr(args, "window_h", None)
    if window is not None:
        limits.check_number("--window-h", window, lo=0.0, lo_open=True, hi=limits.MAX_WINDOW_H)
    for flag in ("depart", "deadline"):
        text = getattr(args, flag, None)
        if isinstance(text, str):
            _check_time_text(f"--{flag}", text)


def _check_time_text(flag: str, text: str) -> None:
    """The year of an ISO 8601 flag value (a malformed text is left to the library's message)."""
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return
    try:
        if stamp.utcoffset() is not None:
            stamp = stamp.astimezone(UTC)
    except OverflowError:
        pass  # beyond year 1 or 9999 in UTC: refused below by its own year
    if not limits.MIN_YEAR <= stamp.year <= limits.MAX_YEAR:
        raise limits.LimitError(
            f"{flag}: bad value {text.strip()!r}; allowed: a date-time in the years "
            f"{limits.MIN_YEAR}-{limits.MAX_YEAR}"
        )


def unique_scenarios(names: Sequence[str], *, flag: str = "--scenarios") -> list[str]:
    """Load every scenario of ``names`` (fails fast on a bad file) and refuse duplicate names.

    Returns the names unchanged.
    """
    from logistics.scenarios import load_scenario

    seen: dict[str, str] = {}
    for given in names:
        name = load_scenario(given).name
        if name in seen:
            raise ValueError(
                f"{flag}: bad value {given!r}: scenario name {name!r} is also the name of "
                f"{seen[name]!r}; allowed: scenarios with different names"
            )
        seen[name] = given
    return list(names)
