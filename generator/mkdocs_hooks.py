"""MkDocs hooks. Optional niceties only: the generated Markdown renders the same without them."""

from __future__ import annotations


def on_page_context(context, page, config, nav):
    """'Edit this page' on a generated page opens the record's YAML, not the generated Markdown."""
    edit_path = page.meta.get("edit_path")
    if edit_path and config.repo_url:
        page.edit_url = config.repo_url.rstrip("/") + "/" + config.edit_uri.strip("/") + "/" + edit_path
    elif page.file.src_uri.startswith("kb/"):
        page.edit_url = None  # generated from many records: there is no one file to edit
    return context
