import html
import io
import re

import conftest
import pandas as pd
import pytest
from conftest import cli, copy_project, readable

import analysis
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
        # a strict bound is said as the words said it ("more than 300" read "at least 300")
        (300, None, None, "more_than", "en", "more than 300"),
        (300, None, None, "more_than", "ar", "أكثر من 300"),
        (None, None, 500, "less_than", "en", "less than 500"),
        (None, None, 500, "less_than", "ar", "أقل من 500"),
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
        "Detained in Syria (period),more than 300,more_than,300,,,CENTCOM,in 2025\n"
        "Killed in Syria (period),more than 20,more_than,20,,,CENTCOM,in 2025\n"),
        dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got[expected.columns].astype(str).reset_index(drop=True),
                                  expected)


def test_to_html_escapes_and_keeps_direction():
    frame = pd.DataFrame({"Words": ["<script>alert(1)</script> نحو 10"],
                          "Claimant": ["<img src=x onerror=alert(2)>"],
                          "_url": ["javascript:alert(3)"], "_quote_lang": ["ar"]})
    out = views.to_html(frame)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert 'dir="rtl" lang="ar"' in out
    assert "javascript:" not in out  # a non-http(s) URL never becomes a link


# --- Arabic wording: claimants are not sources, policies have Arabic names ------------------

CLAIMANT_AR = "الجهة المصرِّحة"
CLAIMANTS_AR = "الجهات المصرِّحة"
SOURCE_WORDS = re.compile(r"مصدر|مصادر")  # the source (a published item) and its plural
POLICY_AR = {"conservative": "المتحفّظة", "best": "الأرجح", "upper": "القصوى"}
ENGLISH_POLICY = re.compile(r"\b(?:conservative|best|upper)\b")
ARABIC = re.compile(r"[\u0600-\u06FF]")
CENTCOM_AR = "القيادة المركزية الأميركية (سنتكوم)"  # data/raw/claimants.csv
CODE_CELL = re.compile(r"<td>(?:exact|approx|at_least|more_than|at_most|less_than|up_to|range|"
                       r"vague|stock|flow|cumulative|plan|country|region|governorate|city|town|camp|prison|"
                       r"code|within|nearest|none)\b")


def arabic_runs(page: str) -> list[str]:
    """Every text between tags that holds Arabic, HTML unescaped twice (the map is a srcdoc)."""
    text = html.unescape(html.unescape(page))
    return [t for t in re.split(r"<[^>]*>", text) if ARABIC.search(t)]


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


def test_policy_names_in_arabic_are_not_the_bounds():
    names = {p: i18n.policy_name(p, "ar") for p in analysis.POLICIES}
    assert names == POLICY_AR
    assert {i18n.policy_name(p) for p in analysis.POLICIES} == set(analysis.POLICIES)
    assert i18n.word("low", "ar") not in names.values()  # الأدنى is the low bound
    assert i18n.word("high", "ar") not in names.values()
    assert i18n.policy_phrase("upper", "ar") == "السياسة «القصوى»"
    assert i18n.policy_phrase("upper") == "policy upper"


def test_arabic_tables_count_claimants_and_name_policies():
    figures = analysis.load_figures(as_of="2026-02-28")
    contra = views.contradictions_table(analysis.contradictions("2026-02-28"), "ar")
    assert list(contra.columns)[3:5] == [CLAIMANTS_AR, f"{CLAIMANTS_AR} المستقلة"]
    assert set(contra[i18n.word("window", "ar")]) >= {"الأسبوع 2026-W04", "أي تاريخ"}
    ledger = views.ledger(figures, "ar")
    assert CLAIMANT_AR in ledger.columns and "الوسيلة الإعلامية" in ledger.columns
    assert not [c for c in ledger.columns if SOURCE_WORDS.search(str(c))]
    for policy in analysis.POLICIES:
        page = readable(views.estimates_html("2026-02-28", policy, "ar"))
        assert f"<small>({POLICY_AR[policy]})</small>" in page
        assert ENGLISH_POLICY.findall(page) == [], policy
        assert "المتحفّظة: أدنى ما ذكرته التصريحات المستقلة (عددها 1؛ نطاق المقارنة: " \
            "2026-02-16؛ الجهة المصرِّحة: مجلس القضاء الأعلى العراقي)" in page
        assert "نطاق المقارنة: أي تاريخ" in page and "week" not in page


