"""Trend views: series, captions and charts on tiny inline ledgers; the rendered report."""

from __future__ import annotations

import html
import io
import re
import struct

import pandas as pd
import pytest
from conftest import cli, copy_project, readable

import analysis
from analysis import i18n, schema, trends

COLUMNS = ("figure_id,measure,measure_kind,claimant,claimant_type,statement_id,outlet,"
           "published,as_of,period_start,period_end,hedge,value_low,value_best,value_high\n")

LEDGER = COLUMNS + """\
t1,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0121,A News,2026-01-21,2026-01-21,,,exact,,150,
t2,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0121,B News,2026-01-22,2026-01-21,,,exact,,150,
t3,transferred_to_iraq,cumulative,Intel official,anonymous_official,intel-0121,AP,2026-01-21,2026-01-21,,,exact,,144,
t4,transferred_to_iraq,cumulative,Security Media Cell,military,smc-0207,INA,2026-02-07,2026-02-07,,,exact,,2250,
t5,transferred_to_iraq,cumulative,Kurdistan24,media,k24-0207,Kurdistan24,2026-02-07,2026-02-07,,,at_least,2000,,
t6,transferred_to_iraq,cumulative,Ministry of Justice,government,moj-0211,Rudaw,2026-02-11,2026-02-11,,,exact,,5046,
t7,transferred_to_iraq,cumulative,C-in-C spokesman,military,cinc-0212,Webangah,2026-02-12,2026-02-12,,,at_least,4500,,
t8,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0213,DVIDS,2026-02-13,2026-02-12,,,at_least,5700,,
t9,transferred_to_iraq,cumulative,Judicial Council,judiciary,sjc-0216,INA,2026-02-16,2026-02-16,,,exact,,5704,
t10,transferred_to_iraq,cumulative,Shafaq News,media,shafaq-0223,Shafaq,2026-02-23,,,,range,5000,,7000
b1,transferred_to_iraq_batch,flow,Security officials,anonymous_official,batch-0124,AFP,2026-01-24,2026-01-24,,,up_to,,,1000
p1,planned_transfer_total,plan,CENTCOM,military,centcom-0121,A News,2026-01-21,2026-01-21,,,up_to,,,7000
p2,planned_transfer_total,plan,Ministry of Justice,government,moj-0211,Rudaw,2026-02-11,2026-02-11,,,exact,,6000,
p3,planned_transfer_total,plan,Sources to Al Arabiya,anonymous_official,alarabiya-0212,Al Arabiya,2026-02-12,2026-02-12,,,exact,,5500,
p4,planned_transfer_total,plan,Judicial Council,judiciary,sjc-0208,Okaz,,2026-02-08,,,range,7000,,8000
h1,held_by_sdf,stock,AP,media,ap-0121,AP,2026-01-21,2026-01-21,,,approx,,9000,
h2,held_by_sdf,stock,Reuters,media,reuters-0121,Reuters,2026-01-21,2026-01-21,,,exact,,9000,
h3,held_by_sdf,stock,SOHR,ngo_un,sohr-0213,SOHR,2026-02-13,2026-02-13,,,exact,,3000,
h4,held_by_sdf,stock,SDF,armed_group,sdf-10000,Alsumaria,2026-01-22,,,,approx,,10000,
e1,escaped_from_prison,flow,SDF,armed_group,sdf-0119,X,2026-01-19,2026-01-19,,,approx,,1500,
e2,escaped_from_prison,flow,Interior Ministry,government,moi-0120,Y,2026-01-20,2026-01-19,,,approx,,120,
d1,detained_in_syria,flow,CENTCOM,military,centcom-0121,A News,2026-01-21,,2025-01-01,2025-12-31,at_least,300,,
"""  # noqa: E501


def ledger(text: str = LEDGER) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text), dtype={"value_low": "Int64", "value_best": "Int64",
                                                  "value_high": "Int64"},
                        parse_dates=["published", "as_of", "period_start", "period_end"])
    return frame.convert_dtypes()


