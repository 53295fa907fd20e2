"""The map as built by the library: offline, deterministic, escaped, honest about places."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from conftest import claims_frame, readable

import analysis
from analysis import maps

# Resources a page would fetch (scripts, styles, images, tiles); <a href> links are fine.
EXTERNAL = re.compile(r"""\bsrc\s*=\s*["']?(?:https?:)?//"""
                      r"""|<link[^>]+href\s*=\s*["']?(?:https?:)?//"""
                      r"""|url\(\s*["']?(?:https?:)?//|L\.tileLayer\(""")

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> ${alert(3)} `x` \\"


@pytest.fixture(scope="module")
def places():
    return analysis.load_places()


@pytest.fixture(scope="module")
def boundaries():
    return analysis.load_boundaries("admin1"), analysis.load_boundaries("admin0")


def plain(page: str) -> str:
    """Undo JSON's \\uXXXX escapes (folium writes icon HTML and layer names as JSON)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def render(boundaries, places, as_of="2026-02-28", lang="en", policy="best", figures=None,
           **kwargs) -> str:
    figures = analysis.load_figures(as_of=as_of) if figures is None else figures
    m = maps.claims_map(figures, places, *boundaries, lang=lang, policy=policy, as_of=as_of,
                        **kwargs)
    return m.get_root().render()


def test_same_inputs_same_bytes_and_nothing_external(boundaries, places):
    first = render(boundaries, places)
    assert render(boundaries, places) == first
    assert EXTERNAL.findall(first) == []
    online = render(boundaries, places, tiles="OpenStreetMap")
    assert EXTERNAL.findall(online) == ["L.tileLayer("]  # tiles only when asked for


def test_one_marker_per_place_with_coordinates(boundaries, places):
    page = plain(render(boundaries, places))
    mapped = maps.mapped_places(places)
    assert len(mapped) == 10
    assert page.count("L.marker(") == len(mapped)
    drawn = set(re.findall(r"data-place='([a-z-]+)'", page))
    assert drawn == set(mapped["place_id"])
    # No coordinates: never a marker; the governorate says the place is there.
    assert not drawn & {"roj-camp", "sosa-prison", "shaddadi-prison", "al-jadaa-camp"}
    assert "Known only to this governorate: Roj (al-Roj, Tal Aswad) camp" in page


def test_markers_sized_by_latest_figure_under_the_policy(places):
    figures = analysis.load_figures(as_of="2026-02-28")
    ghweran = figures[figures["place_id"] == "ghweran-prison"]
    early = analysis.load_figures(as_of="2026-01-22")
    first = maps.latest_figure(early[early["place_id"] == "ghweran-prison"], "2026-01-22",
                               "best")
    later = maps.latest_figure(ghweran, "2026-02-28", "best")
    assert (first.measure, first.value, first.hedged) == ("transferred_to_iraq", 150, False)
    assert (later.measure, later.value, later.hedged) == ("transferred_to_iraq", 300, False)
    assert maps.radius_px(later.value) > maps.radius_px(first.value)
    baghdad = maps.latest_figure(figures[figures["place_id"] == "baghdad"], "2026-02-28", "best")
    assert baghdad.hedged  # "more than 500": hollow
    # al-Hol: the policy decides between contradicting population counts of one window.
    hol = figures[(figures["place_id"] == "al-hol-camp")
                  & (figures["measure"] == "al_hol_population")
                  & (figures["as_of"] == "2026-01-21")]
    low = maps.latest_figure(hol, "2026-02-28", "conservative")
    high = maps.latest_figure(hol, "2026-02-28", "upper")
    assert low.value <= high.value


def test_hollow_and_filled_markers_in_the_page(boundaries, places):
    page = plain(render(boundaries, places))
    assert "class='dot hedged' data-place='baghdad'" in page
    assert "class='dot exact' data-place='ghweran-prison'" in page
    assert "class='dot none' data-place='karkh-prison'" in page  # no figure reported there


def test_flow_moved_vs_planned_as_of(places):
    def flow(as_of):
        return maps.transfer_flow_data(analysis.load_figures(as_of=as_of), places, as_of)

    assert flow("2026-01-15") is None  # nothing moved or planned yet
    early = flow("2026-01-22")
    assert (early.moved.value, early.planned.value) == (150, 7000)
    assert early.label == "moved 150 · planned 7,000"
    assert maps._width(early.moved.value) < maps._width(early.planned.value)
    assert early.destinations == ("karkh-prison", "nasiriyah-prison")
    assert early.unplaced == ("sosa-prison",) and early.ruled_out == ()
    assert "Sosa (Fort Suse) prison, Sulaymaniyah (no coordinates)" in early.details
    late = flow("2026-02-16")
    assert late.moved.value > 5000 and late.ruled_out == ("sosa-prison",)
    assert "ruled out: Sosa" in late.details


def test_flow_starts_where_the_naming_report_says():
    """The origin is still a constant; it rests on the one report that names destinations."""
    named = analysis.load_destinations()
    assert list(named.loc[named["role"] == "named", "figure_id"].unique()) == ["rf-047"]
    figures = analysis.load_figures().set_index("figure_id")
    assert figures.loc["rf-047", "place_id"] == maps.FLOW_ORIGIN


def test_flow_destinations_come_from_the_data(places):
    """The flow draws what the destinations table says, counting a row once its figure is
    known by `as_of`, and nothing when no report names a place."""
    said = pd.read_csv(io.StringIO(
        "figure_id,place_id,role\n"
        "rf-081,karkh-prison,named\n"
        "rf-047,nasiriyah-prison,named\n"
        "rf-081,nasiriyah-prison,ruled_out\n"), dtype="string")

    def flow(as_of, destinations):
        return maps.transfer_flow_data(analysis.load_figures(as_of=as_of), places, as_of,
                                       destinations=destinations)

    early = flow("2026-01-22", said)  # rf-081 (2026-02-11) is not known yet
    assert (early.destinations, early.ruled_out, early.unplaced) == (("nasiriyah-prison",), (), ())
    late = flow("2026-02-28", said)
    assert (late.destinations, late.ruled_out) == (("karkh-prison",), ("nasiriyah-prison",))
    assert "ruled out: Nasiriyah Central Prison (al-Hout)" in late.details
    nothing = flow("2026-02-28", said.iloc[:0])
    assert (nothing.destinations, nothing.ruled_out, nothing.unplaced) == ((), (), ())
    figures = analysis.load_figures(as_of="2026-02-28")
    assert maps.transfer_flow(figures, places, "2026-02-28", destinations=said.iloc[:0]) is None


def test_governorates_shaded_by_the_figures_reported_for_them(places):
    figures = analysis.load_figures(as_of="2026-02-28")
    counts = maps.governorate_counts(figures, places)
    located = places[places["admin1_code"] == "SY-HA"]
    located = located[located["drawn_as"].isin(["point", "admin1"])]
    assert counts["SY-HA"] == figures["place_id"].isin(located["place_id"]).sum()
    assert counts["IQ-BG"] == 2
    assert "IQ-SU" not in counts  # Sosa prison is named, but no figure is reported for it


def test_arabic_map(boundaries, places):
    page = plain(render(boundaries, places, lang="ar"))
    for text in ("المحافظات: الأرقام المعلنة", "الأماكن: أحدث رقم", "نُقل", "مخطط",
                 "الأرقام المعلنة عن أماكن في المحافظة"):
        assert text in page, text
    assert "<div dir='rtl' lang='ar' class='popup-body'>" in page
    assert "الجهة المصرِّحة: القيادة المركزية الأميركية (سنتكوم)" in page
    assert "المصدر المنسوب إليه" not in page
    assert "السياسة «الأرجح»" in page and "السياسة: الأرجح" in page
    assert not re.search(r"السياسة:? (?:conservative|best|upper)", page)
    # a marker's hover text ends with its date: after Arabic words, kept left to right (it
    # read 25-01-2026 for 2026-01-25)
    # and the whole tooltip is set right to left (Leaflet sets tooltips left to right: with the
    # date isolated, the sentence then read from its end)
    tips = re.findall(r"bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`", page, re.S)
    assert tips and all(t.startswith('<div dir="rtl" lang="ar">') for t in tips), tips[:3]
    dated = [t for t in tips if "السياسة «الأرجح» · " in t]
    assert len(dated) >= 4 and all(re.search(
        r"· <span dir='ltr' style='white-space:nowrap'>\d{4}-\d{2}-\d{2}</span></div>$", t)
        for t in dated), dated


@pytest.mark.parametrize(("policy", "name"), [
    ("conservative", "المتحفّظة"), ("best", "الأرجح"), ("upper", "القصوى")])
def test_arabic_map_words_name_the_policy_in_arabic(places, policy, name):
    """Marker text, flow notes, the flow table and the legend: never the English policy id."""
    figures = analysis.load_figures(as_of="2026-02-28")
    here = figures[figures["place_id"] == "ghweran-prison"]
    latest = maps.latest_figure(here, "2026-02-28", policy, "ar")
    flow = maps.transfer_flow_data(figures, places, "2026-02-28", policy, "ar")
    table = maps.flow_table(flow, "ar")
    texts = [latest.text, flow.details, maps.legend_html("ar", policy),
             *table.astype(str).to_numpy().ravel()]
    assert f"السياسة «{name}»" in latest.text and f"السياسة «{name}»" in flow.details
    assert f"السياسة: {name}" in maps.legend_html("ar", policy)
    assert table["الطريقة"].str.startswith(f"{name}: ").all()
    assert [t for t in texts if re.search(r"\b(?:conservative|best|upper)\b", t)] == []
    english = maps.transfer_flow_data(figures, places, "2026-02-28", policy)
    assert f"policy {policy} (" in english.details
    # the measures by name, as everywhere else (the table said "moved" and "planned")
    assert table["المقياس"].tolist() == ["المنقولون إلى العراق (تراكمي)",
                                         "العدد المتوقع أو المقرر نقله"]
    assert maps.flow_table(english)["Measure"].tolist() == [
        "Transferred to Iraq (cumulative)", "Planned or expected total to transfer"]


def test_data_strings_are_escaped(boundaries, places):
    figures = analysis.load_figures(as_of="2026-02-28")
    row = figures[figures["place_id"] == "ghweran-prison"].head(1).copy()
    row["quote"] = HOSTILE
    row["claimant"] = HOSTILE
    row["outlet"] = HOSTILE
    row["url"] = "javascript:alert(4)"
    hostile_places = places.copy()
    hostile_places.loc[hostile_places["place_id"] == "ghweran-prison", "name_en"] = HOSTILE
    page = plain(render(boundaries, hostile_places, figures=row))
    for raw in ("<script>alert", "<img src=x", "${alert", "javascript:alert"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#36;&#123;alert(3)&#125;" in page


def test_unmapped_lists_regions_only(places):
    figures = analysis.load_figures()
    listed = maps.unmapped(figures, places)
    assert set(listed["place_id"]) == {"north-east-syria", "syria-and-iraq"}


def test_map_report_page_size(rendered):
    """The reader downloads one file: Leaflet, jQuery and the boundaries included."""
    size = (rendered / "reports" / "html" / "02_map.html").stat().st_size
    assert 300_000 < size < 1_500_000


def test_arabic_popup_names_the_claimant_and_the_hedge():
    """A claim in an Arabic popup: the claimant's Arabic name and the hedge's Arabic word."""
    claim = pd.read_csv(io.StringIO(
        "figure_id,measure_label_en,measure_label_ar,claimant,hedge,value_low,value_best,"
        "value_high,as_of,period_start,period_end,quote,language,paraphrase,url,outlet\n"
        "a1,Held,المحتجزون,CENTCOM,at_least,6000,,,2026-01-20,,,أكثر من 6000,ar,,"
        "https://example.org/a,DVIDS\n"),
        dtype={"value_low": "Int64", "value_best": "Int64", "value_high": "Int64"},
        parse_dates=["as_of", "period_start", "period_end"])
    assert maps.popup_html(claim, "ar", names={"CENTCOM": "سنتكوم"}) == (
        "<div dir='rtl' lang='ar' class='popup-body'><div class='claim'><b>المحتجزون</b>: "
        "6,000 على الأقل<br>الجهة المصرِّحة: سنتكوم · "
        "<span dir='ltr' style='white-space:nowrap'>2026-01-20</span> · التحوّط: على الأقل · "
        "الأدنى/الأرجح/الأعلى: 6,000 / – / –<div class='quote' dir='rtl' lang='ar'>"
        "«أكثر من 6000»</div><a href=\"https://example.org/a\" target=\"_blank\" "
        "rel=\"noopener noreferrer\">DVIDS</a></div></div>")
    english = readable(maps.popup_html(claim, "en"))
    assert "Claimant: CENTCOM · 2026-01-20 · Hedge: at_least · " in english


def test_arabic_place_table_names_kinds_and_joins(places):
    got = maps.place_table(places, "ar")
    row = got[got["المكان"] == places.loc[places["place_id"] == "al-hol-camp", "name_ar"].iloc[0]]
    assert row.astype(str).values.tolist() == [
        ["مخيم الهول", "مخيم", "1", "محافظة الحسكة (SY-HA)", "برمز المحافظة المعطى له",
         "عند نقطته"]]
    english = maps.place_table(places)
    assert set(english["Kind"]) <= {"country", "region", "governorate", "city", "town", "camp",
                                    "prison"}
    assert set(english["Joined by"].str.split(" ").str[0]) <= {"code", "within", "nearest",
                                                                 "none"}


# --- the map in words: what each circle and each shade says, for readers who do not see it --

WORDS_PLACES = """place_id,name_en,name_ar,kind,drawn_as,admin1_code,admin1_name_en,admin1_name_ar
jail,Jail B,سجن ب,prison,point,IQ-BG,Baghdad,بغداد
camp,Camp A,مخيم أ,camp,point,SY-HA,Hasakah,الحسكة
roj,Roj camp,مخيم روج,camp,admin1,SY-HA,Hasakah,الحسكة
gov,Hasakah Governorate,محافظة الحسكة,governorate,admin1,SY-HA,Hasakah,الحسكة
sosa,Sosa prison,سجن سوسة,prison,admin1,IQ-SU,Sulaymaniyah,السليمانية
ne,North-east Syria,شمال شرق سوريا,region,none,,,
"""
# Camp A: two claims of its population (the latest figure: a hedged one among them, so its
# circle is hollow) and an earlier planned move; Roj and the governorate, drawn as Hasakah's
# dashed border, one claim each; Jail B and Sosa none; north-east Syria is not drawn.
WORDS_CLAIMS = (
    "figure_id,place_id,measure,measure_kind,measure_label_en,measure_label_ar,claimant,"
    "statement_id,published,as_of,period_start,period_end,value_low,value_best,value_high,"
    "hedge\n"
    "a1,camp,pop,stock,Population,عدد السكان,CENTCOM,s1,2026-02-02,2026-02-01,,,,2000,,approx\n"
    "a2,camp,pop,stock,Population,عدد السكان,SDF,s2,2026-02-02,2026-02-01,,,,1800,,exact\n"
    "a3,camp,moved,flow,Moved,المنقولون,CENTCOM,s3,2026-01-20,2026-01-20,,,,,500,up_to\n"
    "b1,roj,pop,stock,Population,عدد السكان,Step News,s4,2026-02-05,2026-02-05,,,2100,,,"
    "at_least\n"
    "c1,gov,moved,flow,Moved,المنقولون,CENTCOM,s5,2026-01-21,2026-01-21,,,,150,,exact\n"
    "d1,ne,pop,stock,Population,عدد السكان,SDF,s6,2026-01-21,2026-01-21,,,,9000,,exact\n")


def words_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    places = pd.read_csv(io.StringIO(WORDS_PLACES), dtype="string")
    return claims_frame(WORDS_CLAIMS), places


def with_units(rows: str) -> pd.DataFrame:
    """WORDS_CLAIMS with a unit column (empty: people) and `rows` (CSV, unit last) added."""
    header, *words = WORDS_CLAIMS.splitlines()
    return claims_frame("\n".join([f"{header},unit", *(f"{r}," for r in words)]) + "\n" + rows)


def expected(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_places_in_words_say_what_each_circle_and_border_says():
    figures, places = words_inputs()
    got = maps.places_in_words(figures, places, "2026-02-28", "best")
    pd.testing.assert_frame_equal(got, expected(
        "Place,Governorate,On the map,Measure,Latest figure (policy best),As reported,"
        "Claimants,Holds for,\"Published later, not read (no date of its own, or another unit)\"\n"
        "Camp A,Hasakah (SY-HA),\"hollow circle: latest figure, hedged\",Population,"
        "\"1,900 (1,800–2,000)\",\"about 2,000; 1,800\",CENTCOM; SDF,2026-02-01,\n"
        # one claim read: its own words (a lone "up to 500" read "500")
        "Camp A,Hasakah (SY-HA),in the circle's popup,Moved,up to 500,up to 500,CENTCOM,"
        "2026-01-20,\n"
        "Jail B,Baghdad (IQ-BG),small grey dot: no figure reported there,,"
        "no figure reported here,,,,\n"
        "Hasakah Governorate,Hasakah (SY-HA),dashed border: a place known only to its "
        "governorate,Moved,150,150,CENTCOM,2026-01-21,\n"
        "Roj camp,Hasakah (SY-HA),dashed border: a place known only to its governorate,"
        "Population,\"at least 2,100\",\"at least 2,100\",Step News,2026-02-05,\n"
        "Sosa prison,Sulaymaniyah (IQ-SU),dashed border: a place known only to its governorate,"
        ",no figure reported here,,,,\n"))


def test_places_in_words_read_as_the_markers_read():
    """The circle's row says what its marker's label says (`latest_figure`), under each
    policy and as of an earlier date."""
    figures, places = words_inputs()
    for policy in ("conservative", "upper"):
        got = maps.places_in_words(figures, places, "2026-02-28", policy)
        marker = maps.latest_figure(figures[figures["place_id"] == "camp"], "2026-02-28", policy)
        assert got.iloc[0, 4] == marker.reading and got.columns[4].endswith(f"policy {policy})")
    early = figures[figures["published"] <= "2026-01-31"]
    got = maps.places_in_words(early, places, "2026-01-31", "best")
    assert got.iloc[0, 2:].tolist() == ["hollow circle: latest figure, hedged", "Moved",
                                        "up to 500", "up to 500", "CENTCOM", "2026-01-20", ""]


def test_a_place_never_reads_families_and_people_as_one_number():
    """Camp A's planned returns: 20,000 people and 4,000 families are two answers (the
    median of the two, 12,000, was on the map); a measure only in families says 'families'."""
    figures, places = with_units(
        "r1,camp,ret,plan,Returns,العائدون,Gov,s7,2026-02-03,2026-02-03,,,,20000,,exact,people\n"
        "r2,camp,ret,plan,Returns,العائدون,Mig,s8,2026-02-03,2026-02-03,,,,4000,,exact,"
        "families\n"
        "f1,camp,fam,plan,Families,العائلات,Mig,s8,2026-02-03,2026-02-03,,,,4000,,exact,"
        "families\n"), words_inputs()[1]
    got = maps.places_in_words(figures, places, "2026-02-28", "best")
    camp = got[got["Place"] == "Camp A"].set_index("Measure")
    assert camp.loc["Returns", "Latest figure (policy best)"] == "20,000"
    assert camp.loc["Returns", "As reported"] == "20,000"  # the claims behind that number
    assert camp.loc["Families", "Latest figure (policy best)"] == "4,000 families"
    arabic = maps.places_in_words(figures, places, "2026-02-28", "best", "ar")
    assert "4,000 عائلة" in arabic.iloc[:, 4].tolist()


def test_arabic_places_in_words():
    figures, places = words_inputs()
    got = maps.places_in_words(figures, places, "2026-02-28", "best", "ar",
                               names={"CENTCOM": "سنتكوم"})
    border = "حدود متقطعة: مكان لا يُعرف إلا على مستوى المحافظة"
    pd.testing.assert_frame_equal(got, expected(
        "المكان,المحافظة,على الخريطة,المقياس,أحدث رقم (السياسة «الأرجح»),كما أُعلن,"
        "الجهات المصرِّحة,التاريخ,نُشر لاحقاً ولم يُحتسب (بلا تاريخ خاص به أو بوحدة أخرى)\n"
        "مخيم أ,الحسكة (SY-HA),\"دائرة مفرغة: أحدث رقم، بتحوّط\",عدد السكان,"
        "\"1,900 (1,800–2,000)\",\"نحو 2,000؛ 1,800\",سنتكوم؛ SDF,2026-02-01,\n"
        "مخيم أ,الحسكة (SY-HA),في النافذة المنبثقة للدائرة,المنقولون,حتى 500,حتى 500,سنتكوم,"
        "2026-01-20,\n"
        "سجن ب,بغداد (IQ-BG),نقطة رمادية صغيرة: لا رقم معلن عن المكان,,"
        "لا رقم معلن عن هذا المكان,,,,\n"
        f"محافظة الحسكة,الحسكة (SY-HA),{border},المنقولون,150,150,سنتكوم,2026-01-21,\n"
        f"مخيم روج,الحسكة (SY-HA),{border},عدد السكان,\"2,100 على الأقل\",\"2,100 على الأقل\","
        "Step News,2026-02-05,\n"
        f"سجن سوسة,السليمانية (IQ-SU),{border},,لا رقم معلن عن هذا المكان,,,,\n"))


def test_governorates_in_words_say_what_each_shade_says():
    """Hasakah's five figures (north-east Syria's is not drawn there) and its dashed border;
    Sulaymaniyah unshaded but dashed; Baghdad, with neither, left out."""
    figures, places = words_inputs()
    got = maps.governorates_in_words(figures, places)
    pd.testing.assert_frame_equal(got.astype(str), expected(
        "Governorate,Figures reported,Shade (figures),Known only to this governorate\n"
        "Hasakah (SY-HA),5,3–5,Roj camp\n"
        "Sulaymaniyah (IQ-SU),0,not shaded,Sosa prison\n"))
    assert got["Figures reported"].tolist() == maps.governorate_counts(
        figures, places).reindex(["SY-HA", "IQ-SU"], fill_value=0).tolist()
    arabic = maps.governorates_in_words(figures, places, "ar")
    pd.testing.assert_frame_equal(arabic.astype(str), expected(
        "المحافظة,عدد الأرقام المعلنة,درجة التظليل (عدد الأرقام),لا يُعرف إلا على مستوى المحافظة\n"
        "الحسكة (SY-HA),5,3–5,مخيم روج\n"
        "السليمانية (IQ-SU),0,بلا تظليل,سجن سوسة\n"))


@pytest.mark.parametrize(("lang", "link", "heading"), [
    ("en", "Skip the map: go to the map in words", "The map in words"),
    ("ar", "تخطَّ الخريطة: انتقل إلى الخريطة نصّاً", "الخريطة نصّاً")])
def test_skip_link_leads_to_the_map_in_words(lang, link, heading):
    attrs = maps.i18n.html_lang(lang)
    assert maps.skip_link(lang) == (
        f'<a class="skip-link" href="#map-in-words" {attrs}>{link}</a>')
    assert maps.in_words_heading(lang) == (
        f'<h2 id="map-in-words" tabindex="-1" {attrs}>{heading}</h2>')


def test_arabic_legend_writes_numbers_as_they_read_right_to_left():
    """The darkest shade read '+21' in Arabic (a '+' after a number is shown before it in
    right-to-left text), and the flow width '1000' where every Arabic page writes '1,000'."""
    arabic = maps.legend_html("ar", "best")
    assert "21 فأكثر" in arabic and "21+" not in arabic
    assert "لكل 1,000 معتقل" in arabic
    assert "21+" in maps.legend_html("en", "best")
    figures, places = words_inputs()
    many = pd.concat([figures[figures["place_id"] == "roj"]] * 21, ignore_index=True)
    shades = maps.governorates_in_words(many, places, "ar")
    assert shades["درجة التظليل (عدد الأرقام)"].tolist()[0] == "21 فأكثر"


def test_places_in_words_list_later_claims_the_latest_figure_does_not_read():
    """Hasakah's held read '8,400 on 2025-12-31' with no word of the '10,000' printed on
    2026-01-25 without a date of its own: a newer claim the latest figure does not read (no
    date of its own, or another unit) is listed beside it; an older one, or one printed later
    about an earlier date, is not."""
    figures, places = with_units(
        # printed after 2026-02-01 with no date of its own: listed
        "n1,camp,pop,stock,Population,عدد السكان,SOHR,s9,2026-02-10,,,,2200,,,at_least,\n"
        # printed later, about an earlier date: history, not listed
        "n2,camp,pop,stock,Population,عدد السكان,SOHR,s10,2026-02-12,2026-01-15,,,,1500,,"
        "exact,\n"
        # printed later, for a later date, but in families: listed
        "n3,camp,pop,stock,Population,عدد السكان,Mig,s11,2026-02-14,2026-02-14,,,,400,,"
        "exact,families\n"), words_inputs()[1]
    got = maps.places_in_words(figures, places, "2026-02-28", "best", names={"Mig": "Ministry"})
    camp = got[got["Place"] == "Camp A"].set_index("Measure")
    column = "Published later, not read (no date of its own, or another unit)"
    assert camp.loc["Population", "Latest figure (policy best)"] == "1,900 (1,800–2,000)"
    assert camp.loc["Population", column] == (
        "at least 2,200 (SOHR, published 2026-02-10); 400 families (Ministry, published "
        "2026-02-14)")
    assert camp.loc["Moved", column] == ""
    arabic = maps.places_in_words(figures, places, "2026-02-28", "best", "ar")
    assert arabic.iloc[0, -1] == (
        "2,200 على الأقل (SOHR، نُشر في 2026-02-10)؛ 400 عائلة (Mig، نُشر في 2026-02-14)")
