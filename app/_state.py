"""Shared helpers of the Streamlit app: scenarios, session storage, uploads.

The app is served to many users at once, so nothing here keeps user data at module level:

* graphs and shipped tables are cached with ``st.cache_resource`` / ``st.cache_data`` (global,
  read-only, derived from the package only);
* anything derived from a user's input (uploads, edited scenarios, results) lives in
  ``st.session_state`` or in a session-scoped ``st.cache_data``;
* files are written only into a per-session :class:`tempfile.TemporaryDirectory` held in
  ``st.session_state``, under names chosen by the app, never by the user.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

import logistics

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Largest upload the app parses (the server refuses anything above ``server.maxUploadSize``).
MAX_UPLOAD_MB = 10
#: Largest number of rows accepted in an uploaded shipments or fleet table.
MAX_UPLOAD_ROWS = 5_000
#: Upload formats accepted for tables.
TABLE_SUFFIXES = (".csv", ".parquet")

_SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


class UploadError(ValueError):
    """An uploaded file was refused: too large, wrong format or unreadable."""


def session_dir() -> Path:
    """This session's private temporary directory (removed when the session ends)."""
    holder = st.session_state.get("_tmpdir")
    if holder is None:
        holder = tempfile.TemporaryDirectory(prefix="corridor-app-")
        st.session_state["_tmpdir"] = holder
    return Path(holder.name)


def custom_scenarios() -> dict[str, dict[str, Any]]:
    """This session's edited or uploaded scenarios: name -> {"toml": str, "scenario": obj}."""
    store: dict[str, dict[str, Any]] = st.session_state.setdefault("custom_scenarios", {})
    return store


@st.cache_data(show_spinner=False)
def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return [str(n) for n in logistics.list_scenarios()]


def scenario_names() -> list[str]:
    """Built-in scenario names followed by this session's own ones."""
    return builtin_scenarios() + [n for n in custom_scenarios() if n not in builtin_scenarios()]


def default_scenario_index(names: list[str]) -> int:
    """Index of the scenario saved last in this session (so it is used at once), else 0."""
    last = st.session_state.get("last_saved_scenario")
    return names.index(last) if last in names else 0


@st.cache_resource(show_spinner=False)
def _builtin_scenario(name: str) -> Any:
    return logistics.load_scenario(name)


def scenario(name: str) -> Any:
    """The scenario object for a built-in or session scenario name."""
    own = custom_scenarios().get(name)
    if own is not None:
        return own["scenario"]
    if name not in builtin_scenarios():
        raise ValueError(
            f"scenario: unknown name {name!r}; choose one of {', '.join(scenario_names())}"
        )
    return _builtin_scenario(name)


def check_scenario_name(name: str) -> str:
    """Validate a user-chosen scenario name (lower-case letters, digits and dashes)."""
    name = name.strip()
    if not _SCENARIO_NAME.match(name):
        raise ValueError(
            f"scenario name: {name!r} is not allowed; use 1-48 lower-case letters, digits "
            "and dashes, starting with a letter or digit"
        )
    if name in builtin_scenarios():
        raise ValueError(f"scenario name: {name!r} is a built-in scenario; choose another name")
    return name


def add_scenario_toml(text: str, *, fallback_name: str) -> str:
    """Validate scenario TOML text from the user and add it to this session's scenarios.

    The text is parsed by :func:`logistics.scenarios.parse_toml` (never evaluated; size and
    nesting bounded, ``docs/limits.md``). Its ``name`` (else
    ``fallback_name``) must be a plain new name, and ``extends`` must name a built-in scenario, so
    user text can never point the loader at a server path. The text is then written to this
    session's private directory as ``scenarios/<name>.toml`` and loaded from there with the
    project's loader, which validates every value.

    Returns
    -------
    str
        The scenario's name (a key of :func:`custom_scenarios`).
    """
    from logistics.scenarios import parse_toml

    data = parse_toml(text, label="scenario TOML")  # a ScenarioError (ValueError), one line
    raw_name = data.get("name", fallback_name)
    if not isinstance(raw_name, str):
        raise ValueError(f"scenario TOML: name must be text, got {raw_name!r}")
    name = check_scenario_name(raw_name)
    extends = data.get("extends")
    if extends is not None and extends not in builtin_scenarios():
        raise ValueError(
            f"scenario TOML: extends = {extends!r} is not allowed; use one of "
            + ", ".join(builtin_scenarios())
        )
    folder = session_dir() / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    scenario = logistics.load_scenario(path)
    custom_scenarios()[name] = {"toml": text, "scenario": scenario}
    st.session_state["last_saved_scenario"] = name
    return name


