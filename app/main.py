"""Entry point of the Streamlit app: ``corridor app`` or ``streamlit run app/main.py``."""

from __future__ import annotations

import streamlit as st

# Page icons are emoji: Streamlit turns them into inline SVG favicons, whereas a ":material/...:"
# favicon is fetched from fonts.gstatic.com, and the app must work offline (the browser test
# checks that a page loads nothing from outside the server).
st.set_page_config(page_title="ASEAN corridor", page_icon="🚚", layout="wide")

# The page scripts live in views/, not pages/: a pages/ folder beside this script makes
# Streamlit (1.67) run a deep link such as /fleet_optimization, opened first after a server
# start, as a bare "pages directory" script, without this file's navigation and layout.
PAGES = [
    st.Page("views/home.py", title="Overview", icon="🏠", default=True),
    st.Page("views/route_tester.py", title="Route tester", icon="🗺️"),
    st.Page("views/scenario_comparison.py", title="Scenario comparison", icon="⚖️"),
    st.Page("views/border_parameters.py", title="Border parameters", icon="🛂"),
    st.Page(
        "views/fleet_optimization.py",
        title="Fleet optimization",
        icon="📦",
    ),
    st.Page("views/delay_export.py", title="Delay export", icon="📤"),
    st.Page("views/sensitivity.py", title="Sensitivity", icon="🎯"),
]

st.navigation(PAGES).run()
