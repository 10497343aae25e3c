"""Border parameter editor: table edits -> per-crossing scenario overrides -> scenario TOML.

The shipped border table (``logistics.border_parameters()``) has one row per crossing and
direction. A scenario's ``[crossings."<id>"]`` section applies to both directions of a crossing
(``logistics.scenarios.CrossingOverride``), so an edit made on one direction's row is applied to
both, and two different edits of the same value on the two rows are refused.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from logistics.defaults import check_p90

#: Editable columns of the border table -> key of a ``[crossings."<id>"]`` scenario section.
EDITABLE: dict[str, str] = {
    "exit_hours": "exit_hours",
    "entry_hours": "entry_hours",
    "exit_clearance_median_h": "exit_clearance_median_h",
    "exit_clearance_p90_h": "exit_clearance_p90_h",
    "entry_clearance_median_h": "entry_clearance_median_h",
    "entry_clearance_p90_h": "entry_clearance_p90_h",
    "documentary_h": "documentary_h",
    "exit_fee_usd": "exit_fee_usd",
    "entry_fee_usd": "entry_fee_usd",
    "through_trucking": "through_trucking",
    "transload_median_h": "transload_median_h",
    "transload_p90_h": "transload_p90_h",
    "transload_cost_usd": "transload_cost_usd",
    "single_stop_available": "single_stop",
}
#: Columns identifying a row.
KEYS = ("crossing_id", "from_country", "to_country")


class EditError(ValueError):
    """Edits that cannot become one scenario (conflicting values for one crossing)."""


def column_order(table: pd.DataFrame) -> list[str]:
    """Identity columns, then editable ones, then everything else (sources last)."""
    first = [c for c in KEYS if c in table]
    editable = [c for c in EDITABLE if c in table]
    rest = [c for c in table.columns if c not in first and c not in editable]
    rest.sort(key=lambda c: c.endswith("source"))
    return first + editable + rest


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """A numpy / pandas scalar as a Python bool, float or str."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value).strip()


def changes(original: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """Cells of editable columns that differ between the shipped and the edited table.

    Raises :class:`EditError` when an edited row is invalid (see :func:`check_rows`).

    Returns
    -------
    DataFrame
        ``crossing_id``, ``direction``, ``parameter``, ``shipped``, ``edited``.
    """
    rows: list[dict[str, Any]] = []
    for i in range(len(original)):
        for column in EDITABLE:
            if column not in original or column not in edited:
                continue
            old, new = original[column].iloc[i], edited[column].iloc[i]
            if _same(old, new):
                continue
            if new is None or (isinstance(new, float) and math.isnan(new)):
                raise EditError(
                    f"{column}: row {i + 1} ({original['crossing_id'].iloc[i]}) is empty; "
                    "enter a value or undo the edit"
                )
            rows.append(
                {
                    "crossing_id": str(original["crossing_id"].iloc[i]),
                    "direction": f"{original['from_country'].iloc[i]}->"
                    f"{original['to_country'].iloc[i]}",
                    "parameter": column,
                    "shipped": _plain(old),
                    "edited": _plain(new),
                }
            )
    columns = ["crossing_id", "direction", "parameter", "shipped", "edited"]
    if rows:
        check_rows(edited)
    return pd.DataFrame(rows, columns=columns)


#: Delay columns that must keep P90 >= median, as (median column, P90 column).
DELAY_PAIRS = (
    ("exit_clearance_median_h", "exit_clearance_p90_h"),
    ("entry_clearance_median_h", "entry_clearance_p90_h"),
    ("transload_median_h", "transload_p90_h"),
)


def check_rows(edited: pd.DataFrame) -> None:
    """Refuse an edited table where a P90 is below its median or a time or fee is negative."""
    for i in range(len(edited)):
        where = (
            f"{edited['crossing_id'].iloc[i]} "
            f"{edited['from_country'].iloc[i]}->{edited['to_country'].iloc[i]}"
        )
        for med_col, p90_col in DELAY_PAIRS:
            if med_col not in edited or p90_col not in edited:
                continue
            med, p90 = float(edited[med_col].iloc[i]), float(edited[p90_col].iloc[i])
            if message := check_p90(med, p90, what=f"{where}: {p90_col}", median_name=med_col):
                raise EditError(message)
        for column in EDITABLE:
            if column.endswith(("_h", "_usd")) and column in edited:
                value = float(edited[column].iloc[i])
                if not math.isfinite(value) or value < 0:
                    raise EditError(f"{where}: {column} = {value:g}; must be a number >= 0")


def overrides(edits: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per-crossing scenario overrides from :func:`changes` (both directions share them).

    Raises
    ------
    EditError
        The two directions of a crossing were given different values for one parameter.
    """
    out: dict[str, dict[str, Any]] = {}
    for row in edits.itertuples(index=False):
        key = EDITABLE[str(row.parameter)]
        section = out.setdefault(str(row.crossing_id), {})
        value = _plain(row.edited)
        if key in section and not _same(section[key], value):
            raise EditError(
                f"crossing {row.crossing_id!r}: {row.parameter} edited to {section[key]!r} and "
                f"{value!r} on its two directions; a scenario sets one value for both directions"
            )
        section[key] = value
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise EditError(f"value {value!r} is not a finite number")
        return repr(float(value))
    return _toml_string(str(value))


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, control characters as \\uXXXX."""
    out = []
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise EditError(f"text {text!r} contains an unpaired surrogate character")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return _toml_string(key)


def scenario_toml(
    *,
    name: str,
    extends: str,
    description: str,
    crossings: Mapping[str, Mapping[str, Any]],
    source: str,
) -> str:
    """Scenario TOML text: ``extends`` a built-in, with per-crossing overrides and sources.

    Every overridden value gets a ``[sources]`` entry (``crossings.<id>.<key>``) with ``source``.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Scenario saved from the corridor app (Border parameters page), {stamp}.",
        f"name = {_toml_value(name)}",
        f"extends = {_toml_value(extends)}",
        f"description = {_toml_value(description)}",
    ]
    for crossing_id in sorted(crossings):
        lines += ["", f"[crossings.{_toml_key(crossing_id)}]"]
        for key, value in crossings[crossing_id].items():
            lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[sources]"]
    for crossing_id in sorted(crossings):
        for key in crossings[crossing_id]:
            lines.append(f"{_toml_key(f'crossings.{crossing_id}.{key}')} = {_toml_value(source)}")
    return "\n".join(lines) + "\n"