def test_english_tables_keep_their_words():
    table = views.sensitivity_table(analysis.sensitivity("transferred_to_iraq", "2026-02-28"))
    assert list(table["Policy"]) == list(analysis.POLICIES)
    assert table["How"].iloc[1] == \
        "best: the median of 1 independent statement (compared within 2026-02-16)"
    assert table["Lowest–highest"].tolist() == ["5,704"] * 3  # one statement: no range


@pytest.mark.parametrize(("low", "high", "text"), [
    (5500, 7000, "5,500–7,000"), (5704, 5704, "5,704"), (None, 300, "300"), (None, None, "")])
def test_a_range_is_written_once_when_its_ends_agree(low, high, text):
    assert i18n.span(low, high) == text


def test_estimate_headings_show_a_range_only_when_claims_disagree():
    page = views.estimates_html("2026-02-28", "best")
    assert "Transferred to Iraq (cumulative): 5,704 <small>" in page  # not [5,704–5,704]
    assert ("Planned or expected total to transfer: 6,500 [<span style='white-space:nowrap'>"
            "5,500–7,000</span>]") in page


@pytest.fixture(scope="module")
def arabic_pages(tmp_path_factory) -> dict[str, str]:
    """The figures and map reports rendered in Arabic under the `upper` policy."""
    root = copy_project(tmp_path_factory.mktemp("arabic") / "p")
    result = cli("--root", str(root), "run", "01_figures", "02_map", "-p", "lang", "ar",
                 "-p", "policy", "upper")
    assert result.returncode == 0, result.stderr
    return {name: (root / "reports/html" / f"{name}.html").read_text("utf-8")
            for name in ("01_figures", "02_map")}


def test_arabic_figures_page_says_claimant_where_claimants_are_counted(arabic_pages):
    page = arabic_pages["01_figures"]
    assert f"<th>{CLAIMANTS_AR}</th><th>{CLAIMANTS_AR} المستقلة</th>" in page
    assert f"<th>{CLAIMANT_AR}</th>" in page and "<th>الوسيلة الإعلامية</th>" in page
    assert not re.findall(r"<th>[^<]*(?:مصدر|مصادر)", page)  # no header says "source"
    assert "<td>المتحفّظة</td>" in page and "<small>(القصوى)</small>" in page
    assert [t for t in arabic_runs(page) if ENGLISH_POLICY.search(t)] == []
    assert CODE_CELL.findall(page) == []  # hedges and measure kinds in Arabic words
    assert f"<td>{CENTCOM_AR}</td>" in page and "<td>CENTCOM</td>" not in page


def test_arabic_figures_page_defines_the_measures_in_arabic(arabic_pages):
    page = html.unescape(readable(arabic_pages["01_figures"]))
    measures = analysis.load_measures()
    assert [d for d in measures["definition_ar"] if f"<td>{d}</td>" not in page] == []
    assert [d for d in measures["definition"] if d in page] == []


def test_arabic_map_page_names_the_policy_in_arabic(arabic_pages):
    runs = arabic_runs(arabic_pages["02_map"])
    assert [t for t in runs if ENGLISH_POLICY.search(t)] == []
    text = " ".join(runs)
    assert "السياسة «القصوى»" in text  # tooltips, popups, the flow's notes
    assert "السياسة: القصوى" in text  # the legend
    assert f"{CLAIMANT_AR}: {CENTCOM_AR}" in text  # each claim in a popup, by its Arabic name
    assert "المصدر المنسوب إليه" not in text
    assert re.findall(r"التحوّط: [a-z_]+", text) == []  # the hedge's word, not its code
    assert CODE_CELL.findall(arabic_pages["02_map"]) == []  # the gazetteer's place kinds


# --- Arabic pages: no English codes, claimants by their Arabic names ------------------------

