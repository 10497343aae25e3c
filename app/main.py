"""Entry point of the Streamlit app: ``corridor app`` or ``streamlit run app/main.py``."""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="ASEAN corridor",
    page_icon=":material/local_shipping:",
    layout="wide",
)

PAGES = [
    st.Page("pages/home.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/route_tester.py", title="Route tester", icon=":material/route:"),
    st.Page("pages/scenario_comparison.py", title="Scenario comparison", icon=":material/compare:"),
    st.Page("pages/border_parameters.py", title="Border parameters", icon=":material/tune:"),
    st.Page(
        "pages/fleet_optimization.py",
        title="Fleet optimization",
        icon=":material/local_shipping:",
    ),
    st.Page("pages/delay_export.py", title="Delay export", icon=":material/download:"),
]

st.navigation(PAGES).run()
