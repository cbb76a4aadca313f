"""Headless Chromium for the report screenshots (docs/reports/) and the browser test: Debian's
`chromium` package, installed by scripts/install-chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration.settings import PROJECT_DIR

INSTALL_SCRIPT = PROJECT_DIR / "scripts" / "install-chromium"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
WINDOW_WIDTH = 1100
WINDOW_HEIGHT = 2400
TIMEOUT_SECONDS = 120


class ChromiumUnavailable(RuntimeError):
    """No Chromium on PATH and scripts/install-chromium could not install one (the reason)."""


def find_chromium() -> str | None:
    """MSPKPI_CHROMIUM if set, else the first of chromium, chromium-browser, google-chrome."""
    explicit = os.environ.get("MSPKPI_CHROMIUM")
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).exists() else None)
    for name in CANDIDATES:
        if found := shutil.which(name):
            return found
    return None


def ensure_chromium(install: bool = True) -> str:
    """The Chromium executable, installed with scripts/install-chromium (apt-get) when missing.
    Raises ChromiumUnavailable with the installer's own words when that fails."""
    if found := find_chromium():
        return found
    if not install:
        raise ChromiumUnavailable("chromium is not on PATH (run scripts/install-chromium)")
    completed = subprocess.run(
        [str(INSTALL_SCRIPT)], capture_output=True, text=True, check=False, timeout=900
    )
    if completed.returncode != 0 or not (found := find_chromium()):
        reason = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise ChromiumUnavailable(
            f"scripts/install-chromium failed (exit {completed.returncode}): {' / '.join(reason)}"
        )
    return found


def _run(args: list[str], chromium: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="mspkpi-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # root in containers; the page is our own static file
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            *args,
        ]
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=TIMEOUT_SECONDS
        )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:1] + args)} failed (exit {completed.returncode}): "
            f"{completed.stderr.strip()[-800:]}"
        )
    return completed


def screenshot(
    html: Path,
    png: Path,
    *,
    width: int = WINDOW_WIDTH,
    height: int = WINDOW_HEIGHT,
    chromium: str | None = None,
    crop: bool = True,
) -> Path:
    """A PNG of the page as Chromium draws it at width x height; with `crop`, the empty page
    background under the report is cut off."""
    chromium = chromium or ensure_chromium()
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [f"--window-size={width},{height}", f"--screenshot={png}", html.resolve().as_uri()],
        chromium,
    )
    if crop:
        crop_background(png)
    return png


def dump_dom(
    html: Path,
    *,
    width: int = WINDOW_WIDTH,
    height: int = WINDOW_HEIGHT,
    chromium: str | None = None,
) -> str:
    """The DOM after Chromium loaded the page (and ran its scripts), serialised as HTML."""
    chromium = chromium or ensure_chromium()
    completed = _run(
        [f"--window-size={width},{height}", "--dump-dom", html.resolve().as_uri()], chromium
    )
    return completed.stdout


def crop_background(png: Path, margin: int = 16) -> Path:
    """Cut the rows under the last one that differs from the bottom row (the page background)."""
    from PIL import Image, ImageChops

    with Image.open(png) as image:
        rgb = image.convert("RGB")
    background = Image.new("RGB", rgb.size, rgb.getpixel((rgb.width // 2, rgb.height - 1)))
    box = ImageChops.difference(rgb, background).getbbox()
    if box is not None and box[3] + margin < rgb.height:
        rgb.crop((0, 0, rgb.width, box[3] + margin)).save(png)
    return png
