"""Interface words in English and Arabic, and the formatting of figures with their hedges."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from analysis.errors import AnalysisError

T = TypeVar("T")

LANGS = ("en", "ar")
# Languages written right to left: a page's, and a source's (its quote keeps its direction).
WRITTEN_RTL = ("ar", "fa", "ku")
RTL = tuple(lang for lang in LANGS if lang in WRITTEN_RTL)  # the pages' own

# Arabic terms, chosen once here and used by every view (never retyped in a caller):
# - claimant (who stated a number: CENTCOM, the SDF, a ministry, an anonymous official) is
#   الجهة المصرِّحة, plural الجهات المصرِّحة: جهة is the usual word for an acting party,
#   institution or person, and is already the claimant types' word (جهة عسكرية، جهة حكومية);
#   المصرِّحة ties it to التصريحات (statements), which are what is counted per claimant. The
#   kasra under the ra keeps it apart from المصرَّح بها (what is declared or authorised).
#   Never المصدر: in Arabic news usage المصدر is both the informant and the publication.
# - source (a published item, sources.csv) stays المصدر; its outlet (sources.csv `outlet`)
#   is الوسيلة الإعلامية, not bare الوسيلة ("the means").
# - policy names (analysis.policies) are names of rules, not the bounds of an interval:
#   conservative is المتحفّظة (as in تقدير متحفّظ, a conservative estimate), not الأدنى,
#   which already labels the low bound; best is الأرجح, the same word as the best value,
#   as English uses "best" for both (the policy is the median of the best readings); upper
#   is القصوى (agreeing with السياسة), not الأعلى (the high bound) nor العليا (السياسة العليا
#   reads "high politics"). After the word السياسة in a sentence the name is set in «».
WORDS: dict[str, tuple[str, str]] = {
    "measure": ("Measure", "المقياس"),
    "figure": ("Figure", "الرقم"),
    "hedge": ("Hedge", "التحوّط"),
    "low": ("Low", "الأدنى"),
    "best": ("Best", "الأرجح"),
    "high": ("High", "الأعلى"),
    "claimant": ("Claimant", "الجهة المصرِّحة"),
    "claimant_type": ("Claimant type", "نوع الجهة المصرِّحة"),
    "when": ("Holds for", "التاريخ"),
    "published": ("Published", "تاريخ النشر"),
    "outlet": ("Outlet", "الوسيلة الإعلامية"),
    "place": ("Place", "المكان"),
    "destination": ("Destination", "الوجهة"),
    "quote": ("Words", "النص"),  # a quote, else the paraphrase, marked as one
    "hedge_words": ("Hedge's words", "كلمات التحوّط"),
    "source": ("Source", "المصدر"),
    "new_tab": ("opens in a new tab", "يُفتح في نافذة جديدة"),
    "claims": ("Claims", "الادعاءات"),
    "claimants": ("Claimants", "الجهات المصرِّحة"),
    "spread": ("Lowest–highest", "الأدنى–الأعلى"),
    "values": ("Values claimed", "القيم المذكورة"),
    "undated": ("undated", "غير مؤرّخ"),
    "transfer": ("Transfer", "النقل"),
    "moved": ("moved", "نُقل"),
    "planned": ("planned", "مخطط"),
    "governorates": ("Governorates", "المحافظات"),
    "countries": ("Countries", "الدول"),
    "places": ("Places", "الأماكن"),
    "figures_layer": ("Reported figures", "الأرقام المعلنة"),
    "date": ("Date", "التاريخ"),
    "value": ("Value", "القيمة"),
    "kind": ("Kind", "النوع"),
    "none": ("None.", "لا شيء."),
    "definition": ("Definition", "التعريف"),
    "window": ("Compared within", "نطاق المقارنة"),
    "independent": ("Independent claimants", "الجهات المصرِّحة المستقلة"),
    "statements": ("Statements", "التصريحات"),
    "copies": ("Copies", "النسخ"),
    "policy": ("Policy", "السياسة"),
    "explanation": ("How", "الطريقة"),
    # coding policies (analysis.policies): names, and how each reads the statements
    "policy_conservative": ("conservative", "المتحفّظة"),
    "policy_best": ("best", "الأرجح"),
    "policy_upper": ("upper", "القصوى"),
    "reads_conservative": ("lowest", "أدنى ما ذكرته التصريحات المستقلة"),
    "reads_best": ("median", "وسيط ما ذكرته التصريحات المستقلة"),
    "reads_upper": ("highest", "أعلى ما ذكرته التصريحات المستقلة"),
    "independent_n": ("independent statements", "عددها"),  # Arabic only: English counts them
    # policies.explain: whose older statement in a window was set aside for its newer one
    "set_aside": ("older statement set aside", "جهات مصرِّحة استُبعد تصريحها الأقدم"),
    "no_claims_known": ("no claims known by this date", "لا ادعاء معروف حتى هذا التاريخ"),
    "any_date": ("any date", "أي تاريخ"),
    "week": ("week", "الأسبوع"),
    # trend views (analysis.trends)
    "trend_unfolded": ("Transfers to Iraq, claim by claim", "المنقولون إلى العراق، ادعاءً بادعاء"),
    "trend_multiples": ("Other measures over time", "مقاييس أخرى عبر الزمن"),
    "trend_timeline": ("Who reported what, and when", "من أعلن ماذا ومتى"),
    "trend_off_chart": ("Not on the charts", "خارج الرسوم"),
    "timeline_title": ("Dated claims per claimant (all measures)",
                       "الادعاءات المؤرخة لكل جهة مصرِّحة (كل المقاييس)"),
    "transferred": ("Transferred to Iraq (cumulative)", "المنقولون إلى العراق (تراكمي)"),
    "detainees": ("Detainees", "المعتقلون"),
    "official": ("Estimate as known each day", "التقدير كما عُرف كل يوم"),
    "official_band": ("lowest–highest in that day's reports", "الأدنى–الأعلى في تقارير ذلك اليوم"),
    "plan_band": ("Planned totals claimed", "الأعداد المخطط لها"),
    "up_to": ("up to", "حتى"),
    "as_of": ("as of", "حتى تاريخ"),
    "all_reports": ("every report", "جميع التقارير"),
    "colour_key": ("Colour: who claims", "اللون: الجهة المصرِّحة"),
    "shape_key": ("Shape: what the words say", "الشكل: صيغة الرقم"),
    "kind_key": ("Colour: what kind of number", "اللون: نوع الرقم"),
    "exact_mark": ("exact figure", "رقم محدد"),
    "hedged_mark": ("hedged (about…)", "رقم تقريبي"),
    "at_least_mark": ("at least / more than", "على الأقل / أكثر من"),
    "up_to_mark": ("up to / at most / less than", "حتى / على الأكثر / أقل من"),
    "range_mark": ("low–high range", "نطاق الأدنى–الأعلى"),
    "type_military": ("military", "جهة عسكرية"),
    "type_government": ("government", "جهة حكومية"),
    "type_judiciary": ("judiciary", "القضاء"),
    "type_armed_group": ("armed group", "جماعة مسلحة"),
    "type_media": ("media (own estimate)", "وسيلة إعلام (تقديرها الخاص)"),
    "type_ngo_un": ("NGO or UN", "منظمة غير حكومية أو أممية"),
    "type_anonymous_official": ("anonymous official", "مسؤول غير مسمّى"),
    "copies_mark": ("larger: reprinted by more outlets", "أكبر: نشرته وسائل إعلامية أكثر"),
    "kind_cumulative": ("running total", "مجموع تراكمي"),
    "kind_flow": ("count for one event or period", "عدد لحدث أو فترة"),
    "kind_stock": ("population at a date", "عدد في تاريخ معيّن"),
    "kind_plan": ("plan or forecast", "خطة أو توقع"),
    # the map (analysis.maps)
    "base": ("Countries and governorates", "الدول والمحافظات"),
    "shading": ("Governorates: figures reported", "المحافظات: الأرقام المعلنة"),
    "markers": ("Places: latest figure", "الأماكن: أحدث رقم"),
    "zoom_in": ("Zoom in", "تكبير"),  # the map's buttons (Leaflet's titles, read out)
    "zoom_out": ("Zoom out", "تصغير"),
    "map_title": ("Map of the reported figures: places, governorates and the transfer to Iraq",
                  "خريطة الأرقام المعلنة: الأماكن والمحافظات والنقل إلى العراق"),
    "country_layer": ("Figures for a whole country", "أرقام عن بلد بأكمله"),
    "tiles": ("Map tiles (online)", "خريطة الأساس (عبر الإنترنت)"),
    "legend_title": ("Figures reported for places in the governorate",
                     "الأرقام المعلنة عن أماكن في المحافظة"),
    "area_only": ("dashed border: a place known only to its governorate",
                  "حدود متقطعة: مكان لا يُعرف إلا على مستوى المحافظة"),
    "marker_exact": ("filled circle: latest figure, exact", "دائرة مصمتة: أحدث رقم، دقيق"),
    "marker_hedged": ("hollow circle: latest figure, hedged", "دائرة مفرغة: أحدث رقم، بتحوّط"),
    "marker_none": ("small grey dot: no figure reported there",
                    "نقطة رمادية صغيرة: لا رقم معلن عن المكان"),
    "marker_size": ("circle area grows with the figure", "مساحة الدائرة تكبر مع الرقم"),
    "flow_moved": ("dark line: moved to Iraq", "الخط الداكن: من نُقلوا إلى العراق"),
    "flow_planned": ("pale band: planned in all", "الشريط الفاتح: العدد المخطط كله"),
    "flow_width": ("width: 2 px per 1,000 detainees", "العرض: 2 بكسل لكل 1,000 معتقل"),
    "or_more": ("{n}+", "{n} فأكثر"),  # the darkest shade's range
    "policy_name": ("policy", "السياسة"),
    "latest": ("Latest figure", "أحدث رقم"),
    "no_figure": ("no figure reported here", "لا رقم معلن عن هذا المكان"),
    "known_only": ("Known only to this governorate", "لا يُعرف إلا على مستوى المحافظة"),
    "paraphrase": ("paraphrase, not a quotation", "إعادة صياغة، لا اقتباس"),
    "chart_alt": ("A chart; the text under it gives the numbers it draws.",
                  "رسم بياني؛ النص الذي تحته يذكر الأرقام التي يرسمها."),
    "from": ("from", "من"),
    "to": ("to", "إلى"),
    "ruled_out": ("ruled out", "استُبعد"),
    "no_coords": ("no coordinates", "بلا إحداثيات"),
    "named_dest": ("destinations named", "الوجهات المذكورة"),
    "not_split": ("totals are for the whole transfer, not per destination",
                  "المجاميع للنقل كله لا لكل وجهة"),
    "n_statements": ("statements", "تصريحات"),
    "drawn_point": ("at its point", "عند نقطته"),
    "drawn_admin1": ("as its governorate", "كمحافظته"),
    "drawn_country": ("as its country", "كبلده"),
    "drawn_none": ("not drawn (listed)", "غير مرسوم (مدرج)"),
    "precision": ("Precision (UCDP)", "الدقة (UCDP)"),
    "governorate": ("Governorate", "المحافظة"),
    "matched": ("Joined by", "طريقة الربط"),
    "km_outside": ("km outside", "كم خارجها"),
    "drawn": ("Drawn", "الرسم"),
    "cutoff": ("as_of", "التاريخ المختار للتقرير"),
    "list_sep": ("; ", "؛ "),
    "no_hedge": ("none (exact)", "لا شيء (دقيق)"),  # hedge's words of an exact figure
    "words_not_kept": ("not kept", "لم تُحفظ"),
    # codes shown in tables and popups (see `code_name`): English pages show the code itself,
    # so each English side is the code; measure kinds use the kind_* words above
    "hedge_exact": ("exact", "دقيق"),
    "hedge_approx": ("approx", "تقريبي"),
    "hedge_at_least": ("at_least", "على الأقل"),
    "hedge_more_than": ("more_than", "أكثر من"),
    "hedge_at_most": ("at_most", "على الأكثر"),
    "hedge_less_than": ("less_than", "أقل من"),
    "hedge_up_to": ("up_to", "حتى"),
    "hedge_range": ("range", "نطاق"),
    "hedge_vague": ("vague", "غير محدد"),
    "place_kind_country": ("country", "دولة"),
    "place_kind_region": ("region", "منطقة"),
    "place_kind_governorate": ("governorate", "محافظة"),
    "place_kind_city": ("city", "مدينة"),
    "place_kind_town": ("town", "بلدة"),
    "place_kind_camp": ("camp", "مخيم"),
    "place_kind_prison": ("prison", "سجن"),
    "match_code": ("code", "برمز المحافظة المعطى له"),
    "match_within": ("within", "بنقطته داخل المحافظة"),
    "match_nearest": ("nearest", "بأقرب محافظة إلى نقطته"),
    "match_none": ("none", "غير مربوط"),
    # the map in words (analysis.maps.places_in_words, governorates_in_words, skip_link): what
    # the map draws, for readers who do not see it, and the link a keyboard skips it by
    "in_words": ("The map in words", "الخريطة نصّاً"),
    "skip_map": ("Skip the map: go to the map in words",
                 "تخطَّ الخريطة: انتقل إلى الخريطة نصّاً"),
    "on_map": ("On the map", "على الخريطة"),
    "in_popup": ("in the circle's popup", "في النافذة المنبثقة للدائرة"),
    "as_reported": ("As reported", "كما أُعلن"),
    "n_figures": ("Figures reported", "عدد الأرقام المعلنة"),
    "shade": ("Shade (figures)", "درجة التظليل (عدد الأرقام)"),
    "no_shade": ("not shaded", "بلا تظليل"),
    "not_read": ("Published later, not read (no date of its own, or another unit)",
                 "نُشر لاحقاً ولم يُحتسب (بلا تاريخ خاص به أو بوحدة أخرى)"),
    "published_on": ("published", "نُشر في"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise AnalysisError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def html_lang(lang: object) -> str:
    """The `dir` and `lang` attributes of an HTML element written in `lang` (a page's, or a
    source's: the code is data, so escaped): a page mixes right-to-left Arabic with
    left-to-right code and numbers, so each element says its own."""
    import html

    code = html.escape(str(lang))
    return f'dir="{"rtl" if code in WRITTEN_RTL else "ltr"}" lang="{code}"'


def word(key: str, lang: str = "en") -> str:
    en, ar = WORDS[key]
    return ar if lang == "ar" else en


def code_name(group: str, code: T, lang: str = "en") -> T | str:
    """A code (hedge, measure kind, place kind, how a place was joined) for the reader.

    English pages show the code itself, unchanged (it is also what the data and the README
    call it); Arabic pages its word, `WORDS[f"{group}_{code}"]`. A code without a word, or
    a missing value, is returned as it is, so it is still escaped and shown like any data.
    """
    if lang != "ar" or not isinstance(code, str) or f"{group}_{code}" not in WORDS:
        return code
    return word(f"{group}_{code}", lang)


def policy_name(policy: str, lang: str = "en") -> str:
    """A coding policy's name for the reader: its id in English, its Arabic name in Arabic."""
    return word(f"policy_{policy}", lang)


def policy_phrase(policy: str, lang: str = "en") -> str:
    """'policy best' / 'السياسة «الأرجح»': in Arabic the «» mark the name as a name, since
    an adjective after السياسة would otherwise read as describing it."""
    name = policy_name(policy, lang)
    return f"{word('policy_name', lang)} {f'«{name}»' if lang == 'ar' else name}"


def join(items: Iterable[object], lang: str = "en") -> str:
    """A list in running text: the Arabic comma (،) in Arabic."""
    return ("، " if lang == "ar" else ", ").join(str(i) for i in items)


def number(value: object) -> str:
    """7000 → '7,000'; missing → ''."""
    import pandas as pd  # here, not at the top: the runner reads LANGS without pandas

    if value is None or pd.isna(value):
        return ""
    return f"{int(round(float(value))):,}"


# The words after a number for units that count something other than people (see
# schema.counted): English plural; Arabic plural after 3–10, accusative singular after 11–99,
# genitive singular otherwise (read from the number's last two digits).
UNIT_NOUNS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "families": ("families", ("عائلات", "عائلةً", "عائلة")),
    "facilities": ("facilities", ("مرافق", "مرفقاً", "مرفق")),
}


