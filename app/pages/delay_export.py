"""Delay export page."""

from __future__ import annotations

import streamlit as st

from app import _state

st.title("Delay export")

if not _state.require("scenarios", "export"):
    st.stop()