def read_upload(uploaded: Any, *, label: str) -> Path:
    """Check an uploaded table and store it in this session's directory.

    Parameters
    ----------
    uploaded : streamlit UploadedFile
        The file from ``st.file_uploader``.
    label : str
        What the file is (``"shipments"``, ``"fleet"``); also the stored file's stem.

    Returns
    -------
    Path
        The copy in the session directory, named by the app (``{label}.csv`` or
        ``{label}.parquet``), ready for the project's own reader.

    Raises
    ------
    UploadError
        Too large, not CSV/Parquet, not a readable Parquet file or too many rows.
    """
    name = str(getattr(uploaded, "name", ""))
    suffix = Path(name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UploadError(
            f"{name!r} has format {suffix or '(none)'!r}; upload one of {', '.join(TABLE_SUFFIXES)}"
        )
    data = uploaded.getvalue()
    size_mb = len(data) / 1e6
    if size_mb > MAX_UPLOAD_MB:
        raise UploadError(f"{name!r} is {size_mb:.1f} MB; the limit is {MAX_UPLOAD_MB} MB")
    if not data.strip():
        raise UploadError(f"{name!r} is empty")
    if suffix == ".csv":
        rows = (
            sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#")) - 1
        )
    else:
        try:
            rows = pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        except Exception as exc:  # any parser failure is a bad upload, reported in the page
            raise UploadError(f"{name!r} is not a Parquet file: {exc}") from exc
    if rows > MAX_UPLOAD_ROWS:
        raise UploadError(f"{name!r} has {rows:,} rows; the limit is {MAX_UPLOAD_ROWS:,}")
    path = session_dir() / f"{label}{suffix}"
    path.write_bytes(data)
    return path


def guarded(action: Callable[[], T], *, what: str) -> T | None:
    """Run ``action``; show a library error in the page (``st.error``) instead of a traceback.

    Input errors (``ValueError``, ``KeyError``, ``LookupError``) are the user's to fix and are
    shown as they are (as text, see :func:`show_error`). Anything else is logged with its
    traceback on the server and reported in the page in one line.
    """
    try:
        return action()
    except (ValueError, KeyError, LookupError) as exc:
        show_error(what, str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc))
    except Exception as exc:
        log.exception("%s failed", what)
        show_error(f"{what} failed", f"{type(exc).__name__}: {exc}")
    return None


def show_error(what: str, message: str) -> None:
    """``st.error`` with ``what`` (app text) and ``message`` shown as plain text: its first line,
    then one problem per line. User text in it (file names, places, scenario values) is never
    read as Markdown, and no server temporary path is shown."""
    first, *rest = public_text(message).splitlines() or [""]
    items = [line.strip() for line in rest if line.strip()]
    st.error(
        f"{what}: {as_text(first)}" + "".join(f"\n- {as_text(item)}" for item in items),
        icon=":material/error:",
    )


def as_text(text: str) -> str:
    """``text`` as a Markdown code span: Streamlit shows it character for character (no
    emphasis, links, bare-URL links, maths, colour or emoji directives), which no backslash or
    entity escaping achieves (Streamlit turns a bare ``http://...`` in text into a link)."""
    text = text.replace("\n", " ")
    runs = re.findall(r"`+", text)
    fence = "`" * (max((len(r) for r in runs), default=0) + 1)
    return f"{fence} {text} {fence}"


#: Absolute paths under the server's temporary directory (session folders, worker files).
_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^\s'\",;:]+")


def public_text(message: str) -> str:
    """``message`` with every server temporary path replaced by its file name."""
    return _TEMP_PATH.sub(lambda m: Path(m.group(0)).name, message)


def scenario_keys(names: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """Each scenario name with its TOML text (empty for a built-in): what a result depends on,
    so a result made under an edited scenario of the same name is seen as stale."""
    own = custom_scenarios()
    return tuple((n, str(own[n]["toml"]) if n in own else "") for n in names)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV bytes for a download button (text cells a spreadsheet would run
    neutralised, as in every CSV the project writes: ``networks.io.csv_safe``)."""
    from networks.io import csv_safe

    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Parquet bytes for a download button."""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()
