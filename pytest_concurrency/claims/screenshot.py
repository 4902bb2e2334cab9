"""A PNG of an HTML report, taken by headless Chromium (for the README and the tests)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["BROWSERS", "ScreenshotError", "find_browser", "screenshot"]

#: Executable names tried, in order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


class ScreenshotError(RuntimeError):
    """No browser, or the browser did not write the picture; the message says which."""


def find_browser() -> str | None:
    """The path of a Chromium-family browser on ``PATH``, or ``None``."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def screenshot(
    page: Path, png: Path, *, width: int = 1400, height: int = 1000, timeout: float = 60
) -> Path:
    """Render ``page`` in a window of ``width`` x ``height`` pixels and save it as ``png``."""
    browser = find_browser()
    if browser is None:
        raise ScreenshotError(
            f"no Chromium-family browser on PATH (tried {', '.join(BROWSERS)}); "
            "on Debian: apt-get install chromium"
        )
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="claims-chromium-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-color-profile=srgb",  # CSS colours land in the PNG unchanged
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ScreenshotError(f"{browser} took more than {timeout} s; gave up") from None
    if not png.is_file():
        raise ScreenshotError(
            f"{browser} wrote no screenshot (exit status {done.returncode}): "
            + done.stderr.strip()[-500:]
        )
    return png
