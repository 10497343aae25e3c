"""Scenario comparison page."""

from __future__ import annotations

import streamlit as st

from app import _state

st.title("Scenario comparison")

if not _state.require("scenarios", "compare"):
    st.stop()
