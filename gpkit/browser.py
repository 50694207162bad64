"""Open report pages in headless Chromium and check what a reader would see.

Used by the report's browser test and by ``gpkit report --check``. Each page is
loaded from ``file://`` with every non-file request blocked (so a page that needs a
CDN fails here exactly as it would offline), and we record console errors,
uncaught exceptions, failed requests, images that did not decode and the number of
rows of the claims table.

Needs the ``playwright`` Python package (the ``dev`` extra) and a Chromium binary:
Debian's ``chromium`` package, found on ``PATH`` or at ``$GPKIT_CHROMIUM``;
:func:`find_chromium` never installs anything: ``make test`` (the Makefile's ``browser`` target) installs Debian's
``chromium`` when it is missing and the user is root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BrowserUnavailable", "PageCheck", "find_chromium", "check_pages"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class BrowserUnavailable(RuntimeError):
    """No Chromium (or no playwright) on this machine, and it could not be installed."""


@dataclass
class PageCheck:
    """What loading one page showed. ``ok`` when nothing went wrong."""

    path: Path
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: int = 0
    broken_images: list[str] = field(default_factory=list)
    claim_rows: int | None = None

    @property
    def ok(self) -> bool:
        return not (self.console_errors or self.failed_requests or self.broken_images)

    def problems(self) -> list[str]:
        """One line per problem found on the page."""
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"request failed: {u}" for u in self.failed_requests]
                + [f"image did not decode: {s}" for s in self.broken_images])


def find_chromium() -> str:
    """Path of a Chromium executable (``$GPKIT_CHROMIUM``, else the first of chromium, chromium-browser,
    google-chrome on ``PATH``). Raises :class:`BrowserUnavailable` saying how to get one otherwise."""
    explicit = os.environ.get("GPKIT_CHROMIUM")
    if explicit:
        if Path(explicit).is_file():
            return explicit
        raise BrowserUnavailable(f"GPKIT_CHROMIUM={explicit} does not exist")
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable("no Chromium found: `make browser` (as root: Debian's chromium), "
                             "`sudo apt-get install chromium` or set GPKIT_CHROMIUM")


_IMAGES_JS = """() => Array.from(document.images).map(img => [img.getAttribute('src') || '', img.complete,
                                                         img.naturalWidth])"""


def check_pages(
    paths: Sequence[str | Path],
    *,
    chromium: str | None = None,
    screenshot: str | Path | None = None,
    viewport: tuple[int, int] = (1280, 900),
    timeout_s: float = 60.0,
) -> list[PageCheck]:
    """Load each HTML file from ``file://`` in headless Chromium with the network blocked.

    A screenshot of the first page (its top, ``viewport`` pixels) is written to
    ``screenshot`` when given. Returns one :class:`PageCheck` per page, in order.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - dev extra
        raise BrowserUnavailable("the playwright package is missing: pip install -e '.[dev]'") from err
    exe = chromium or find_chromium()
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=_ARGS, timeout=timeout_s * 1000)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                          else route.abort("internetdisconnected"))
            for i, path in enumerate(paths):
                path = Path(path).resolve()
                check = PageCheck(path)
                page = context.new_page()
                page.on("console", lambda m, c=check: c.console_errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, c=check: c.console_errors.append(f"uncaught: {e}"))
                page.on("requestfailed", lambda r, c=check: c.failed_requests.append(r.url))
                page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
                page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
                check.title = page.title()
                images = page.evaluate(_IMAGES_JS)
                check.images = len(images)
                check.broken_images = [src for src, complete, width in images if not complete or width <= 0]
                rows = page.evaluate("() => { const t = document.querySelector('#claims-table');"
                                     " return t ? t.querySelectorAll('tbody tr.claim').length : null; }")
                check.claim_rows = rows
                if i == 0 and screenshot is not None:
                    Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(screenshot))
                page.close()
                results.append(check)
        finally:
            browser.close()
    return results
