"""Zero broken internal links or anchors in the built real site.

LinkChecker can check anchors only over HTTP, and over HTTP it took more than 15 minutes on this site
(every page links hundreds of URL#anchor pairs, each fetched separately), so this is an equivalent
checker that reads every built page once: every internal href/src must name a file that exists
(a folder URL needs its index.html) and every #fragment an id or name on the target page. It is
itself tested on a small site with known breakage, so it cannot pass by seeing nothing."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

SITE_ROOT = "http://site.invalid/"
"""A stand-in origin for resolving relative links; anything on another origin is external."""

LINK_ATTRIBUTES = {"a": "href", "link": "href", "area": "href", "img": "src", "script": "src",
                   "source": "src", "iframe": "src", "use": "href"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.ids.add(attributes[name])
        if tag == "base" and attributes.get("href"):
            self.base = attributes["href"]
        wanted = LINK_ATTRIBUTES.get(tag)
        value = attributes.get(wanted) if wanted else None
        if value is None and tag == "use":
            value = attributes.get("xlink:href")
        if value:
            self.links.append((self.getpos()[0], value))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target_file(site: Path, url_path: str) -> Path | None:
    """The file a URL path serves, as a static server would (a folder serves its index.html)."""
    candidate = site / unquote(url_path).lstrip("/")
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(site: Path, prefix: str = "/") -> list[str]:
    """Every internal link or anchor in the site's HTML that does not resolve, as 'page:line: why'.

    `prefix` is the path the site is deployed under (site_url's path): 404.html links from there,
    because a server may show it at any depth."""
    pages = {path: _parse(path) for path in sorted(site.rglob("*.html"))}
    problems = []
    for path, page in pages.items():
        relative = path.relative_to(site).as_posix()
        page_url = urljoin(SITE_ROOT, relative)
        base = urljoin(page_url, page.base) if page.base else page_url
        for line, link in page.links:
            if link.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            resolved = urljoin(base, link)
            if not resolved.startswith(SITE_ROOT):
                continue  # another host: not ours to check offline
            parts = urlsplit(resolved)
            url_path = "/" + parts.path.removeprefix(prefix) if parts.path.startswith(prefix) else parts.path
            target = target_file(site, url_path)
            if target is None:
                problems.append(f"{relative}:{line}: {link} -> no file for {url_path}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{relative}:{line}: {link} -> no id {parts.fragment!r} in "
                                    f"{target.relative_to(site).as_posix()}")
    return problems


def test_the_checker_finds_missing_pages_and_anchors(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><a href="#top">ok</a>')
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a>\n<a href="a/#top">ok</a>\n<a href="b/">missing page</a>\n'
        '<a href="a/#nowhere">missing anchor</a>\n<img src="logo.png">\n'
        '<a href="https://example.org/x">external</a>\n<a href="../a/">ok, clamped to the root</a>\n'
        '<a href="/deployed/a/#top">ok under the deployment path</a>\n<a href="/deployed/c/">missing</a>')
    assert broken_links(tmp_path, prefix="/deployed/") == [
        "index.html:3: b/ -> no file for /b/",
        "index.html:4: a/#nowhere -> no id 'nowhere' in a/index.html",
        "index.html:5: logo.png -> no file for /logo.png",
        "index.html:9: /deployed/c/ -> no file for /c/",
    ]


@pytest.mark.slow
def test_no_broken_internal_links_or_anchors_in_the_real_site(real_site):
    pages = list(real_site.site.rglob("*.html"))
    assert len(pages) > 400, "the site looks unbuilt"
    problems = broken_links(real_site.site, prefix=urlsplit(real_site.addresses.site_url).path)
    assert problems == [], f"{len(problems)} broken links:\n" + "\n".join(problems[:50])
