"""The HTML reports as a reader sees them: headless Debian Chromium, offline, via Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import clean, cli, copy_project
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import analysis
from analysis import maps


def test_index_opens_each_report(rendered, page):
    page.goto((rendered / "reports" / "index.html").as_uri())
    links = page.get_by_role("main").locator("a")  # a landmark to jump to, holding every link
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
    for figure in ("150", "up to 7,000", "about 10,000", "more than 300"):
        assert figure in text
    # cells start where their language does (the lab theme right-aligned every cell)
    assert table.locator("td").first.evaluate("e => getComputedStyle(e).textAlign") == "start"
    quote = table.locator('span[dir="rtl"][lang="ar"]').first
    assert quote.inner_text() == "ونُقل 150 معتقلا بالفعل"
    assert quote.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # a link is told from the text beside it by more than its colour (1.9:1, too faint)
    links = page.evaluate("""() => [...document.querySelectorAll('table.ledger a, p a')]
        .map(a => getComputedStyle(a).textDecorationLine)""")
    assert len(links) > 20 and set(links) == {"underline"}, set(links)
    clean(page)


def test_the_words_of_each_claim_have_room(rendered, page):
    """At 1280 px the words column of 'Every claim' was 138 px, one to three words a line,
    beside a period kept on one line (180 px): the words get 15em, a period breaks after its
    dash, and the table still fits the page."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((rendered / "reports" / "html" / "01_figures.html").as_uri())
    table = page.get_by_role("table", name="Every claim", exact=True)
    words = table.locator("td.words").evaluate_all("cells => cells.map(c => c.offsetWidth)")
    assert len(words) > 100 and min(words) >= 15 * 13, sorted(words)[:5]
    box = table.evaluate("t => [t.closest('.jp-OutputArea-output').scrollWidth, "
                         "t.closest('.jp-OutputArea-output').clientWidth]")
    assert box[0] <= box[1], box
    periods = table.locator("td", has_text=" – 2025-").evaluate_all(
        "cells => cells.map(c => c.offsetWidth)")
    assert periods and max(periods) < 120, periods
    clean(page)


def test_arabic_emphasis_is_not_slanted(arabic, page):
    """Arabic has no italics: its emphasis (*ادعاء*, «إعادة صياغة، لا اقتباس») is bold."""
    page.goto((arabic / "reports" / "html" / "01_figures.html").as_uri())
    ems = page.locator("em").all()
    styles = {e.evaluate("e => [getComputedStyle(e).fontStyle, getComputedStyle(e).fontWeight]")
              [0] for e in ems if e.evaluate("e => e.closest('[lang]').lang") == "ar"}
    assert len(ems) > 10 and styles == {"normal"}, styles
    clean(page)


def test_each_table_is_named_by_its_heading(rendered, arabic, page):
    """Moving from table to table, a screen reader heard only "table, 8 columns"."""
    for root, name, heading in (
            (rendered, "01_figures", "Where copies of one statement differ"),
            (rendered, "02_map", "What each shade says"),
            (arabic, "02_map", "ما تقوله كل دائرة")):
        page.goto((root / "reports" / "html" / f"{name}.html").as_uri())
        assert page.get_by_role("table", name=heading, exact=True).count() == 1
        tables = page.locator("table.ledger")
        names = [t.get_attribute("aria-label") for t in tables.all()]
        assert len(names) >= 5 and all(names), names
    clean(page)


MAP_JS = "() => Object.values(window).find(v => v instanceof L.Map)"


def click_at(frame, page, lat: float, lon: float) -> None:
    """A real mouse click on the map at a latitude and longitude."""
    x, y = frame.evaluate(f"([lat, lon]) => {{ const m = ({MAP_JS})(); "
                          "const p = m.latLngToContainerPoint([lat, lon]); "
                          "const r = m.getContainer().getBoundingClientRect(); "
                          "return [r.left + p.x, r.top + p.y]; }", [lat, lon])
    box = page.locator("iframe").first.bounding_box() if frame != page.main_frame else None
    page.mouse.click(x + (box["x"] if box else 0), y + (box["y"] if box else 0))


