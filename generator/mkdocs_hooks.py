"""MkDocs hooks: 'Edit this page' links to a record's YAML, and the site's search index (Pagefind,
run on the built site after every build; see generator/search.py). Without these hooks the pages
render the same but the site has no search."""

from __future__ import annotations

import posixpath

from mkdocs.exceptions import PluginError

from generator import search


def on_startup(command, dirty):
    search.start_session(command)


def on_shutdown():
    search.end_session()


def on_post_build(config):
    """Index the built site with Pagefind; a failure fails the build (generator build then keeps
    the previous site)."""
    try:
        search.after_build(config.site_dir)
    except search.SearchIndexError as exc:
        raise PluginError(f"search index (Pagefind) failed: {exc}") from None


def on_page_context(context, page, config, nav):
    """'Edit this page' on a generated page opens the record's YAML, not the generated Markdown."""
    edit_path = page.meta.get("edit_path")
    if edit_path and config.repo_url and config.edit_uri:
        repository_root = posixpath.dirname(config.edit_uri.strip("/"))  # edit/main/docs -> edit/main
        page.edit_url = f"{config.repo_url.rstrip('/')}/{repository_root}/{edit_path}"
    elif page.file.src_uri.startswith("kb/"):
        page.edit_url = None  # generated from many records: there is no one file to edit
    return context
