"""Border parameters: the sourced crossings table, editable, saved as a scenario TOML."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import _border, _compute, _state

st.title("Border parameters")
st.caption(
    "Opening hours, clearance times (median and P90), documentary time, fees, through-trucking "
    "and transloading for every crossing and direction, each with its source. Edit the white "
    "cells, then save the edits as a scenario: it is available at once on the other pages of "
    "this session and can be downloaded as TOML."
)

table = _compute.border_table()
order = _border.column_order(table)
table = table[order]

HOURS_HELP = "e.g. 06:00-22:00, 24h, closed, or per day: mon-fri 07:00-19:00; sat 08:00-12:00"
config: dict[str, Any] = {}
for column in _border.EDITABLE:
    if column not in table:
        continue
    if column.endswith("_hours"):
        config[column] = st.column_config.TextColumn(column, help=HOURS_HELP, required=True)
    elif table[column].dtype == bool:
        config[column] = st.column_config.CheckboxColumn(column)
    else:
        config[column] = st.column_config.NumberColumn(
            column, min_value=0.0, step=0.25, format="%.2f", required=True
        )
for column in table.columns:
    if column.endswith("source"):
        config[column] = st.column_config.TextColumn(column, width="large")

edited = st.data_editor(
    table,
    key="border_editor",
    hide_index=True,
    num_rows="fixed",
    disabled=[c for c in table.columns if c not in _border.EDITABLE],
    column_config=config,
    height=420,
)

with st.expander("Sources of one crossing", icon=":material/menu_book:"):
    crossing = st.selectbox("Crossing", sorted(table["crossing_id"].unique()), key="src_crossing")
    rows = table[table["crossing_id"] == crossing]
    for _, row in rows.iterrows():
        st.markdown(f"**{row['from_country']} → {row['to_country']}**")
        for column in table.columns:
            if column.endswith("source") and str(row[column]).strip():
                st.markdown(f"- `{column}`: {row[column]}")

found = _state.guarded(lambda: _border.changes(table, edited), what="Edits")
if found is None:
    st.stop()
edits: pd.DataFrame = found
grouped = _state.guarded(lambda: _border.overrides(edits), what="Edits")
if grouped is None:
    st.stop()
sections: dict[str, dict[str, Any]] = grouped

st.subheader("Save as a scenario")
if edits.empty:
    st.caption("No edits yet: change a white cell in the table above.")
else:
    st.dataframe(edits.astype({"shipped": str, "edited": str}), hide_index=True)
    st.caption(
        "A scenario sets one value per crossing for **both** directions: an edit on one row "
        "applies to the other direction of the same crossing too."
    )

builtins = _state.builtin_scenarios()
with st.form("save_form"):
    c1, c2 = st.columns(2)
    name = c1.text_input("Scenario name", value="my-edits", key="new_name")
    base = c2.selectbox(
        "Based on (extends)",
        builtins,
        key="new_base",
        help="global rules of this scenario apply wherever you did not edit a crossing",
    )
    description = st.text_input(
        "Description", value="Border parameters edited in the corridor app", key="new_description"
    )
    source = st.text_input(
        "Source of the edited values",
        value="assumption: value entered by the user in the corridor app",
        key="new_source",
        help="cite a publication, or say it is an assumption",
    )
    save = st.form_submit_button("Save scenario", type="primary", disabled=edits.empty)

if save:

    def _save() -> str:
        checked = _state.check_scenario_name(name)
        text = _border.scenario_toml(
            name=checked,
            extends=base,
            description=description,
            crossings=sections,
            source=source.strip() or "assumption: value entered by the user in the corridor app",
        )
        return _state.add_scenario_toml(text, fallback_name=checked)

    saved = _state.guarded(_save, what="Scenario")
    if saved is not None:
        st.success(
            f"Saved scenario **{saved}**: choose it on the Route tester, Scenario comparison, "
            "Fleet optimization and Delay export pages.",
            icon=":material/check_circle:",
        )

st.subheader("Load a scenario file")
upload = st.file_uploader(
    "Scenario TOML (extends a built-in scenario)", key="scenario_file", help="at most 100 kB"
)
if upload is not None:
    uploaded = upload

    def _load() -> str:
        data = uploaded.getvalue()
        if len(data) > 100_000:
            raise _state.UploadError(
                f"{uploaded.name!r} is {len(data):,} bytes; the limit is 100 kB"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _state.UploadError(f"{uploaded.name!r} is not UTF-8 text: {exc}") from None
        stem = uploaded.name.rsplit(".", 1)[0].lower().replace("_", "-").replace(" ", "-")
        return _state.add_scenario_toml(text, fallback_name=stem)

    key = ("loaded", getattr(upload, "file_id", upload.name))
    if st.session_state.get("last_loaded") != key:
        loaded = _state.guarded(_load, what="Scenario file")
        if loaded is not None:
            st.session_state["last_loaded"] = key
            st.success(f"Loaded scenario **{loaded}**.", icon=":material/check_circle:")

own = _state.custom_scenarios()
if own:
    st.subheader("This session's scenarios")
    for scenario_name, entry in own.items():
        with st.expander(
            scenario_name, expanded=scenario_name == st.session_state.get("last_saved_scenario")
        ):
            st.code(entry["toml"], language="toml")
            st.download_button(
                "Download TOML",
                entry["toml"].encode("utf-8"),
                file_name=f"{scenario_name}.toml",
                mime="application/toml",
                key=f"dl_{scenario_name}",
                on_click="ignore",
            )
