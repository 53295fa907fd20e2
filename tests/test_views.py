import io
import re

import pandas as pd
import pytest

from analysis import i18n, views


@pytest.mark.parametrize(
    ("low", "best", "high", "hedge", "lang", "expected"),
    [
        (None, 150, None, "exact", "en", "150"),
        (None, None, 7000, "up_to", "en", "up to 7,000"),
        (None, 10000, None, "approx", "en", "about 10,000"),
        (300, None, None, "at_least", "en", "at least 300"),
        (5000, None, 7000, "range", "en", "5,000–7,000"),
        (5000, 6000, 7000, "range", "en", "5,000–7,000 (best 6,000)"),
        (2000, None, None, "vague", "en", "vague ≥ 2,000"),
        (None, None, 500, "at_most", "en", "at most 500"),
        (None, None, 7000, "up_to", "ar", "حتى 7,000"),
        (None, 10000, None, "approx", "ar", "نحو 10,000"),
        (300, None, None, "at_least", "ar", "300 على الأقل"),
    ],
)
def test_format_value_keeps_the_hedge(low, best, high, hedge, lang, expected):
    na = pd.NA
    got = i18n.format_value(na if low is None else low, na if best is None else best,
                            na if high is None else high, hedge, lang)
    assert got == expected


def test_format_when():
    t = pd.Timestamp
    assert i18n.format_when(t("2026-01-21"), pd.NaT, pd.NaT) == "2026-01-21"
    assert i18n.format_when(pd.NaT, t("2025-01-01"), t("2025-12-31")) == "in 2025"
    assert i18n.format_when(pd.NaT, t("2025-07-01"), t("2025-12-31")) == \
        "2025-07-01 – 2025-12-31"
    assert i18n.format_when(pd.NaT, pd.NaT, pd.NaT) == "undated"
    assert i18n.format_when(pd.NaT, pd.NaT, pd.NaT, "ar") == "غير مؤرّخ"


def test_headline_is_the_seed_article(tmp_path):
    import analysis

    got = views.headline(analysis.load_figures())
    expected = pd.read_csv(io.StringIO(
        "Measure,Figure,Hedge,Low,Best,High,Claimant,Holds for\n"
        "Transferred to Iraq (cumulative),150,exact,,150,,CENTCOM,2026-01-21\n"
        "Planned or expected total to transfer,\"up to 7,000\",up_to,,,\"7,000\",CENTCOM,"
        "2026-01-21\n"
        "Held in SDF-run prisons,\"about 10,000\",approx,,\"10,000\",,SDF,undated\n"
        "Detained in Syria (period),at least 300,at_least,300,,,CENTCOM,in 2025\n"
        "Killed in Syria (period),at least 20,at_least,20,,,CENTCOM,in 2025\n"),
        dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got[expected.columns].astype(str).reset_index(drop=True),
                                  expected)


def test_to_html_escapes_and_keeps_direction():
    frame = pd.DataFrame({"Quote": ["<script>alert(1)</script> نحو 10"],
                          "Claimant": ["<img src=x onerror=alert(2)>"],
                          "_url": ["javascript:alert(3)"], "_quote_lang": ["ar"]})
    out = views.to_html(frame)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert 'dir="rtl" lang="ar"' in out
    assert "javascript:" not in out  # a non-http(s) URL never becomes a link


# --- Arabic wording: claimants are not sources ------------------------------------------------

CLAIMANT_AR = "الجهة المصرِّحة"
CLAIMANTS_AR = "الجهات المصرِّحة"
SOURCE_WORDS = re.compile(r"مصدر|مصادر")  # the source (a published item) and its plural


def test_arabic_words_keep_claimants_apart_from_sources_and_outlets():
    for key, (en, ar) in i18n.WORDS.items():
        if "claimant" in en.lower():
            assert "مصرِّح" in ar and not SOURCE_WORDS.search(ar), key
        if re.search(r"\b(?:source|outlet)s?\b", en.lower()):
            assert "مصرِّح" not in ar, key
    assert (i18n.word("claimant", "ar"), i18n.word("claimants", "ar")) == \
        (CLAIMANT_AR, CLAIMANTS_AR)
    assert i18n.word("outlet", "ar") == "الوسيلة الإعلامية"
    assert i18n.word("claimant", "ar") != i18n.word("source", "ar")
