"""Shared Streamlit pieces: the process's store, error boxes, empty states."""

from __future__ import annotations

import streamlit as st

from dashboard import settings
from dashboard.store import Store, StoreError


@st.cache_resource(show_spinner=False)
def _store_at(path: str) -> Store:
    return Store(path)


def store() -> Store:
    """The one Store of this server process; stops the page with a clear message if unusable."""
    path = settings.database_path()
    try:
        return _store_at(str(path))
    except StoreError as problem:
        st.error(f"Catalyst cannot open its database.\n\n{problem}", icon=":material/error:")
        st.stop()


def empty_state(message: str, next_step: str) -> None:
    """A friendly box for 'nothing here yet' that says what to do next."""
    st.info(f"{message}\n\n**Next:** {next_step}", icon=":material/info:")