def quiet_point(code: str) -> tuple[float, float]:
    """A point inside a governorate, away from every marker and from the transfer line."""
    from shapely.geometry import LineString

    admin1 = analysis.load_boundaries("admin1")
    shape = admin1[admin1["admin1_code"] == code].geometry.iloc[0]
    places = maps.mapped_places(analysis.load_places())
    busy = [p.buffer(0.35) for p in places.geometry]
    origin = places.set_index("place_id").geometry["ghweran-prison"]
    busy += [LineString([origin, p]).buffer(0.35) for p in places.geometry]
    for blocked in busy:
        shape = shape.difference(blocked)
    point = shape.representative_point()
    return point.y, point.x


def test_map_renders_offline_with_arabic_popup(rendered, page, tmp_path):
    page.goto((rendered / "reports" / "html" / "02_map.html").as_uri())
    frame = page.frame_locator("iframe").first
    markers = frame.locator(".leaflet-marker-pane > *")
    markers.first.wait_for(state="visible", timeout=20000)
    # The boundary layer: every governorate outline and the countries, with no tile server.
    assert frame.locator("path.boundary-admin1").count() == 33
    assert frame.locator("path.boundary-admin0").count() == 10
    assert frame.locator("path.governorate").count() == 32
    assert frame.locator(".leaflet-tile").count() == 0
    # One marker per place with coordinates; places known only to a governorate have none.
    assert markers.count() == len(maps.mapped_places(analysis.load_places())) == 10
    assert frame.locator(".flow-moved").count() == 2 and frame.locator(".flow-planned").count() == 2
    assert "moved" in frame.locator(".flow-label").first.inner_text()
    assert frame.locator(".leaflet-control-layers").count() == 1
    assert frame.locator(".map-legend").count() == 1
    # Click inside Hasakah governorate: the claims of places known only to it, Arabic RTL.
    lat, lon = quiet_point("SY-HA")
    click_at(page.frames[1], page, lat, lon)
    popup = frame.locator(".leaflet-popup-content").first
    popup.wait_for(timeout=20000)
    assert "Al-Hasakah (SY-HA)" in popup.inner_text()
    quote = popup.locator("div.quote[dir='rtl'][lang='ar']").first
    assert quote.inner_text() == "«ونُقل 150 معتقلا بالفعل»"
    assert quote.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # and starts on the right: Leaflet's popups align every line left
    assert quote.evaluate("e => getComputedStyle(e).textAlign") == "start"
    assert "CENTCOM" in popup.inner_text()
    shot = tmp_path / "map.png"
    page.locator("iframe").first.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    clean(page)


def ring(marker) -> dict:
    """Where a reader clicks a marker: on its ring, left of the centre, where a smaller
    marker drawn above it (a place next door) does not lie."""
    box = marker.bounding_box()
    return {"x": min(2, box["width"] / 2), "y": box["height"] / 2}