def known(as_of: str | None, text: str = LEDGER) -> pd.DataFrame:
    """What `analysis.load_figures(as_of=...)` gives: sources published on or before as_of."""
    frame = ledger(text)
    if as_of is None:
        return frame
    return frame[frame["published"].notna() & (frame["published"] <= pd.Timestamp(as_of))]


def table(text: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    for col in dates:
        frame[col] = pd.to_datetime(frame[col])
    return frame


# --- series -------------------------------------------------------------------------------

def test_claim_series_one_row_per_statement_copies_counted_once():
    got = trends.claim_series(known("2026-02-20"), trends.TRANSFER)
    expected = table(
        "date,claimant,hedge,value,copies,figure_ids\n"
        "2026-01-21,Intel official,exact,144.0,1,t3\n"
        "2026-01-21,CENTCOM,exact,150.0,2,t1 t2\n"
        "2026-02-07,Kurdistan24,at_least,2000.0,1,t5\n"
        "2026-02-07,Security Media Cell,exact,2250.0,1,t4\n"
        "2026-02-11,Ministry of Justice,exact,5046.0,1,t6\n"
        "2026-02-12,C-in-C spokesman,at_least,4500.0,1,t7\n"
        "2026-02-12,CENTCOM,at_least,5700.0,1,t8\n"
        "2026-02-16,Judicial Council,exact,5704.0,1,t9\n", dates=("date",))
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_official_series_is_the_policy_estimate_on_each_report_day():
    got = trends.official_series(known("2026-02-20"), trends.TRANSFER, "best")
    expected = table(
        "date,value,low,high,holds_for,statements\n"
        "2026-01-21,147.0,144.0,150.0,2026-01-21,2\n"  # median of CENTCOM 150 and 144
        "2026-01-22,150.0,150.0,150.0,2026-01-21,1\n"  # the reprint replaces, never adds
        "2026-02-07,2125.0,2000.0,2250.0,2026-02-07,2\n"
        "2026-02-11,5046.0,5046.0,5046.0,2026-02-11,1\n"
        "2026-02-12,4500.0,4500.0,4500.0,2026-02-12,1\n"  # a lower report: the step goes down
        "2026-02-13,5700.0,5700.0,5700.0,2026-02-12,1\n"
        "2026-02-16,5704.0,5704.0,5704.0,2026-02-16,1\n", dates=("date", "holds_for"))
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


@pytest.mark.parametrize(("policy", "values"), [
    ("conservative", [144.0, 150.0, 2000.0]),
    ("best", [147.0, 150.0, 2125.0]),
    ("upper", [150.0, 150.0, 2250.0]),
])
def test_official_series_follows_the_policy(policy, values):
    got = trends.official_series(known("2026-02-07"), trends.TRANSFER, policy)
    assert got["value"].tolist() == values


def test_as_of_shows_only_what_was_published_by_then():
    early = known("2026-01-25")
    assert trends.claim_series(early, trends.TRANSFER)["value"].tolist() == [144.0, 150.0]
    official = trends.official_series(early)
    assert official["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-21", "2026-01-22"]
    assert official["value"].tolist() == [147.0, 150.0]
    # the undated-source plan (p4, 7,000–8,000) is never known at any as_of
    assert trends.plan_claims(known("2026-12-31"))["highest"].max() == 7000.0
    assert trends.plan_claims(known(None))["highest"].max() == 8000.0


def test_reprints_and_batches_change_nothing():
    """A reprinted total is one voice; a batch is not a total: neither moves the series."""
    reprint = ("t2b,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0121,C News,"
               "2026-01-22,2026-01-21,,,exact,,150,\n")
    batch = ("b2,transferred_to_iraq_batch,flow,SDF,armed_group,sdf-b2,Z,2026-02-14,"
             "2026-02-14,,,exact,,900,\n")
    base = trends.official_series(known("2026-02-20"))
    more = trends.official_series(known("2026-02-20", LEDGER + reprint + batch))
    pd.testing.assert_frame_equal(more, base)
    series = trends.claim_series(known("2026-02-20", LEDGER + reprint + batch), trends.TRANSFER)
    centcom = series[series["statement_id"] == "centcom-0121"]
    assert centcom[["value", "copies", "figure_ids"]].values.tolist() == [[150.0, 3, "t1 t2 t2b"]]
    assert "b2" not in " ".join(series["figure_ids"])


def test_rates_between_report_days():
    official = trends.official_series(known("2026-02-20"))
    got = trends.rates(official)[["start", "end", "days", "per_day"]]
    expected = table(
        "start,end,days,per_day\n"
        "2026-01-21,2026-01-22,1,3.0\n"
        "2026-01-22,2026-02-07,16,123.4375\n"
        "2026-02-07,2026-02-11,4,730.25\n"
        "2026-02-11,2026-02-12,1,-546.0\n"
        "2026-02-12,2026-02-13,1,1200.0\n"
        "2026-02-13,2026-02-16,3,1.3333333333333333\n", dates=("start", "end"))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_undated_claims_are_listed_not_placed():
    figures = known("2026-02-28")
    span = trends.time_span(figures, "2026-02-28")
    assert span == (pd.Timestamp("2026-01-14"), pd.Timestamp("2026-02-28"))
    listed = trends.off_chart(figures, span)
    assert listed["figure_id"].tolist() == ["d1", "h4", "t10"]  # before the span, undated ×2
    placed = " ".join(trends.claim_series(figures)["figure_ids"])
    assert "h4" not in placed and "t10" not in placed
    assert trends.off_chart_sentences(figures, span, unpublished=1) == [
        "Undated in their source, so never placed at a guessed date: 2; holding for a date "
        "or period before 2026-01-14: 1.",
        "1 more figure from sources without a publication date: they cannot be shown "
        "to precede as_of and are left out."]
    assert trends.off_chart_sentences(figures, span, unpublished=1, lang="ar") == [
        "غير مؤرّخة في مصدرها، فلا توضع على الرسوم في تاريخ مُخمَّن: 2؛ وتخص فترة أو تاريخاً "
        "قبل 2026-01-14: 1.",
        "ويُستبعد 1 من الأرقام لأن مصدرها بلا تاريخ نشر، فلا يمكن إثبات أنها سبقت التاريخ "
        "المختار للتقرير."]  # the reader's words, not the parameter's name


def test_small_multiples_need_enough_dated_statements():
    figures = known("2026-02-20")
    span = trends.time_span(figures, "2026-02-20")
    assert trends.multiples_measures(figures, span) == ["held_by_sdf"]
    assert trends.multiples_measures(figures, span, min_statements=2) == \
        ["held_by_sdf", "escaped_from_prison"]
    early = known("2026-01-25")
    assert trends.multiples_measures(early, trends.time_span(early, "2026-01-25")) == []


@pytest.mark.parametrize("as_of", ["2026-02-20", "2026-02-28", None])
def test_each_panel_holds_what_its_own_claim_series_holds(as_of):
    """The small multiples split one series by measure: the same frames, row for row, as one
    `claim_series` per measure (what the panels and their captions used to draw from)."""
    figures = analysis.load_figures(as_of=as_of)  # the real ledger: many measures
    span = trends.time_span(figures, as_of)
    panels = trends._panels(figures, span, min_statements=1)
    assert list(panels) == trends.multiples_measures(figures, span, min_statements=1)
    assert len(panels) >= 3
    for measure, series in panels.items():
        alone = trends._in_span(trends.claim_series(figures, measure), span)
        pd.testing.assert_frame_equal(series, alone.reset_index(drop=True))


# --- captions -----------------------------------------------------------------------------

def test_progress_caption_on_2026_02_20():
    facts = trends.progress(known("2026-02-20"), "2026-02-20", "best")
    assert trends.progress_sentences(facts) == [
        "Transferred to Iraq as known on 2026-02-20 (policy best): 5,704, from the claims for "
        "2026-02-16 (lowest–highest among them: 5,704).",
        "The first batch (147) is dated 2026-01-21; by 2026-02-16 the total had changed "
        "by 5,557 in 26 days, 214 a day on average.",
        # between the dates the estimates hold for, as the average (by report day: 1,200)
        "Fastest pace between consecutive estimates: 730 a day (2026-02-07 to 2026-02-11).",
        "The estimate fell on 1 report day (2026-02-12): that day's reports gave a lower "
        "total than earlier ones, so the reports contradict each other.",
        "22 days passed from the first batch to the first claim of 5,700 or more (CENTCOM: at "
        "least 5,700, for 2026-02-12).",
        "Planned or expected totals claimed: 5,500–7,000, by 3 claimants.",
        "Stated ceiling: CENTCOM, up to 7,000."]


def test_progress_caption_on_2026_01_25_knows_only_the_first_batch():
    facts = trends.progress(known("2026-01-25"), "2026-01-25", "best")
    # 147 and 150 are two reports of one batch, both for 2026-01-21: no pace between them
    assert (facts.latest_value, facts.per_day, facts.mark, facts.drops) == \
        (150.0, None, None, ())
    assert trends.progress_sentences(facts)[1:] == [
        "Only the first batch was known by then: 150 (2026-01-21).",
        "Planned or expected totals claimed: 7,000, by 1 claimant.",
        "Stated ceiling: CENTCOM, up to 7,000."]


def test_a_later_undated_report_does_not_move_the_estimates_date():
    """On 2026-02-28 the caption said 5,704 came "from the reports of 2026-02-23" and took the
    pace over 33 days: Shafaq's undated 5,000–7,000 of 2026-02-23 left the estimate at the
    Judicial Council's 5,704, which holds for 2026-02-16 (26 days after the first batch)."""
    facts = trends.progress(analysis.load_figures(as_of="2026-02-28"), "2026-02-28", "best")
    assert (facts.latest_value, facts.latest_date, facts.days) == \
        (5704.0, pd.Timestamp("2026-02-16"), 26)
    assert trends.progress_sentences(facts)[:2] == [
        "Transferred to Iraq as known on 2026-02-28 (policy best): 5,704, from the claims for "
        "2026-02-16 (lowest–highest among them: 5,704).",
        "The first batch (150) is dated 2026-01-21; by 2026-02-16 the total had changed by "
        "5,554 in 26 days, 214 a day on average."]


def test_the_caption_names_every_date_its_claims_hold_for():
    """On 2026-02-13 the caption said "from the claims for 2026-02-13", but CENTCOM's "more
    than 5,700", one of the three, holds for 02-12."""
    facts = trends.progress(analysis.load_figures(as_of="2026-02-13"), "2026-02-13", "best")
    assert (facts.latest_from, facts.latest_date) == \
        (pd.Timestamp("2026-02-12"), pd.Timestamp("2026-02-13"))
    assert trends.progress_sentences(facts)[0] == (
        "Transferred to Iraq as known on 2026-02-13 (policy best): 5,064, from the claims for "
        "2026-02-12 to 2026-02-13 (lowest–highest among them: 3,000–5,700).")
    assert "من الادعاءات الخاصة بالمدة من 2026-02-12 إلى 2026-02-13 " in \
        trends.progress_sentences(facts, "ar")[0]


def test_progress_before_any_transfer():
    facts = trends.progress(known("2026-01-20"), "2026-01-20")
    assert trends.progress_sentences(facts) == [
        "No transfer total had been reported by 2026-01-20."]


def test_captions_in_arabic_name_the_claimant_in_arabic():
    facts = trends.progress(known("2026-02-20"), "2026-02-20", "best")
    text = " ".join(trends.progress_sentences(facts, "ar", {"CENTCOM": "سنتكوم"}))
    assert "المنقولون إلى العراق كما عُرف في 2026-02-20" in text
    assert "(سنتكوم: 5,700 على الأقل، بتاريخ 2026-02-12)" in text
    assert "السقف المعلن: سنتكوم، حتى 7,000." in text
    page = trends.caption_html(["<b>x</b>"], "ar")
    assert page == '<p class="caption" dir="rtl" lang="ar">&lt;b&gt;x&lt;/b&gt;</p>'


CLAIMANTS_AR = "الجهات المصرِّحة"
ENGLISH_POLICY = re.compile(r"\b(?:conservative|best|upper)\b")


@pytest.mark.parametrize(("policy", "name"), [
    ("conservative", "المتحفّظة"), ("best", "الأرجح"), ("upper", "القصوى")])
def test_arabic_captions_count_claimants_and_name_the_policy(policy, name):
    """'4 claimants' must not read as '4 sources', nor a policy stay in English."""
    figures = known("2026-02-20")
    facts = trends.progress(figures, "2026-02-20", policy)
    text = " ".join(trends.progress_sentences(facts, "ar"))
    assert f"كما عُرف في 2026-02-20 (السياسة «{name}»): " in text
    assert f"(عدد {CLAIMANTS_AR}: 3)" in text  # three claimants stated a plan
    span = trends.time_span(figures, "2026-02-20")
    text += " ".join(trends.timeline_sentences(trends.timeline(figures, span), "ar"))
    assert f"، وعدد {CLAIMANTS_AR}: 14." in text  # "by 14 claimants"
    text += trends.measure_sentence(trends.claim_series(figures, "held_by_sdf"), "م", "ar")
    assert f"ادعاءات مؤرخة: 3، وعدد {CLAIMANTS_AR}: 3،" in text
    assert "مصادر" not in text and "المصدر" not in text
    assert ENGLISH_POLICY.findall(text) == []


def test_timeline_bursts_and_gaps():
    figures = known("2026-02-20")
    got = trends.timeline(figures, trends.time_span(figures, "2026-02-20"))
    assert (got.claims, got.busiest, got.busiest_claims) == (17, pd.Timestamp("2026-01-21"), 5)
    assert got.gap == (pd.Timestamp("2026-01-21"), pd.Timestamp("2026-02-07"))
    assert trends.timeline_sentences(got)[2:] == [
        "Longest wait between two transfer totals: 17 days (2026-01-21 to 2026-02-07).",
        "The last transfer total holds for 2026-02-16, 4 days before 2026-02-20."]


def test_small_multiple_caption():
    figures = known("2026-02-20")
    series = trends.claim_series(figures, "held_by_sdf")
    assert trends.measure_sentence(series, "Held") == (
        "Held: 3 dated claims by 3 claimants, from 3,000 to 9,000; latest 3,000 (SOHR, "
        "2026-02-13).")


# --- charts -------------------------------------------------------------------------------

def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        out.append((png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


def test_charts_are_byte_stable_without_timestamps():
    figures = known("2026-02-20")
    for draw in (lambda: trends.cumulative_png(figures, "2026-02-20"),
                 lambda: trends.multiples_png(figures, "2026-02-20"),
                 lambda: trends.timeline_png(figures, "2026-02-20", "ar")):
        first, second = draw(), draw()
        assert first == second
        kinds = [kind for kind, _ in _chunks(first)]
        assert b"tIME" not in kinds
        assert all(b"Software" not in data for kind, data in _chunks(first) if kind == b"tEXt")


def test_a_chart_drawn_once_is_the_chart_matplotlib_saves():
    """The PNG is painted in one pass (layout and paint together), not savefig's two: the
    same pixels and the same bytes as savefig with the same metadata, in both languages."""
    import io

    figures = known("2026-02-20")
    for lang in ("en", "ar"):
        for make in (trends.cumulative_figure, trends.multiples_figure):
            saved = io.BytesIO()
            with trends._style(lang):
                make(figures, "2026-02-20", "best", lang).savefig(
                    saved, format="png", metadata={"Software": None})
            assert trends._png(make(figures, "2026-02-20", "best", lang), lang) \
                == saved.getvalue()


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
            if t.get_text()]


def test_cumulative_chart_carries_plans_ceiling_and_as_of():
    fig = trends.cumulative_figure(known("2026-02-20"), "2026-02-20", "upper")
    texts = _texts(fig)
    for text in ("Planned totals claimed: 5,500–7,000", "CENTCOM: up to 7,000",
                 "Estimate as known each day (upper)", "as of 2026-02-20",
                 "Transferred to Iraq (cumulative)"):
        assert text in texts, text
    ax = fig.axes[0]
    steps = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    assert list(steps[0].get_ydata()) == [150.0, 150.0, 2250.0, 5046.0, 4500.0, 5700.0, 5704.0,
                                          5704.0]  # the last step runs on to as_of


def test_arabic_chart_is_written_in_arabic():
    fig = trends.cumulative_figure(known("2026-02-20"), "2026-02-20", "best", "ar",
                                   {"CENTCOM": "سنتكوم"}, "المنقولون إلى العراق (تراكمي)")
    texts = _texts(fig)
    for text in ("المنقولون إلى العراق (تراكمي)", "سنتكوم: حتى 7,000",
                 # the date isolated left to right, as the pages show it, not 20-02-2026
                 "حتى تاريخ \u20662026-02-20\u2069", "الأعداد المخطط لها: 5,500–7,000"):
        assert text in texts, text
    assert fig.axes[0].yaxis.get_ticks_position() == "right"
    languages = {t.get_language() for t in fig.findobj(lambda a: hasattr(a, "get_language"))
                 if t.get_text()}
    assert languages == {"ar"}


@pytest.mark.parametrize("draw", [trends.cumulative_figure, trends.multiples_figure])
def test_arabic_chart_legend_names_the_policy_in_arabic(draw):
    fig = draw(known("2026-02-20"), "2026-02-20", "conservative", "ar")
    texts = _texts(fig)
    assert "التقدير كما عُرف كل يوم (المتحفّظة)" in texts
    assert [t for t in texts if ENGLISH_POLICY.search(t)] == []
    english = _texts(draw(known("2026-02-20"), "2026-02-20", "conservative"))
    assert "Estimate as known each day (conservative)" in english


@pytest.mark.parametrize("draw", [trends.cumulative_figure, trends.multiples_figure])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_legend_keeps_shapes_apart_from_claimant_colours(lang, draw):
    """The grey of 'exact figure' is a shape's key, not 'anonymous official': each group has
    its own column under its header, the colours first where the reader starts. The small
    multiples draw hollow and triangle markers too: their key is there as well."""
    fig = draw(known("2026-02-20"), "2026-02-20", "best", lang)
    fig.canvas.draw()
    edge = (lambda b: b.x0) if lang == "en" else (lambda b: b.x1)  # texts start there
    x = {t.get_text(): edge(t.get_window_extent()) for t in fig.legends[0].get_texts()}
    w = {k: i18n.word(k, lang) for k in ("colour_key", "shape_key", "exact_mark", "hedged_mark")}
    labels = list(x)
    first, second = labels[labels.index(w["colour_key"]) + 1:labels.index(w["colour_key"]) + 3]
    types = tuple(i18n.word(f"type_{t}", lang) for t in schema.CLAIMANT_TYPES)
    assert first in types and second in types, (first, second)
    assert x[w["colour_key"]] == x[first] == x[second]
    assert x[w["shape_key"]] == x[w["exact_mark"]] == x[w["hedged_mark"]]
    assert (x[first] < x[w["exact_mark"]]) == (lang == "en")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_timeline_legend_says_its_colours_are_kinds(lang):
    """Above, colour is who claims; on the timeline, what kind of number: the legend says so."""
    fig = trends.timeline_figure(known("2026-02-20"), "2026-02-20", lang)
    legend = fig.legends[0]
    assert legend.get_title().get_text() == i18n.word("kind_key", lang)
    assert i18n.word("kind_cumulative", lang) in [t.get_text() for t in legend.get_texts()]


def test_arabic_timeline_title_says_claimant():
    fig = trends.timeline_figure(known("2026-02-20"), "2026-02-20", "ar")
    assert "الادعاءات المؤرخة لكل جهة مصرِّحة (كل المقاييس)" in _texts(fig)


def test_matplotlib_joins_and_orders_arabic_itself():
    """Why no reshaping library: matplotlib 3.11 lays text out with libraqm.

    'بيت' (beh, yeh, teh) comes out joined (contextual glyphs, not the isolated ones of the
    font's character map) and right to left (the first letter drawn rightmost). Text shaped
    and reordered beforehand would be reversed a second time.
    """
    from matplotlib import font_manager, ft2font
    from matplotlib._text_helpers import layout

    font = ft2font.FT2Font(font_manager.findfont("DejaVu Sans"))
    font.set_size(12, 72)
    items = list(layout("بيت", font))
    by_char = {item.char: item for item in items}
    assert by_char["ب"].x > by_char["ي"].x > by_char["ت"].x
    assert all(item.glyph_index != font.get_char_index(ord(item.char)) for item in items)


def test_chart_font_covers_every_arabic_word():
    """Matplotlib's own DejaVu Sans (no system font needed) has a glyph for every letter."""
    import matplotlib
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont("DejaVu Sans")
    assert path.startswith(matplotlib.get_data_path())
    charmap = ft2font.FT2Font(path).get_charmap()
    text = "".join(ar for _, ar in i18n.WORDS.values())
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in charmap})
    assert missing == []


