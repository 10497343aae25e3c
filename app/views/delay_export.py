"""Delay export: per-crossing and per-route delay estimates with a JSON sidecar of sources."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import streamlit as st

from app import _compute, _state
from logistics.defaults import DRAWS_ANALYSIS

st.title("Delay export")
st.caption(
    "Per-crossing (and per-route) delay estimates — mean, P50, P90, P95 — for each scenario, "
    "with a JSON sidecar listing the scenario, every parameter with its source, the seed, the "
    "number of draws and the package version, so the figures can be cited and reproduced."
)

FORMATS = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "geojson": "application/geo+json",
}
names = _state.scenario_names()
with st.form("export_form"):
    chosen = st.multiselect("Scenarios", names, default=names[:1], key="exp_scenarios")
    c1, c2, c3, c4 = st.columns(4)
    fmt = c1.selectbox("Format", list(FORMATS), key="exp_format")
    draws = c2.select_slider(
        "Monte Carlo draws",
        options=[500, 1000, 2000, 5000, 10000],
        value=DRAWS_ANALYSIS,
        key="exp_draws",
    )
    week = c3.date_input(
        "Week starting",
        value=dt.date(2026, 3, 2),
        key="exp_week",
        help="arrivals are spread uniformly over this week",
    )
    with_routes = c4.checkbox(
        "Per-route estimates too",
        value=True,
        key="exp_routes",
        help="door-to-door estimates for the standard corridor routes (needs the network)",
    )
    go = st.form_submit_button("Estimate delays", type="primary")

signature = (_state.scenario_keys(chosen), fmt, int(draws), week, bool(with_routes))
if not go and "exp_result" not in st.session_state:
    st.info("Choose scenarios and a format, then press **Estimate delays**.")
    st.stop()
if go:
    if not chosen:
        st.error("Scenarios: choose at least one scenario.")
        st.stop()
    files = _state.guarded(
        lambda: _compute.export(
            tuple(chosen),
            fmt=fmt,
            draws=int(draws),
            with_routes=bool(with_routes),
            depart=f"{week.isoformat()} 00:00",
        ),
        what="Delay export",
    )
    if files is None:
        st.stop()
    st.session_state["exp_result"] = {
        "fmt": fmt,
        "files": files,
        "scenarios": list(chosen),
        "signature": signature,
    }

result = st.session_state["exp_result"]
if result["signature"] != signature:
    st.warning(
        "Stale: inputs changed since these results were computed. Press **Estimate delays** "
        "to update them.",
        icon=":material/history:",
    )
fmt, files = result["fmt"], result["files"]
meta = json.loads(files["sidecar"])
data_name, sidecar_name = f"delays.{fmt}", f"delays.{fmt}.json"

c1, c2, c3, c4 = st.columns(4)
c1.metric("Rows", f"{meta.get('rows', '?')}")
c2.metric("Scenarios", f"{len(result['scenarios'])}")
c3.metric("Draws", f"{meta.get('draws', '?'):,}")
c4.metric("Seed", f"{meta.get('seed', '?')}")

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr(data_name, files["data"])
    zf.writestr(sidecar_name, files["sidecar"])
b1, b2, b3 = st.columns(3)
b1.download_button(
    f"Download {data_name}",
    files["data"],
    file_name=data_name,
    mime=FORMATS[fmt],
    on_click="ignore",
    type="primary",
)
b2.download_button(
    f"Download {sidecar_name}",
    files["sidecar"],
    file_name=sidecar_name,
    mime="application/json",
    on_click="ignore",
)
b3.download_button(
    "Download both (ZIP)",
    buf.getvalue(),
    file_name=f"delays-{fmt}.zip",
    mime="application/zip",
    on_click="ignore",
)

st.subheader("Preview")
preview = _compute.read_export(files["data"], fmt)
st.dataframe(preview, hide_index=True)
with st.expander("Sidecar (metadata and sources)"):
    st.json(meta, expanded=1)