def open_popup(page, marker, popup, attempts: int = 5) -> None:
    """Click a marker until its popup shows, as a reader would: on a loaded machine the first
    click can land while Leaflet still animates the initial fit_bounds zoom, and is lost."""
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')",
                           timeout=20000)
    for attempt in range(attempts):
        marker.click(position=ring(marker))
        try:
            popup.wait_for(timeout=4000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def test_hostile_quote_shows_as_text(page, tmp_path):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> ${alert(3)}"
    figures = analysis.load_figures(as_of="2026-02-28")
    row = figures[figures["figure_id"] == "rf-047"].copy()
    row["quote"] = hostile
    row["claimant"] = hostile
    places = analysis.load_places()
    places.loc[places["place_id"] == "ghweran-prison", "name_en"] = hostile
    m = maps.claims_map(row, places, analysis.load_boundaries("admin1"),
                        analysis.load_boundaries("admin0"), as_of="2026-02-28")
    path = tmp_path / "hostile.html"
    m.save(str(path))
    page.goto(path.as_uri())
    marker = page.locator(".leaflet-marker-pane [data-place='ghweran-prison']")
    marker.wait_for(state="visible", timeout=20000)
    popup = page.locator(".leaflet-popup-content").first
    open_popup(page, marker, popup)
    text = popup.inner_text()
    assert text.count(hostile) == 3  # the place, the claimant and the quote, as typed
    assert popup.locator("div.quote").inner_text() == f"«{hostile}»"
    assert popup.locator("script, img").count() == 0
    marker.hover(position=ring(marker))
    tooltip = page.locator(".leaflet-tooltip:not(.flow-label)").first
    tooltip.wait_for(timeout=20000)
    assert tooltip.inner_text().startswith(hostile)
    page.wait_for_timeout(300)
    clean(page)  # no dialog opened, no error, nothing fetched


def test_trends_report_shows_the_chart(rendered, page):
    page.goto((rendered / "reports" / "html" / "03_trends.html").as_uri())
    img = page.locator("img[src^='data:image/png']").first
    img.wait_for()
    assert img.evaluate("e => e.naturalWidth") > 300
    clean(page)


@pytest.mark.parametrize("width", [390, 1200])
def test_charts_keep_their_size_on_a_phone(rendered, page, width):
    """Shrunk to a phone's width, a chart's key was 3 px high: on a phone each chart keeps its
    size in a box that scrolls sideways; on a wide screen it is shown whole."""
    page.set_viewport_size({"width": width, "height": 844})
    page.goto((rendered / "reports" / "html" / "03_trends.html").as_uri())
    charts = page.locator("img[src^='data:image/png']")
    charts.first.wait_for()
    # how far its box really scrolls (a box that hides what overflows reports a scrollWidth
    # too, and does not move)
    sizes = charts.evaluate_all("""imgs => imgs.map(i => {
        const box = i.closest('.jp-OutputArea-output');
        box.scrollLeft = getComputedStyle(box).direction === 'rtl' ? -1e6 : 1e6;
        const moved = Math.abs(box.scrollLeft); box.scrollLeft = 0;
        return [i.width, i.naturalWidth, moved, box.clientWidth]; })""")
    assert len(sizes) == 3
    assert all(shown == natural and moved == max(0, natural - room)
               for shown, natural, moved, room in sizes), sizes
    clean(page)


# Every text block with Arabic letters, as the reader's browser lays it out.
ARABIC_BLOCKS = """() => [...document.querySelectorAll('p, li, h1, h2, h3')]
  .filter(e => /[\\u0600-\\u06ff]/.test(e.textContent))
  .map(e => [e.tagName, getComputedStyle(e).direction, getComputedStyle(e).textAlign,
             e.textContent.trim().slice(0, 30)])"""


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    """A scratch project whose three reports were rendered in Arabic."""
    root = copy_project(tmp_path_factory.mktemp("arabic") / "project")
    result = cli("--root", str(root), "run", "-p", "lang", "ar")
    assert result.returncode == 0, result.stderr
    return root


def test_arabic_pages_read_right_to_left(page, arabic):
    """Headings, narrative, captions and the banner of an Arabic page are right to left and
    start on the right (JupyterLab's theme aligns paragraphs left unless told otherwise), and
    so do the charts."""
    for name in ("01_figures", "03_trends"):
        page.goto((arabic / "reports" / "html" / f"{name}.html").as_uri())
        blocks = page.evaluate(ARABIC_BLOCKS)
        assert len(blocks) > 10
        wrong = [b for b in blocks if b[1] != "rtl" or b[2] not in ("start", "right")]
        assert wrong == []
        clean(page)
    # the charts start on the right too, with the headings (they sat on the left)
    edges = page.evaluate("""() => [...document.querySelectorAll('h2, img')]
        .map(e => [e.tagName, Math.round(e.getBoundingClientRect().right)])""")
    headings = {right for tag, right in edges if tag == "H2"}
    images = [right for tag, right in edges if tag == "IMG"]
    assert len(images) == 3 and all(min(abs(r - h) for h in headings) < 30 for r in images)


# Every date and range of numbers in the page's text: how many, those the reader sees on more
# than one line, and dates laid out right to left (the year right of the day: "28-02-2026").
DATES = r"""() => {
  const date = /\d{4}-(?:\d{2}(?:-\d{2})?|W\d{2})|\d+(?:,\d{3})*–\d+(?:,\d{3})*/g;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const split = [], reversed = []; let node, seen = 0;
  const where = n => n.parentElement.closest("td, p, li, h3").textContent.slice(0, 40);
  while ((node = walk.nextNode())) {
    for (const m of node.data.matchAll(date)) {
      const r = document.createRange();
      r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const boxes = [...r.getClientRects()].filter(b => b.width > 0);
      const mids = boxes.map(b => (b.top + b.bottom) / 2);
      seen++;
      if (Math.max(...mids) - Math.min(...mids) > Math.min(...boxes.map(b => b.height)) / 2)
        split.push(m[0] + " in " + where(node));
      if (m[0].includes("–")) continue;  // a range keeps the bidi order: lower number first
      const year = document.createRange(), last = document.createRange();
      year.setStart(node, m.index); year.setEnd(node, m.index + 4);
      last.setStart(node, m.index + m[0].length - 2); last.setEnd(node, m.index + m[0].length);
      if (year.getBoundingClientRect().left > last.getBoundingClientRect().left)
        reversed.push(m[0] + " in " + where(node));
    }
  }
  return [seen, split, reversed];
}"""


@pytest.mark.parametrize("width", [1200, 480])
def test_dates_stay_whole_and_read_the_same_everywhere(rendered, arabic, page, width):
    """A date never breaks at its hyphens ("2026-01-" / "21"), which narrow table columns
    did to most dates of the ledger, nor a range at its dash ("–6,200" / "6,500" read as a
    negative number); and a date reads 2026-02-28 in an Arabic sentence as in a table cell
    (after Arabic words the bidi algorithm laid it out as 28-02-2026). In English and in
    Arabic, on a desktop and on a phone."""
    page.set_viewport_size({"width": width, "height": 900})
    for root in (rendered, arabic):
        for name in ("01_figures", "02_map", "03_trends"):
            page.goto((root / "reports" / "html" / f"{name}.html").as_uri())
            seen, split, reversed_ = page.evaluate(DATES)
            assert seen > 30 and split == [] and reversed_ == [], (root.name, name)
    clean(page)


# Markers a reader cannot click: the centre shows a control (not the markers' pane), or a
# bigger marker lying over a smaller one.
HIDDEN_MARKERS = """() => [...document.querySelectorAll('.leaflet-marker-pane > *')]
  .filter(m => { const r = m.getBoundingClientRect();
                 const hit = document.elementFromPoint(r.left + r.width / 2,
                                                       r.top + r.height / 2);
                 if (!hit || !hit.closest('.leaflet-marker-pane')) return true;
                 const over = hit.closest('.leaflet-marker-pane > *');
                 return over !== m && over.getBoundingClientRect().width > r.width; })
  .map(m => m.querySelector('[data-place]').dataset.place)"""
FOLDED = """() => [document.querySelector('.map-legend details').open,
                   !!document.querySelector('.leaflet-control-layers-expanded')]"""


@pytest.mark.parametrize(("width", "folded"), [(1200, False), (768, True), (420, True)])
def test_map_controls_fold_on_a_phone(rendered, page, width, folded):
    """On a phone the legend starts folded to its title and the layers control to Leaflet's
    button: open, the two covered the map and every marker on it. On a desktop both open.
    At either width no marker hides under a control or a bigger marker."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((rendered / "reports" / "html" / "02_map.html").as_uri())
    page.frame_locator("iframe").first.locator(".leaflet-marker-pane > *").first.wait_for(
        state="visible", timeout=20000)
    frame = page.frames[1]
    assert frame.evaluate(FOLDED) == [not folded, not folded]
    assert frame.evaluate(HIDDEN_MARKERS) == []
    if folded:
        frame.locator(".map-legend summary").click()  # a tap opens the legend
        assert frame.evaluate(FOLDED)[0] is True
    clean(page)


# For each table wider than its scrolling box: is its first header cell inside the box?
FIRST_COLUMN_SHOWN = """() => [...document.querySelectorAll('table.ledger')]
  .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth)
  .map(t => { const box = t.parentElement.getBoundingClientRect();
              const th = t.querySelector('th').getBoundingClientRect();
              return th.left >= box.left - 1 && th.right <= box.right + 1; })"""


# ... and once its box is scrolled to the far end, is its last header cell inside the box?
LAST_COLUMN_REACHED = """() => [...document.querySelectorAll('table.ledger')]
  .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => { const box = t.parentElement;
              box.scrollLeft = getComputedStyle(box).direction === 'rtl' ? -1e6 : 1e6;
              const b = box.getBoundingClientRect();
              const ths = t.querySelectorAll('th');
              const last = ths[ths.length - 1].getBoundingClientRect();
              const reached = last.left >= b.left - 1 && last.right <= b.right + 1;
              box.scrollLeft = 0;
              return reached; })"""


@pytest.mark.parametrize("width", [390, 700])
def test_wide_tables_open_at_their_first_column_on_a_phone(rendered, arabic, page, width):
    """An Arabic table wider than a phone opened scrolled to its last columns: its box ran
    left to right. Now it starts on the right, where the table's first column is. And up to
    760 px the lab theme made each output a table row, which does not scroll, in a box that
    hid the rest: the last columns were out of reach."""
    page.set_viewport_size({"width": width, "height": 900})
    for root in (rendered, arabic):
        page.goto((root / "reports" / "html" / "01_figures.html").as_uri())
        shown = page.evaluate(FIRST_COLUMN_SHOWN)
        assert len(shown) >= (3 if width < 500 else 1) and all(shown), root.name
        reached = page.evaluate(LAST_COLUMN_REACHED)
        assert len(reached) == len(shown) and all(reached), (root.name, reached)
    clean(page)


@pytest.mark.parametrize(("lang", "width"), [("en", 420), ("ar", 390)])
def test_popups_fit_a_phone(rendered, arabic, page, lang, width):
    """A governorate's popup was 407 px wide in a 374 px map: its Arabic lines, which start on
    the right, were cut. On a phone it fits the map; and, taller than the map, its last lines
    were under the legend and the scale bar: it scrolls, clear of every control."""
    page.set_viewport_size({"width": width, "height": 844})
    root = arabic if lang == "ar" else rendered
    page.goto((root / "reports" / "html" / "02_map.html").as_uri())
    frame = page.frame_locator("iframe").first
    frame.locator(".leaflet-marker-pane > *").first.wait_for(state="visible", timeout=20000)
    page.locator("iframe").first.scroll_into_view_if_needed()
    lat, lon = quiet_point("SY-HA")
    click_at(page.frames[1], page, lat, lon)
    popup = frame.locator(".leaflet-popup-content-wrapper").first
    popup.wait_for(timeout=20000)
    page.wait_for_timeout(600)  # Leaflet's pan to show the popup
    shown, room, covered = page.frames[1].evaluate("""() => {
        const box = e => e.getBoundingClientRect();
        const popup = box(document.querySelector('.leaflet-popup-content-wrapper'));
        const overlaps = [...document.querySelectorAll('.leaflet-control')].filter(c => {
            const b = box(c);
            return b.width && b.left < popup.right && popup.left < b.right
                && b.top < popup.bottom && popup.top < b.bottom; });
        return [popup.width, document.querySelector('.leaflet-container').clientWidth,
                overlaps.map(c => c.className)]; }""")
    assert room < width and shown < room
    assert covered == [], covered
    clean(page)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_map_can_be_heard(rendered, arabic, page, lang):
    """A screen reader found an untitled frame, a document without a language and ten
    nameless buttons (the markers): now the frame has a title, its document the page's
    language, and each marker says its place and latest figure, as its tooltip does."""
    root = arabic if lang == "ar" else rendered
    page.goto((root / "reports" / "html" / "02_map.html").as_uri())
    title = maps.i18n.word("map_title", lang)
    assert page.locator("iframe").first.get_attribute("title") == title
    frame = page.frame_locator("iframe").first
    markers = frame.locator(".leaflet-marker-icon.place-icon")
    markers.first.wait_for(state="visible", timeout=20000)
    doc = page.frames[1]
    assert doc.evaluate("() => [document.documentElement.lang, document.title]") == [lang, title]
    names = [frame.get_by_role("button", name=text, exact=True).count()
             for text in markers.evaluate_all("ms => ms.map(m => m.textContent)")]
    assert len(names) >= 8 and names == [1] * len(names)
    hasakah = "الحسكة" if lang == "ar" else "Hasakah"
    assert any(hasakah in t for t in markers.evaluate_all("ms => ms.map(m => m.textContent)"))
    # the zoom buttons in the page's language ("Zoom in" on Arabic pages too)
    for key in ("zoom_in", "zoom_out"):
        assert frame.get_by_role("button", name=maps.i18n.word(key, lang),
                                 exact=True).count() == 1
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == (1 if lang == "ar" else 2)  # km only in Arabic; km and miles
    # the name is heard, not seen: the dots look as they did
    box = markers.first.locator(".sr").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    # branca's note for untrusted notebooks, under the map, is not read out
    assert page.locator("span[aria-hidden='true']", has_text="Trust").count() == 1
    clean(page)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_printed_tables_keep_every_column(rendered, arabic, page, lang):
    """Printed, the ledger lost its Place, Outlet, Published and Quote columns (cut by the
    page: on screen they scroll). On a landscape A4 page every column is on the paper."""
    root = arabic if lang == "ar" else rendered
    page.set_viewport_size({"width": 1046, "height": 740})  # A4 landscape less 10 mm margins
    page.emulate_media(media="print")
    page.goto((root / "reports" / "html" / "01_figures.html").as_uri())
    edges = page.evaluate("""() => [...document.querySelectorAll('table.ledger')].map(t => {
        const r = t.getBoundingClientRect(); return [r.left, r.right]; })""")
    assert len(edges) >= 4
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert all(left >= 0 and right <= width for left, right in edges), edges
    page.emulate_media(media="screen")
    clean(page)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_inside_the_map_tab_goes_to_the_markers_not_to_nameless_shapes(rendered, arabic, page,
                                                                      lang):
    """Chromium made each shape with a tooltip a tab stop (Leaflet listens for its focus):
    35 stops heard as "path" before the first marker. Tab now goes from marker to marker,
    then to the controls; a shape still shows its tooltip under the mouse. A focused
    marker's tooltip, its name again word for word, is not also its description (each
    marker was read twice)."""
    root = arabic if lang == "ar" else rendered
    page.goto((root / "reports" / "html" / "02_map.html").as_uri())
    frame = page.frame_locator("iframe").first
    frame.locator(".leaflet-marker-icon.place-icon").first.wait_for(state="visible",
                                                                    timeout=20000)
    doc = page.frames[1]
    doc.evaluate("() => document.querySelector('.leaflet-container').focus()")
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(doc.evaluate("""() => { const e = document.activeElement;
            if (!e.matches('.place-icon')) { return e.tagName; }
            const shown = [...document.querySelectorAll('.leaflet-tooltip')]  // opened by focus
                .some(t => t.textContent.trim() === e.textContent.trim());
            return [shown, e.getAttribute('aria-describedby')]; }"""))
    assert stops[:10] == [[True, None]] * 10 and "path" not in stops, stops
    lat, lon = quiet_point("SY-HA")
    x, y = doc.evaluate(f"([lat, lon]) => {{ const m = ({MAP_JS})(); "
                        "const p = m.latLngToContainerPoint([lat, lon]); "
                        "const r = m.getContainer().getBoundingClientRect(); "
                        "return [r.left + p.x, r.top + p.y]; }", [lat, lon])
    box = page.locator("iframe").first.bounding_box()
    page.mouse.move(x + box["x"], y + box["y"])
    # (the flow's label is a tooltip shown all the time)
    frame.locator(".leaflet-tooltip", has_text="SY-HA").wait_for(state="visible", timeout=5000)
    clean(page)


# Where the focus is: the skip link, the map's frame, or elsewhere; and whether it lies after
# the map's frame in the page.
FOCUS = """() => { const e = document.activeElement, frame = document.querySelector('iframe');
  return [e.matches('a.skip-link') ? 'skip' : e.tagName, e.id,
          !!(frame.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)]; }"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_keyboard_skips_the_map(rendered, arabic, page, lang):
    """Tabbing through the page went into the map's frame, some 54 stops (markers, controls,
    shapes) before anything after it. From the top, Tab reaches a link before the frame,
    seen only while focused; Enter moves the focus past the frame to the map in words."""
    root = arabic if lang == "ar" else rendered
    page.goto((root / "reports" / "html" / "02_map.html").as_uri())
    page.frame_locator("iframe").first.locator(".leaflet-marker-pane > *").first.wait_for(
        state="visible", timeout=20000)
    link = page.locator("a.skip-link")
    assert link.count() == 1 and link.bounding_box()["width"] <= 1  # not seen, not focused
    frame_top = page.locator("iframe").first.evaluate("e => e.getBoundingClientRect().top")
    stops, seen = [], []
    while len(stops) < 30 and (not stops or stops[-1][0] != "skip"):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS))
        seen.append(page.evaluate("() => document.activeElement.getBoundingClientRect()"
                                  ".height > 0"))
    assert stops[-1] == ["skip", "", False] and "IFRAME" not in [s[0] for s in stops]
    assert all(seen), stops  # no stop on an empty box (the link's own output area was one)
    assert link.inner_text() == maps.i18n.word("skip_map", lang)
    assert link.bounding_box()["width"] > 50  # focused, it shows, over the page: the map
    assert page.locator("iframe").first.evaluate(  # did not move down to make room for it
        "e => e.getBoundingClientRect().top") == frame_top
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUS) == ["H2", maps.IN_WORDS_ID, True]
    heading = page.locator(f"#{maps.IN_WORDS_ID}")
    assert heading.inner_text() == maps.i18n.word("in_words", lang)
    assert abs(heading.bounding_box()["y"]) < 5  # scrolled to the top of the window
    # the tables follow the heading: what each circle and each shade says
    tables = page.locator(f"#{maps.IN_WORDS_ID} ~ * table.ledger, "
                          f".jp-Cell:has(#{maps.IN_WORDS_ID}) ~ .jp-Cell table.ledger")
    first = tables.first.inner_text()
    assert maps.i18n.word("on_map", lang) in first
    assert ("الحسكة" if lang == "ar" else "Hasakah") in first
    page.keyboard.press("Tab")  # and on from there, never back into the map
    assert page.evaluate(FOCUS)[2] is True
    clean(page)
