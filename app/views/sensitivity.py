"""Sensitivity: read a sweep's results folder (tornado chart, break-even curve, table), or run a
small shipped sweep on a local Dask cluster (docs/sweep.md)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pandas as pd
import streamlit as st

from app import _state
from logistics.sweep import analyse, load_results, load_spec, n_points, run_sweep

st.title("Sensitivity")
st.caption(
    "Which border parameter drives corridor time and cost, and how far a measure must go before "
    "road beats sea. Sweeps run with `corridor sweep --spec SPEC --out DIR` (Dask, resumable "
    "Parquet); this page reads such a folder, or runs a small shipped sweep here."
)

SPECS = resources.files("logistics").joinpath("data", "sweeps")
names = sorted(p.name.removesuffix(".toml") for p in SPECS.iterdir() if p.name.endswith(".toml"))

with st.expander(
    "Run a shipped sweep on a local cluster", expanded="swp_folder" not in st.session_state
):
    with st.form("swp_run"):
        name = st.selectbox("Spec", names, key="swp_spec")
        c1, c2, c3 = st.columns(3)
        samples = c1.number_input(
            "Samples (Sobol, LHS, Morris)",
            1,
            4096,
            16,
            key="swp_samples",
            help="overrides the spec's samples to keep the run small; a grid keeps its levels",
        )
        draws = c2.select_slider(
            "Monte Carlo draws", options=[200, 500, 1000, 2000], value=500, key="swp_draws"
        )
        workers = c3.number_input(
            "Worker processes",
            0,
            8,
            min(2, os.cpu_count() or 1),
            key="swp_workers",
            help="0 runs in the app's own process, without Dask",
        )
        go = st.form_submit_button("Run sweep", type="primary")
    if go:

        def run() -> Path:
            spec = load_spec(Path(str(SPECS.joinpath(f"{name}.toml"))))
            if spec.design != "grid":
                spec = replace(spec, samples=int(samples))
            spec = replace(spec, draws=int(draws))
            out = _state.session_dir() / "sweeps" / f"{spec.name}-{spec.sha256()[:12]}"
            bar = st.progress(0.0, text=f"{n_points(spec)} points")

            def progress(done: int, total: int) -> None:
                bar.progress(done / max(total, 1), text=f"chunk {done} of {total}")

            run_sweep(spec, out, workers=int(workers), progress=progress)
            analyse(spec, out)
            return out

        launched = _state.guarded(run, what="Sweep")
        if launched is not None:
            st.session_state["swp_folder"] = st.session_state["swp_path"] = str(launched)

path = st.text_input(
    "Results folder",
    key="swp_path",
    help="a folder written by `corridor sweep` (it holds sweep.json and results/)",
)
if not path.strip():
    st.info("Enter a results folder, or run a shipped sweep above.")
    st.stop()
folder = Path(path.strip())
if not (folder / "sweep.json").is_file():
    _state.show_error("Results folder", f"no sweep.json in {folder.name or path!r}")
    st.stop()
meta = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
results = _state.guarded(lambda: load_results(folder), what="Results")
if results is None:
    st.stop()

spec = meta["spec"]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Spec", spec["name"])
c2.metric("Points", f"{meta.get('points', '?'):,}")
c3.metric("Design", spec["design"])
c4.metric("Failed rows", f"{meta.get('failed_rows', 0):,}")
if meta.get("status") != "complete":
    st.warning("This sweep did not finish: rerun it into the same folder to resume.")

if (folder / "tornado.png").is_file():
    st.subheader("Which parameter matters (total-order index, 95 % confidence)")
    st.image(str(folder / "tornado.png"))
if (folder / "indices.csv").is_file():
    st.dataframe(pd.read_csv(folder / "indices.csv"), hide_index=True)
if (folder / "breakeven.json").is_file():
    answer = json.loads((folder / "breakeven.json").read_text(encoding="utf-8"))
    st.subheader(f"Break-even: {answer['od']}")
    (st.success if answer["found"] else st.warning)(_state.as_text(answer["message"]))
    if (folder / "breakeven.png").is_file():
        st.image(str(folder / "breakeven.png"))
    st.dataframe(pd.read_csv(folder / "breakeven.csv"), hide_index=True)

st.subheader("Results")
st.dataframe(results, hide_index=True)
st.download_button(
    "Download results (CSV)",
    _state.csv_bytes(results),
    file_name=f"{spec['name']}-results.csv",
    mime="text/csv",
    on_click="ignore",
)
