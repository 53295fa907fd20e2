"""Shared fixtures: the checkout, a scratch copy of the project, and headless Chromium."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def claims_frame(text: str) -> pd.DataFrame:
    """A tiny ledger of claims from inline CSV text, typed as `analysis.load_figures` types it."""
    frame = pd.read_csv(io.StringIO(text), dtype={"value_low": "Int64", "value_best": "Int64",
                                                  "value_high": "Int64"},
                        parse_dates=["published", "as_of", "period_start", "period_end"])
    return frame.convert_dtypes()


def copy_project(dest: Path) -> Path:
    """A scratch project: raw data, processed data and notebooks, never the checkout itself."""
    for sub in ("data/raw", "data/processed", "notebooks"):
        shutil.copytree(ROOT / sub, dest / sub)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def tree_hash(path: Path) -> dict[str, str]:
    """sha256 of every file under a folder, to prove that nothing changed."""
    if not path.exists():
        return {}
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def report_pages(root: Path) -> dict[str, str]:
    """sha256 of what readers get: the pages, the index and the executed notebooks."""
    return {k: v for k, v in tree_hash(root / "reports").items()
            if k.startswith(("html/", "executed/")) or k == "index.html"}


def readable(page: str) -> str:
    """A page without the spans that keep dates and ranges whole (`analysis.escape.prose`),
    for tests that look for a sentence as the reader reads it."""
    span = re.compile(r"<span (?:dir=[\"']ltr[\"'] )?style=[\"']white-space:nowrap[\"']>"
                      r"([^<]*)</span>")
    while (unwrapped := span.sub(r"\1", page)) != page:  # a period's dates, then the period
        page = unwrapped
    return page


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `analysis` command line in a subprocess."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=600)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """A scratch project whose reports were built once by `analysis run`, for reading."""
    root = copy_project(tmp_path_factory.mktemp("rendered") / "project")
    result = cli("--root", str(root), "run")
    assert result.returncode == 0, result.stderr
    return root


# --- headless Chromium (Debian's, driven by Playwright; no browser download) -------------

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:  # a failure, not a skip: CI installs it (.ci/run)
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    pg.errors, pg.dialogs, pg.external = [], [], []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: r.url.startswith(("http:", "https:"))
          and pg.external.append(r.url))
    yield pg
    ctx.close()


def clean(pg) -> None:
    assert pg.errors == [] and pg.dialogs == [] and pg.external == []
