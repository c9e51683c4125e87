"""Doctests of ui/ are collected (the Host and token checks of serve.py, the CLI's escaping), but
not the Streamlit pages: importing them runs them."""

collect_ignore = ["app.py", "pages"]