# --- the rendered report ------------------------------------------------------------------

SETS = ("- {as_of: 2026-01-25, lang: en}\n"
        "- {as_of: 2026-02-20, lang: en}\n"
        "- {as_of: 2026-02-20, lang: ar}\n")
PAGES = {"early": "03_trends--as_of-2026-01-25_lang-en.html",
         "late": "03_trends--as_of-2026-02-20_lang-en.html",
         "arabic": "03_trends--as_of-2026-02-20_lang-ar.html"}


def charts(page: str) -> int:
    """Images embedded in the page (nbconvert adds its own alt and class before src)."""
    return len(re.findall(r'<img [^>]*src="data:image/png;base64,', page))


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    root = copy_project(tmp_path_factory.mktemp("trends") / "p")
    sets = root / "sets.yaml"
    sets.write_text(SETS, encoding="utf-8")
    result = cli("--root", str(root), "run", "03_trends", "-f", str(sets))
    assert result.returncode == 0, result.stderr
    html_dir = root / "reports" / "html"
    first = {k: (html_dir / v).read_bytes() for k, v in PAGES.items()}
    again = cli("--root", str(root), "run", "03_trends", "-f", str(sets), "--force")
    assert again.returncode == 0, again.stderr
    assert {k: (html_dir / v).read_bytes() for k, v in PAGES.items()} == first
    return {k: readable(v.decode("utf-8")) for k, v in first.items()}