def span(low: object, high: object) -> str:
    """'5,500–7,000'; one number when both ends agree ('5,704', not '5,704–5,704'); '' when
    there is none."""
    lo, hi = number(low), number(high)
    return lo if lo == hi else f"{lo}–{hi}" if lo and hi else lo or hi


def unit_noun(unit: object, n: object, lang: str = "en") -> str:
    """The noun after `n` (a number, or its digits as text) for a unit that is not people
    ('' for units of people and for no number: the measure already names who is counted)."""
    from analysis.schema import counted

    nouns = UNIT_NOUNS.get(counted(unit))
    if nouns is None or number(n) == "":
        return ""
    return nouns[1][_arabic_form(int(float(n)))] if lang == "ar" else nouns[0]  # type: ignore[arg-type]


def _arabic_form(n: int) -> int:
    """Which form an Arabic counted noun takes after `n`: 0 the plural (3–10), 1 the
    accusative singular (11–99), 2 the genitive singular (100, 101, 102…), by its last two
    digits. 1 and 2 have their own words, which callers that can write them do."""
    last = n % 100
    return 0 if 3 <= last <= 10 else 1 if last >= 11 else 2


def figures_count(n: int, lang: str = "en") -> str:
    """'1 figure', '39 figures'; in Arabic the noun agrees with the number ('رقمان', '3 أرقام',
    '39 رقماً'; a popup said '2 رقماً' and '0 رقماً')."""
    if lang != "ar":
        return f"{n} figure" if n == 1 else f"{n} figures"
    if n == 0:
        return "لا أرقام"
    if n in (1, 2):
        return "رقم واحد" if n == 1 else "رقمان"
    return f"{n} {('أرقام', 'رقماً', 'رقم')[_arabic_form(n)]}"


