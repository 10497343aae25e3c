"""Shared plumbing of the published-benchmark readers (Solomon/Homberger VRPTW, Li & Lim PDPTW):
numeric fields with file/line errors, and where a benchmark folder keeps its instances and its
best-known-solutions table. Each reader raises its own exception classes."""

from __future__ import annotations

import math
import os
from pathlib import Path

#: Largest absolute value a benchmark field may hold (coordinates, demands, times).
MAX_ABS_VALUE = 1e7


def fail(
    error: type[ValueError],
    source: str,
    line_no: int | None,
    field_name: str,
    value: object,
    allowed: str,
) -> None:
    """Raise ``error`` naming the file (and line), the field, the value and what is allowed."""
    where = f"{source}:{line_no}" if line_no is not None else source
    raise error(f"{where}: field {field_name}: bad value {value!r}; expected {allowed}")


def number(
    error: type[ValueError],
    source: str,
    line_no: int,
    field_name: str,
    token: str,
    *,
    integer: bool,
) -> float:
    """Parse one numeric token; integers may be written ``12`` or ``12.0``."""
    try:
        value = float(token)
    except ValueError:
        fail(error, source, line_no, field_name, token, "a number")
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        fail(
            error,
            source,
            line_no,
            field_name,
            token,
            f"a finite number with |x| <= {MAX_ABS_VALUE:g}",
        )
    if integer and value != int(value):
        fail(error, source, line_no, field_name, token, "an integer")
    return value


def benchmark_files(
    directory: str | os.PathLike[str], pattern: str, error: type[ValueError]
) -> list[Path]:
    """Instance files (``*.txt``) of a benchmark folder matching ``pattern``, sorted.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    error
        If no ``*.txt`` file matches.
    """
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"benchmark directory not found: {d}")
    files = sorted(p for p in d.glob(pattern) if p.is_file() and p.suffix == ".txt")
    if not files:
        raise error(f"instances: pattern {pattern!r} matches no *.txt file in {d}")
    return files


def bks_path(directory: str | os.PathLike[str], columns: str) -> Path:
    """The ``bks.csv`` of a benchmark folder: in it, or else in its parent folder.

    Raises
    ------
    FileNotFoundError
        If neither exists (the message lists the expected ``columns``).
    """
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"benchmark directory not found: {d}")
    for candidate in (d / "bks.csv", d.parent / "bks.csv"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{d}: no bks.csv beside the instances or in the parent folder (columns {columns})"
    )