def test_charts_have_alternative_text(pages):
    """Screen readers heard "No description has been provided for this image" (nbconvert's
    default) for every chart; now the chart's heading and where its numbers are written."""
    for name, page in pages.items():
        alts = re.findall(r'<img [^>]*alt="([^"]*)"[^>]*src="data:image/png', page) + \
            re.findall(r'<img src="data:image/png[^"]*" alt="([^"]*)"', page)
        assert len(alts) == charts(page) == 3, name
        assert not [a for a in alts if "No description" in a], name
    assert "Transfers to Iraq, claim by claim. A chart; the text under it gives the numbers " \
        "it draws." in pages["late"]
    assert "المنقولون إلى العراق، ادعاءً بادعاء. رسم بياني؛" in pages["arabic"]


def test_report_shows_what_was_knowable_on_2026_01_25(pages):
    page = pages["early"]
    assert charts(page) == 3  # transfers, one small multiple, timeline
    for sentence in (
            "Transferred to Iraq as known on 2026-01-25 (policy best): 150, from the claims "
            "for 2026-01-21 (lowest–highest among them: 150).",
            "Only the first batch was known by then: 150 (2026-01-21).",
            "Planned or expected totals claimed: 7,000, by 1 claimant.",
            "Stated ceiling: CENTCOM, up to 7,000.",
            "The last transfer total holds for 2026-01-21, 4 days before 2026-01-25."):
        assert html.escape(sentence) in page, sentence
    assert "5,704" not in page and "2,250" not in page
    # the page says it is not the latest: the reports it leaves out, counted in the ledger
    figures = analysis.load_figures()
    later = int((figures["published"] > pd.Timestamp("2026-01-25")).sum())
    assert later > 40
    assert f"{later} figures published after 2026-01-25 are not counted here" in page
    after = int((figures["published"] > pd.Timestamp("2026-02-20")).sum())
    assert f"لا يُحتسب هنا {after} من الأرقام نُشرت بعد 2026-02-20" in pages["arabic"]
    # and those no page with a date can count: their source has no publication date
    undated = int(figures["published"].isna().sum())
    assert undated == 5
    assert "5 figures from sources without a publication date are left out" in page
    assert "ويُستبعد 5 من الأرقام لأن مصادرها بلا تاريخ نشر" in pages["arabic"]


