"""Fleet optimization page."""

from __future__ import annotations

import streamlit as st

from app import _state

st.title("Fleet optimization")

if not _state.require("network", "scenarios", "fleet"):
    st.stop()