# One claim as `analysis.load_figures()` gives it: only the columns the views read.
CLAIM = ("figure_id,measure,measure_kind,measure_label_en,measure_label_ar,claimant,"
         "statement_id,outlet,url,language,published,as_of,period_start,period_end,hedge,"
         "value_low,value_best,value_high,place_name_en,place_name_ar,quote,paraphrase\n")
CLAIMS = CLAIM + (
    "a1,held,stock,Held,المحتجزون,CENTCOM,s1,DVIDS,https://example.org/a,en,2026-01-20,"
    "2026-01-20,,,approx,,6500,,Hasakah,الحسكة,about 6500 held,\n"
    "b1,held,stock,Held,المحتجزون,Nobody Named,s2,Reuters,https://example.org/b,en,"
    "2026-01-21,2026-01-21,,,at_least,6000,,,Hasakah,الحسكة,more than 6000,\n")
NAMES = {"CENTCOM": "سنتكوم"}  # "Nobody Named" has no Arabic name: shown by its id


def claims_frame(text: str = CLAIMS) -> pd.DataFrame:
    return conftest.claims_frame(text)


def test_codes_have_arabic_words_and_stay_codes_in_english():
    from analysis import schema

    hedges = {h: i18n.code_name("hedge", h, "ar") for h in schema.HEDGES}
    assert hedges == {"exact": "دقيق", "approx": "تقريبي", "at_least": "على الأقل",
                      "more_than": "أكثر من", "less_than": "أقل من",
                      "at_most": "على الأكثر", "up_to": "حتى", "range": "نطاق",
                      "vague": "غير محدد"}
    kinds = {k: i18n.code_name("kind", k, "ar") for k in schema.MEASURE_KINDS}
    assert kinds == {"stock": "عدد في تاريخ معيّن", "flow": "عدد لحدث أو فترة",
                     "cumulative": "مجموع تراكمي", "plan": "خطة أو توقع"}
    place_kinds = next(f.enum for f in schema.PLACES.fields if f.name == "kind")
    assert {k: i18n.code_name("place_kind", k, "ar") for k in place_kinds} == {
        "country": "دولة", "region": "منطقة", "governorate": "محافظة", "city": "مدينة",
        "town": "بلدة", "camp": "مخيم", "prison": "سجن"}
    assert [i18n.code_name("match", m, "ar") for m in ("code", "within", "nearest", "none")] \
        == ["برمز المحافظة المعطى له", "بنقطته داخل المحافظة", "بأقرب محافظة إلى نقطته",
            "غير مربوط"]
    for code in (*schema.HEDGES, *schema.MEASURE_KINDS):  # English pages show the code
        assert i18n.code_name("hedge", code) == code and i18n.code_name("kind", code) == code
    assert i18n.code_name("hedge", "unheard_of", "ar") == "unheard_of"  # shown as data


def test_arabic_contradictions_row_in_arabic_words():
    contra = analysis.contradictions(figures=claims_frame())  # one ISO week: they compete
    got = views.contradictions_table(contra, "ar", names=NAMES)
    assert got.astype(str).values.tolist() == [
        ["held", "الأسبوع 2026-W04", "6,000 على الأقل", "Nobody Named", "1", "1", "1",
         "6,000–6,500"],
        ["held", "الأسبوع 2026-W04", "نحو 6,500", "سنتكوم", "1", "1", "1", "6,000–6,500"]]
    english = views.contradictions_table(contra)  # English names none by default: the ids
    assert list(english["Figure"]) == ["at least 6,000", "about 6,500"]
    assert list(english["Claimants"]) == ["Nobody Named", "CENTCOM"]


def test_arabic_contradictions_join_claimant_names():
    """Two claimants stating the same value: each named, joined as Arabic lists are."""
    text = CLAIMS.replace("at_least,6000,,", "approx,,6500,")
    contra = analysis.contradictions(figures=claims_frame(text), include_agreement=True)
    row = contra[contra["value"] == "about 6,500"]
    assert row["claimant_ids"].tolist() == [("CENTCOM", "Nobody Named")]
    got = views.contradictions_table(row, "ar", names=NAMES)
    assert got["الجهات المصرِّحة"].tolist() == ["سنتكوم؛ Nobody Named"]
    assert views.contradictions_table(row)["Claimants"].tolist() == ["CENTCOM; Nobody Named"]