def test_report_on_2026_02_20_tells_the_four_weeks(pages):
    page = pages["late"]
    assert charts(page) == 3
    for sentence in (
            "Transferred to Iraq as known on 2026-02-20 (policy best): 5,704, from the claims "
            "for 2026-02-16 (lowest–highest among them: 5,704).",
            "The first batch (150) is dated 2026-01-21; by 2026-02-16 the total had "
            "changed by 5,554 in 26 days, 214 a day on average.",
            "Fastest pace between consecutive estimates: 1,179 a day (2026-02-07 to "
            "2026-02-09).",
            "22 days passed from the first batch to the first claim of 5,700 or more (CENTCOM: "
            "more than 5,700, for 2026-02-12).",
            "Planned or expected totals claimed: 5,500–7,000, by 4 claimants.",
            "Longest wait between two transfer totals: 6 days (2026-02-01 to 2026-02-07)."):
        assert html.escape(sentence) in page, sentence
    assert "Held in SDF-run prisons: 3 dated claims by 3 claimants" in page
    assert "about 10,000" in page  # the SDF's undated figure is listed, not plotted


def test_arabic_report(pages):
    page = pages["arabic"]
    assert charts(page) == 3
    assert '<h2 dir="rtl" lang="ar">المنقولون إلى العراق، ادعاءً بادعاء</h2>' in page
    assert ('<p class="caption" dir="rtl" lang="ar">المنقولون إلى العراق كما عُرف في '
            "2026-02-20 (السياسة «الأرجح»): 5,704") in page
    assert "القيادة المركزية الأميركية (سنتكوم): أكثر من 5,700" in page
    assert "خلال 26 يوماً" in page and "أطول انتظار بين رقمين للمنقولين: 6 أيام" in page
    captions = " ".join(re.findall(
        r'<(?:p|ul) class="caption" dir="rtl" lang="ar">(.*?)</(?:p|ul)>', page, re.S))
    assert f"(عدد {CLAIMANTS_AR}: 4)" in captions and f"، وعدد {CLAIMANTS_AR}: " in captions
    assert "عدد المصادر" not in captions
    assert ENGLISH_POLICY.findall(captions) == []


