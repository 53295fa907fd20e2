"""The HTML reports as a reader sees them: headless Debian Chromium, offline, via Playwright."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

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


def test_index_opens_each_report(rendered, page):
    page.goto((rendered / "reports" / "index.html").as_uri())
    links = page.locator("a")
    assert links.count() == 3
    for i in range(3):
        page.goto((rendered / "reports" / "index.html").as_uri())
        page.locator("a").nth(i).click()
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text() != ""
    clean(page)


def test_figures_report_renders_headline(rendered, page):
    page.goto((rendered / "reports" / "html" / "01_figures.html").as_uri())
    table = page.locator("table.ledger").first
    text = table.inner_text()
    for figure in ("150", "up to 7,000", "about 10,000", "at least 300"):
        assert figure in text
    quote = table.locator('span[dir="rtl"][lang="ar"]').first
    assert quote.inner_text() == "ونُقل 150 معتقلا بالفعل"
    assert quote.evaluate("e => getComputedStyle(e).direction") == "rtl"
    clean(page)


def test_map_renders_offline_with_arabic_popup(rendered, page):
    page.goto((rendered / "reports" / "html" / "02_map.html").as_uri())
    frame = page.frame_locator("iframe").first
    shapes = frame.locator(".leaflet-overlay-pane path.leaflet-interactive")
    shapes.first.wait_for(state="attached", timeout=10000)
    assert shapes.count() >= 10  # outlines, shaded areas, place circles, the transfer line
    assert frame.locator(".leaflet-control-layers").count() == 1
    # Open the popup of the shaded Hasakah governorate (the first batch of 150).
    frame.locator(".leaflet-overlay-pane").evaluate("""el => {
        const m = Object.values(el.ownerDocument.defaultView).find(
            v => v && v instanceof el.ownerDocument.defaultView.L.Map);
        const text = c => typeof c === 'string' ? c : (c && c.textContent) || '';
        m.eachLayer(l => { if (l.getPopup && l.getPopup() && !(l instanceof
            el.ownerDocument.defaultView.L.Polyline && !(l instanceof
            el.ownerDocument.defaultView.L.Polygon)) &&
            text(l.getPopup().getContent()).includes('ونُقل 150')) l.openPopup(); });
    }""")
    popup = frame.locator(".leaflet-popup-content").first
    popup.wait_for(timeout=5000)
    quote = popup.locator("div[dir='rtl'][lang='ar']").first
    assert quote.inner_text() == "«ونُقل 150 معتقلا بالفعل»"
    assert quote.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "CENTCOM" in popup.inner_text()
    clean(page)


def test_trends_report_shows_the_chart(rendered, page):
    page.goto((rendered / "reports" / "html" / "03_trends.html").as_uri())
    img = page.locator("img[src^='data:image/png']").first
    img.wait_for()
    assert img.evaluate("e => e.naturalWidth") > 300
    clean(page)