def test_copies_that_differ_read_in_each_language():
    """Each copy as its outlet printed it, with its words, who said it and the link to it."""
    text = CLAIMS.replace("Nobody Named,s2", "CENTCOM,s1").replace(
        "2026-01-21,2026-01-21,,,at_least", "2026-01-21,2026-01-20,,,at_least").replace(
        "more than 6000,\n", ",held: over 6000\n")  # no stored text: a paraphrase
    figures = claims_frame(text).assign(qualifier_words=["about", "more than"])
    copies = analysis.copies_that_differ(figures=figures)
    got = views.copies_table(copies)
    expected = pd.DataFrame({
        "Measure": ["Held", "Held"], "Claimant": ["CENTCOM", "CENTCOM"],
        "Holds for": ["2026-01-20", "2026-01-20"], "Figure": ["about 6,500", "at least 6,000"],
        "Hedge's words": ["about", "more than"],
        "Outlet": ["DVIDS", "Reuters"], "Published": ["2026-01-20", "2026-01-21"],
        "Words": ["about 6500 held", None],
        "_url": ["https://example.org/a", "https://example.org/b"],
        "_quote_lang": ["en", "en"], "_outlet": ["DVIDS", "Reuters"],
        "_paraphrase": [None, "held: over 6000"]})
    def plain(frame: pd.DataFrame) -> pd.DataFrame:  # missing is missing, whatever its dtype
        return frame.astype(object).where(frame.notna(), None)

    pd.testing.assert_frame_equal(plain(got), plain(expected))
    arabic = views.copies_table(copies, "ar", names=NAMES)
    assert arabic.iloc[:, :8].astype(object).where(arabic.iloc[:, :8].notna(), None
                                                  ).values.tolist() == [
        ["المحتجزون", "سنتكوم", "2026-01-20", "نحو 6,500", "about", "DVIDS", "2026-01-20",
         "about 6500 held"],
        ["المحتجزون", "سنتكوم", "2026-01-20", "6,000 على الأقل", "more than", "Reuters",
         "2026-01-21", None]]
    page = views.to_html(got)
    assert page.count('href="https://example.org/') == 2 and "Source, Reuters" in page


@pytest.mark.parametrize(("value", "written"), [
    ("over", "en"), ("أكثر من", "ar"), ("more than (أكثر من)", None), ("2026-02-07", None),
    ("5,704", None), (None, None)])
def test_a_cell_in_one_script_says_its_language(value, written):
    """A screen reader reads 'over' on an Arabic page with an Arabic voice unless the cell
    says it is English; text of both scripts, or of none, is left to the page's language."""
    assert views.written_in(value) == written
    frame = pd.DataFrame({"Outlet": [value]})  # not the words column (its own test)
    other = {"en": "ar", "ar": "en"}.get(written)
    for lang in ("en", "ar"):
        cell = views.to_html(frame, lang).split("<tbody><tr>")[1]
        marked = f'<td><span dir="{"rtl" if written == "ar" else "ltr"}" lang="{written}">'
        assert cell.startswith(marked) == (lang == other), (lang, cell)


def test_a_figure_without_stored_text_shows_its_paraphrase_marked_as_one():
    """117 of 122 figures have no stored text: their words are the paraphrase, never shown
    as a quotation, in English on Arabic pages too."""
    text = CLAIMS.replace("more than 6000,\n", ",Reuters: more than 6000 held\n")
    english = views.to_html(views.ledger(claims_frame(text)))
    assert ('<td class="words"><em>paraphrase, not a quotation:</em><div dir="ltr" lang="en">'
            'Reuters: '
            'more than 6000 held</div> <a ') in english
    assert '<span dir="ltr" lang="en">about 6500 held</span> <a ' in english  # a quote
    arabic = views.to_html(views.ledger(claims_frame(text), "ar"), "ar")
    assert ('<td class="words"><em>إعادة صياغة، لا اقتباس:</em><div dir="ltr" lang="en">'
            'Reuters: '
            'more than 6000 held</div> <a ') in arabic


