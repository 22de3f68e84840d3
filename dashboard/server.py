"""The web server: Streamlit's ``st.App`` around ``app.py``, plus Catalyst's own routes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st


def create_app(project_dir: Path) -> st.App:
    """The ASGI app serving ``app.py`` from the project folder (absolute path, see FACTS)."""
    return st.App(str(project_dir / "app.py"))
