"""Escaping of data text for pages and popups."""

from __future__ import annotations

import pytest

from analysis import escape

WHOLE = "<span dir='ltr' style='white-space:nowrap'>"
NOWRAP = "<span style='white-space:nowrap'>"


@pytest.mark.parametrize(("value", "expected"), [
    ("as known on 2026-02-20.", f"as known on {WHOLE}2026-02-20</span>."),
    # a period breaks after its dash only (whole, it held its column 180 px wide)
    ("2025-07-01 – 2025-12-31",
     f"{NOWRAP}{WHOLE}2025-07-01</span> –</span> {WHOLE}2025-12-31</span>"),
    ("الأسبوع 2026-W07؛ شهر 2026-02", f"الأسبوع {WHOLE}2026-W07</span>؛ شهر {WHOLE}2026-02</span>"),
    ("بين 2026-01-14 و2026-02-28", f"بين {WHOLE}2026-01-14</span> و{WHOLE}2026-02-28</span>"),
    ("<b>2026-01-21</b>", f"&lt;b&gt;{WHOLE}2026-01-21</span>&lt;/b&gt;"),
    # ranges of numbers stay on one line, in their own (bidi) order
    ("planned 5,500–7,000, [0.5–1.25]",
     f"planned {NOWRAP}5,500–7,000</span>, [{NOWRAP}0.5–1.25</span>]"),
    ("2025-07-01–2025-12-31", f"{WHOLE}2025-07-01</span>–{WHOLE}2025-12-31</span>"),
    # neither: a year alone, numbers, ids and file names that hold a date
    ("in 2025, 5,500 - 7,000", "in 2025, 5,500 - 7,000"),
    ("figure-2026-01-21 12026-01-21 2026-01-21x 2026-01-2107",
     "figure-2026-01-21 12026-01-21 2026-01-21x 2026-01-2107"),
    # governorate codes (ISO 3166-2) whole and left to right, in Arabic too
    ("Al-Hasakah (SY-HA)", f"Al-Hasakah ({WHOLE}SY-HA</span>)"),
    ("بغداد (IQ-BG)", f"بغداد ({WHOLE}IQ-BG</span>)"),
    ("AP-style, ISO-8601, SY-HAS2, XSY-HA", "AP-style, ISO-8601, SY-HAS2, XSY-HA"),  # neither
    (None, ""),
])
def test_prose_keeps_dates_and_ranges_whole(value, expected):
    assert escape.prose(value) == expected


def test_prose_for_folium_escapes_for_javascript_first():
    assert escape.prose("`${alert(1)}` 2026-01-21\\", escape.for_folium) == \
        f"&#96;&#36;&#123;alert(1)&#125;&#96; {WHOLE}2026-01-21</span>&#92;"


def test_for_folium_hides_jinja_syntax_from_branca():
    """branca renders each element's output again as a Jinja template: no `{{`, `{%` or `{#`
    may reach it from the data (they are shown as written, as HTML entities)."""
    assert escape.for_folium("{{ 6*7 }} {% if x %} {# c #}") == \
        "&#123;&#123; 6*7 &#125;&#125; &#123;% if x %&#125; &#123;# c #&#125;"


def test_isolate_dates_for_text_drawn_without_markup():
    assert escape.isolate_dates("حتى تاريخ 2026-02-20، الأسبوع 2026-W07") == \
        "حتى تاريخ \u20662026-02-20\u2069، الأسبوع \u20662026-W07\u2069"