def test_arabic_ledger_row_names_the_claimant_and_the_hedge():
    got = views.ledger(claims_frame(), "ar", names=NAMES)
    assert got.drop(columns=views.HIDDEN).astype(str).values.tolist()[0] == [
        "المحتجزون", "نحو 6,500", "تقريبي", "", "6,500", "", "سنتكوم", "2026-01-20", "الحسكة",
        "DVIDS", "2026-01-20", "about 6500 held"]
    assert got[i18n.word("claimant", "ar")].tolist() == ["سنتكوم", "Nobody Named"]
    assert got[i18n.word("hedge", "ar")].tolist() == ["تقريبي", "على الأقل"]
    english = views.ledger(claims_frame())
    assert (english["Claimant"].tolist(), english["Hedge"].tolist()) == \
        (["CENTCOM", "Nobody Named"], ["approx", "at_least"])


def test_arabic_ledger_names_claimants_from_claimants_csv_by_default():
    got = views.ledger(claims_frame(), "ar")
    assert got[i18n.word("claimant", "ar")].tolist() == [CENTCOM_AR, "Nobody Named"]


def test_arabic_names_are_escaped_like_any_data():
    hostile = {"CENTCOM": "<script>alert(1)</script> ${x} `y`"}
    page = views.to_html(views.ledger(claims_frame(), "ar", names=hostile), "ar")
    assert "<script>" not in page
    assert ('<td><span dir="ltr" lang="en">&lt;script&gt;alert(1)&lt;/script&gt; ${x} `y`'
            "</span></td>") in page  # Latin letters on an Arabic page: marked English
    from analysis import maps

    popup = maps.popup_html(claims_frame(), "ar", names=hostile)
    assert "<script>" not in popup and "${x}" not in popup and "`y`" not in popup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#36;&#123;x&#125; &#96;y&#96;" in popup


def test_arabic_measures_table_names_the_kind():
    got = views.measures_table(analysis.load_figures(), "ar")
    kinds = dict(zip(analysis.load_measures()["measure"], got[i18n.word("kind", "ar")],
                     strict=True))
    assert (kinds["transferred_to_iraq"], kinds["held_by_sdf"]) == \
        ("مجموع تراكمي", "عدد في تاريخ معيّن")
    english = views.measures_table(analysis.load_figures())
    assert set(english["Kind"]) == {"stock", "flow", "cumulative", "plan"}


# Two measures as `analysis.load_measures()` gives them (claims_frame's claims are all "held").
MEASURES = (
    "measure,label_en,label_ar,kind,definition,definition_ar\n"
    "held,Held,المحتجزون,stock,\"Held at a date; not at large.\","
    "المحتجزون في تاريخ معيّن؛ لا الطلقاء.\n"
    "moved,Moved,المنقولون,cumulative,Moved since 2026-01-21; a running total.,"
    "المنقولون منذ 2026-01-21؛ مجموع تراكمي.\n")


def test_measures_table_defines_each_measure_in_the_readers_language():
    measures = pd.read_csv(io.StringIO(MEASURES), dtype="string")
    english = pd.read_csv(io.StringIO(
        "Measure,Kind,Definition,Claims\n"
        "Held,stock,\"Held at a date; not at large.\",2\n"
        "Moved,cumulative,Moved since 2026-01-21; a running total.,0\n"), dtype=str)
    arabic = pd.read_csv(io.StringIO(
        "المقياس,النوع,التعريف,الادعاءات\n"
        "المحتجزون,عدد في تاريخ معيّن,المحتجزون في تاريخ معيّن؛ لا الطلقاء.,2\n"
        "المنقولون,مجموع تراكمي,المنقولون منذ 2026-01-21؛ مجموع تراكمي.,0\n"), dtype=str)
    for lang, expected in (("en", english), ("ar", arabic)):
        got = views.measures_table(claims_frame(), lang, measures=measures)
        pd.testing.assert_frame_equal(got.astype(str), expected, obj=lang)