def format_value(low: object, best: object, high: object, hedge: str, lang: str = "en",
                 unit: object = None) -> str:
    """A figure as a reader says it, keeping its hedge: 'up to 7,000', 'about 10,000';
    with its unit when it counts no people: 'more than 2,600 families'."""
    lo, be, hi = number(low), number(best), number(high)
    ar = lang == "ar"

    def u(text: str) -> str:  # a formatted number and its unit's noun, if any
        noun = unit_noun(unit, text.replace(",", ""), lang) if text else ""
        return f"{text} {noun}" if noun else text

    if hedge == "exact":
        text = u(be or lo or hi)
    elif hedge == "approx":
        text = f"نحو {u(be)}" if ar else f"about {u(be)}"
    elif hedge == "at_least":
        text = f"{u(lo)} على الأقل" if ar else f"at least {u(lo)}"
    elif hedge == "more_than":
        text = f"أكثر من {u(lo)}" if ar else f"more than {u(lo)}"
    elif hedge == "less_than":
        text = f"أقل من {u(hi)}" if ar else f"less than {u(hi)}"
    elif hedge in ("at_most", "up_to"):
        text = (f"حتى {u(hi)}" if hedge == "up_to" else f"{u(hi)} على الأكثر") if ar else \
            f"{'up to' if hedge == 'up_to' else 'at most'} {u(hi)}"
    elif hedge == "range":
        text = f"بين {lo} و{u(hi)}" if ar else f"{lo}–{u(hi)}"
    else:  # vague: show whichever bounds exist, never a made-up best
        parts = [p for p in (f"≥ {lo}" if lo else "", f"≤ {hi}" if hi else "") if p]
        text = ("غير محدد " if ar else "vague ") + " ".join(parts)
    if be and hedge not in ("exact", "approx"):
        text += f" (الأرجح {be})" if ar else f" (best {be})"
    return text.strip()


def format_when(as_of: object, start: object, end: object, lang: str = "en") -> str:
    """'2026-01-21', 'in 2025', '2025-07-01 – 2025-12-31' or 'undated'."""
    import pandas as pd

    if pd.notna(as_of):
        return pd.Timestamp(as_of).strftime("%Y-%m-%d")
    if pd.notna(start) and pd.notna(end):
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        if s.year == e.year and (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
            return f"خلال {s.year}" if lang == "ar" else f"in {s.year}"
        return f"{s:%Y-%m-%d} – {e:%Y-%m-%d}"
    return word("undated", lang)
