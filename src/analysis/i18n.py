"""Interface words in English and Arabic, and the formatting of figures with their hedges."""

from __future__ import annotations

import pandas as pd

from analysis.errors import AnalysisError

LANGS = ("en", "ar")

WORDS: dict[str, tuple[str, str]] = {
    "measure": ("Measure", "المقياس"),
    "figure": ("Figure", "الرقم"),
    "hedge": ("Hedge", "التحوّط"),
    "low": ("Low", "الأدنى"),
    "best": ("Best", "الأرجح"),
    "high": ("High", "الأعلى"),
    "claimant": ("Claimant", "المصدر المنسوب إليه"),
    "claimant_type": ("Claimant type", "نوع المصدر"),
    "when": ("Holds for", "التاريخ"),
    "published": ("Published", "تاريخ النشر"),
    "outlet": ("Outlet", "الوسيلة"),
    "place": ("Place", "المكان"),
    "destination": ("Destination", "الوجهة"),
    "quote": ("Quote", "النص"),
    "source": ("Source", "المصدر"),
    "claims": ("Claims", "الادعاءات"),
    "claimants": ("Claimants", "المصادر"),
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
    "independent": ("Independent claimants", "مصادر مستقلة"),
    "statements": ("Statements", "التصريحات"),
    "copies": ("Copies", "النسخ"),
    "policy": ("Policy", "السياسة"),
    "explanation": ("How", "الطريقة"),
}

HEDGE_WORDS: dict[str, tuple[str, str]] = {
    "exact": ("", ""),
    "approx": ("about", "نحو"),
    "at_least": ("at least", "على الأقل"),
    "at_most": ("at most", "على الأكثر"),
    "up_to": ("up to", "حتى"),
    "range": ("between", "بين"),
    "vague": ("vaguely", "تقريباً"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise AnalysisError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def word(key: str, lang: str = "en") -> str:
    en, ar = WORDS[key]
    return ar if lang == "ar" else en


def number(value: object) -> str:
    """7000 → '7,000'; missing → ''."""
    if value is None or pd.isna(value):
        return ""
    return f"{int(round(float(value))):,}"


def format_value(low: object, best: object, high: object, hedge: str, lang: str = "en") -> str:
    """A figure as a reader says it, keeping its hedge: 'up to 7,000', 'about 10,000'."""
    lo, be, hi = number(low), number(best), number(high)
    ar = lang == "ar"
    if hedge == "exact":
        text = be or lo or hi
    elif hedge == "approx":
        text = f"نحو {be}" if ar else f"about {be}"
    elif hedge == "at_least":
        text = f"{lo} على الأقل" if ar else f"at least {lo}"
    elif hedge in ("at_most", "up_to"):
        text = (f"حتى {hi}" if hedge == "up_to" else f"{hi} على الأكثر") if ar else \
            f"{'up to' if hedge == 'up_to' else 'at most'} {hi}"
    elif hedge == "range":
        text = f"بين {lo} و{hi}" if ar else f"{lo}–{hi}"
    else:  # vague: show whichever bounds exist, never a made-up best
        parts = [p for p in (f"≥ {lo}" if lo else "", f"≤ {hi}" if hi else "") if p]
        text = ("غير محدد " if ar else "vague ") + " ".join(parts)
    if be and hedge in ("range", "at_least", "at_most", "up_to", "vague"):
        text += f" (الأرجح {be})" if ar else f" (best {be})"
    return text.strip()


def format_when(as_of: object, start: object, end: object, lang: str = "en") -> str:
    """'2026-01-21', 'in 2025', '2025-07-01 – 2025-12-31' or 'undated'."""
    if pd.notna(as_of):
        return pd.Timestamp(as_of).strftime("%Y-%m-%d")
    if pd.notna(start) and pd.notna(end):
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        if s.year == e.year and (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
            return f"خلال {s.year}" if lang == "ar" else f"in {s.year}"
        return f"{s:%Y-%m-%d} – {e:%Y-%m-%d}"
    return word("undated", lang)