def test_measures_table_of_the_ledger_gives_each_language_its_definitions():
    measures = analysis.load_measures()
    figures = analysis.load_figures()
    arabic = views.measures_table(figures, "ar")[i18n.word("definition", "ar")]
    english = views.measures_table(figures)["Definition"]
    assert arabic.tolist() == measures["definition_ar"].tolist()
    assert english.tolist() == measures["definition"].tolist()
    assert all(ARABIC.search(d) for d in arabic) and not any(ARABIC.search(d) for d in english)


@pytest.mark.parametrize(("args", "en", "ar"), [
    ((2600, None, None, "at_least"), "at least 2,600 families", "2,600 عائلة على الأقل"),
    ((None, 5, None, "approx"), "about 5 families", "نحو 5 عائلات"),
    ((None, 14, None, "exact"), "14 families", "14 عائلةً"),
    ((5000, None, 7000, "range"), "5,000–7,000 families", "بين 5,000 و7,000 عائلة"),
])
def test_figures_in_families_say_so(args, en, ar):
    """A count of families is not a count of people: its unit is written after its number,
    in Arabic agreeing with the number (plural after 3–10, singular after more)."""
    assert i18n.format_value(*args, "en", "families") == en
    assert i18n.format_value(*args, "ar", "families") == ar
    assert i18n.format_value(*args, "en", "detainees") == en.removesuffix(" families")


def test_ledger_shows_the_unit_of_families():
    figures = analysis.load_figures()
    rows = views.ledger(figures[figures["figure_id"].isin(["rf-002", "rf-003"])], "en")
    assert rows["Figure"].tolist() == ["more than 2,600 families", "20,000"]


def test_source_links_say_where_they_go():
    """The arrow alone was all a screen reader could say of 122 links ("link, arrow")."""
    figures = analysis.load_figures()
    page = views.to_html(views.ledger(figures[figures["figure_id"] == "rf-074"], "ar"), "ar")
    link = re.search(r"<a [^>]*>↗</a>", page).group(0)
    assert 'aria-label="المصدر، TRT World (citing INA)، يُفتح في نافذة جديدة"' in link
    english = views.to_html(views.ledger(figures[figures["figure_id"] == "rf-074"]))
    assert 'aria-label="Source, TRT World (citing INA), opens in a new tab"' in english


def test_a_copy_without_hedge_words_says_why():
    """An exact copy's hedge cell was left empty, and a screen reader read it out as 'blank';
    a hedged copy whose words were not kept was just as empty."""
    text = CLAIMS.replace("Nobody Named,s2", "CENTCOM,s1").replace(
        "2026-01-21,2026-01-21,,,at_least", "2026-01-21,2026-01-20,,,at_least")
    figures = claims_frame(text).assign(qualifier_words=[None, None])
    exact = figures.assign(hedge=["exact", "at_least"])
    got = views.copies_table(analysis.copies_that_differ(figures=exact))
    assert got["Hedge's words"].tolist() == ["none (exact)", "not kept"]
    arabic = views.copies_table(analysis.copies_that_differ(figures=exact), "ar")
    assert arabic.iloc[:, 4].tolist() == ["لا شيء (دقيق)", "لم تُحفظ"]


@pytest.mark.parametrize(("n", "english", "arabic"), [
    (0, "0 figures", "لا أرقام"), (1, "1 figure", "رقم واحد"), (2, "2 figures", "رقمان"),
    (3, "3 figures", "3 أرقام"), (10, "10 figures", "10 أرقام"), (11, "11 figures", "11 رقماً"),
    (39, "39 figures", "39 رقماً"), (100, "100 figures", "100 رقم"),
    (103, "103 figures", "103 أرقام"), (122, "122 figures", "122 رقماً")])
def test_a_count_of_figures_agrees_with_its_number(n, english, arabic):
    """Governorate popups said '2 رقماً' and '0 رقماً' (the accusative of 11–99, everywhere)."""
    assert i18n.figures_count(n) == english
    assert i18n.figures_count(n, "ar") == arabic
