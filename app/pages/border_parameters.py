"""Border parameters page."""

from __future__ import annotations

import streamlit as st

from app import _state

st.title("Border parameters")

if not _state.require("border", "scenarios"):
    st.stop()
