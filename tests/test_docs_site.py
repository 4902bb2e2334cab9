"""The built documentation site, looked at in a real browser: the front page and a page of the
claims book render in headless Chromium with no console message, and every internal link of
theirs names a page and an anchor that exist.

``tox -e docs`` builds the site and runs this file with ``PYTEST_CONCURRENCY_SITE`` set to it.
Where no Chromium-family browser is installed the browser checks skip with that reason (the
quickstart needs Python and pip only); CI sets ``PYTEST_CONCURRENCY_REQUIRE_BROWSER=1``, which
turns that skip into a failure, so CI proves the check ran.
"""

from __future__ import annotations

import os
import types
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

SITE = os.environ.get("PYTEST_CONCURRENCY_SITE")
#: The pages looked at: the front page and the claims book's page of asyncio fundamentals.
PAGES = {"front page": "index.html", "claims-book page": "claims/aio.html"}

needs_site = pytest.mark.skipif(
    not SITE, reason="needs the built site in PYTEST_CONCURRENCY_SITE (tox -e docs sets it)"
)


class _Links(HTMLParser):
    """What a page links to or loads (``a``, ``link``, ``script``, ``img``), and its ``id``s."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        # What the page loads: Chromium does not log a file that failed to load, so each one
        # is checked like a link.
        if tag == "link" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag in {"script", "img"} and found.get("src"):
            self.hrefs.append(str(found["src"]))


def _parse(html: str) -> _Links:
    links = _Links()
    links.feed(html)
    return links


def _broken_links(page: Path, dom: str) -> list[str]:
    """The internal links of ``page`` (its DOM as the browser built it) whose file or anchor
    does not exist in the built site."""
    broken = []
    ids_of: dict[Path, set[str]] = {page: _parse(dom).ids}
    for href in _parse(dom).hrefs:
        parts = urlsplit(href)
        if parts.scheme in {"http", "https", "mailto"} or parts.netloc:
            continue  # outside the site: not checked (the build is offline)
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no file {target}")
            continue
        if parts.fragment:
            if target not in ids_of:
                ids_of[target] = _parse(target.read_text("utf-8")).ids
            if unquote(parts.fragment) not in ids_of[target]:
                broken.append(f"{href}: no id {parts.fragment!r} in {target.name}")
    return broken


@needs_site
@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_the_page_renders_with_no_console_message_and_its_links_resolve(
    browser: types.ModuleType, page: str
) -> None:
    """Loaded in headless Chromium, the page logs nothing to the console (no message, no script
    error), and every internal link, stylesheet, script and image names a file that exists."""
    path = Path(str(SITE)) / page
    assert path.is_file(), f"the site has no {page}"

    rendered = browser.render(path)

    assert rendered.console == []
    assert len(_parse(rendered.dom).hrefs) > 10  # the links were there to check
    assert 'id="furo-main-content"' in rendered.dom  # furo's layout, drawn
    assert _broken_links(path, rendered.dom) == []


@needs_site
@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_the_page_draws_a_picture(browser: types.ModuleType, page: str, tmp_path: Path) -> None:
    """The browser draws the page: a PNG of the window's size, not a blank one."""
    png = browser.screenshot(Path(str(SITE)) / page, tmp_path / "page.png", width=800, height=600)

    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank 800x600 PNG compresses to a few hundred bytes


def test_the_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    """The check itself can fail: a missing page and a missing anchor are both reported."""
    (tmp_path / "there.html").write_text('<p id="here">x</p>', "utf-8")
    page = tmp_path / "index.html"
    dom = (
        '<a href="there.html#here">ok</a><a href="gone.html">gone</a>'
        '<a href="there.html#nowhere">no anchor</a><a href="https://example.org/">out</a>'
    )

    broken = _broken_links(page, dom)

    assert [b.split(":")[0] for b in broken] == ["gone.html", "there.html#nowhere"]


def test_the_browser_check_sees_a_console_error_and_a_missing_file(
    browser: types.ModuleType, tmp_path: Path
) -> None:
    """The check itself can fail: a page that logs an error, and loads a script that is not
    there, is caught on both counts."""
    page = tmp_path / "index.html"
    page.write_text(
        '<main><script src="gone.js"></script><script>console.error("boom")</script></main>',
        "utf-8",
    )

    rendered = browser.render(page)

    assert any('"boom"' in message for message in rendered.console)
    assert [b.split(":")[0] for b in _broken_links(page, rendered.dom)] == ["gone.js"]