def test_claim_labels_lie_above_the_points():
    """A neighbour's marker hid part of a claim's label (only "200" of 6,200 showed)."""
    fig = trends.multiples_figure(analysis.load_figures(as_of="2026-02-28"), "2026-02-28")
    checked = 0
    for ax in fig.axes:
        points = [line.get_zorder() for line in ax.get_lines()
                  if line.get_marker() not in (None, "None", "")]
        labels = [t.get_zorder() for t in ax.texts if t.get_color() == "#333"]
        if points and labels:
            assert min(labels) > max(points)
            checked += 1
    assert checked >= 3


def test_a_claim_of_zero_is_drawn_whole():
    """The axis ends at 0: a point there was cut in half (al-Hol's camp emptied)."""
    figures = known("2026-02-20", LEDGER.replace(
        "SOHR,ngo_un,sohr-0213,SOHR,2026-02-13,2026-02-13,,,exact,,3000,",
        "SOHR,ngo_un,sohr-0213,SOHR,2026-02-13,2026-02-13,,,exact,,0,"))
    fig = trends.multiples_figure(figures, "2026-02-20")
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0
    import numpy as np
    from matplotlib.dates import date2num

    pixels = np.asarray(fig.canvas.buffer_rgba())
    x, y = ax.transData.transform((date2num(pd.Timestamp("2026-02-13")), 0))
    below = pixels[int(fig.bbox.height - y) + 3, int(x)]  # 3 px under the axis line
    colour = trends.TYPE_COLOURS["ngo_un"].lstrip("#")
    assert tuple(below[:3]) == tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))
