"""Entry point of the Streamlit app: ``corridor app`` or ``streamlit run app/main.py``."""

from __future__ import annotations

import streamlit as st

# Page icons are emoji: Streamlit turns them into inline SVG favicons, whereas a ":material/...:"
# favicon is fetched from fonts.gstatic.com, and the app must work offline (the browser test
# checks that a page loads nothing from outside the server).
st.set_page_config(page_title="ASEAN corridor", page_icon="🚚", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Overview", icon="🏠", default=True),
    st.Page("pages/route_tester.py", title="Route tester", icon="🗺️"),
    st.Page("pages/scenario_comparison.py", title="Scenario comparison", icon="⚖️"),
    st.Page("pages/border_parameters.py", title="Border parameters", icon="🛂"),
    st.Page(
        "pages/fleet_optimization.py",
        title="Fleet optimization",
        icon="📦",
    ),
    st.Page("pages/delay_export.py", title="Delay export", icon="📤"),
]

st.navigation(PAGES).run()
