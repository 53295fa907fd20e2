"""Ledger views used by the figures notebook: headline figures, the ledger, claims per measure."""

from __future__ import annotations

import pandas as pd

from analysis import escape, i18n
from analysis.i18n import word

SEED_SOURCE = "alsumaria-2026-01-22-daesh-transfer"


def _label(row: pd.Series, lang: str) -> str:
    return row["measure_label_ar"] if lang == "ar" else row["measure_label_en"]


LEDGER_COLUMNS = ("measure", "figure", "hedge", "low", "best", "high", "claimant", "when",
                  "place", "outlet", "published", "quote")


def ledger(figures: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per claim, in the reader's words: figure with hedge, bounds, who, when, quote."""
    i18n.check_lang(lang)
    rows = []
    for _, r in figures.iterrows():
        rows.append({
            word("measure", lang): _label(r, lang),
            word("figure", lang): i18n.format_value(r["value_low"], r["value_best"],
                                                    r["value_high"], r["hedge"], lang),
            word("hedge", lang): r["hedge"],
            word("low", lang): i18n.number(r["value_low"]),
            word("best", lang): i18n.number(r["value_best"]),
            word("high", lang): i18n.number(r["value_high"]),
            word("claimant", lang): r["claimant"],
            word("when", lang): i18n.format_when(r["as_of"], r["period_start"],
                                                 r["period_end"], lang),
            word("place", lang): r["place_name_ar"] if lang == "ar" else r["place_name_en"],
            word("outlet", lang): r["outlet"],
            word("published", lang): i18n.format_when(r["published"], None, None, lang),
            word("quote", lang): r["quote"],
            "_url": r["url"],
            "_quote_lang": r["language"],
        })
    columns = [word(k, lang) for k in LEDGER_COLUMNS] + ["_url", "_quote_lang"]
    return pd.DataFrame(rows, columns=columns)


def headline(figures: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The seed article's figures (150 moved, up to 7,000 expected, …) with their uncertainty."""
    seed = figures[figures["source_id"] == SEED_SOURCE].sort_values("figure_id")
    view = ledger(seed, lang)
    drop = [word("outlet", lang), word("published", lang)]
    return view.drop(columns=drop)


def claims_by_measure(figures: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per measure: how many claims and claimants, the lowest and highest bound, each value.

    Values are listed side by side, never averaged.
    """
    rows = []
    for _, group in figures.groupby("measure", sort=True):
        bounds = pd.concat([group["value_low"], group["value_best"], group["value_high"]])
        bounds = bounds.dropna()
        first = group.iloc[0]
        values = [
            f"{i18n.format_value(r.value_low, r.value_best, r.value_high, r.hedge, lang)} "
            f"({r.claimant}, {i18n.format_when(r.as_of, r.period_start, r.period_end, lang)})"
            for r in group.sort_values("figure_id").itertuples()
        ]
        rows.append({
            word("measure", lang): _label(first, lang),
            word("claims", lang): len(group),
            word("claimants", lang): group["claimant"].nunique(),
            word("spread", lang): (f"{i18n.number(bounds.min())}–{i18n.number(bounds.max())}"
                                   if len(bounds) else ""),
            word("values", lang): "; ".join(values),
        })
    columns = [word(k, lang) for k in ("measure", "claims", "claimants", "spread", "values")]
    return pd.DataFrame(rows, columns=columns)


def to_html(frame: pd.DataFrame, lang: str = "en") -> str:
    """An escaped HTML table; quotes keep their own direction, URLs link only if http(s)."""
    i18n.check_lang(lang)
    visible = [c for c in frame.columns if not str(c).startswith("_")]
    quote_col = word("quote", lang)
    head = "".join(f"<th>{escape.text(c)}</th>" for c in visible)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for c in visible:
            value = escape.text(row[c])
            if c == quote_col:
                qlang = escape.text(row.get("_quote_lang", "ar"))
                qdir = "rtl" if qlang in ("ar", "fa", "ku") else "ltr"
                value = f'<span dir="{qdir}" lang="{qlang}">{value}</span>'
                if "_url" in row:
                    value += " " + escape.link(row["_url"], "↗")
            cells.append(f"<td>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    direction = "rtl" if lang == "ar" else "ltr"
    return (f'<table class="ledger" dir="{direction}" lang="{lang}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def banner(figures: pd.DataFrame, as_of: object, lang: str = "en") -> str:
    """The line under each report's title: data version, as_of date, number of claims."""
    from analysis.ledger import load_manifest

    i18n.check_lang(lang)
    version = load_manifest()["data_version"]
    cutoff = i18n.format_when(as_of, None, None, lang) if as_of else "—"
    if lang == "ar":
        text = (f"إصدار البيانات {version} · التقارير المنشورة حتى {cutoff} · "
                f"{len(figures)} رقماً")
    else:
        text = (f"Data version {version} · reports published on or before {cutoff} · "
                f"{len(figures)} figures")
    direction = "rtl" if lang == "ar" else "ltr"
    return f'<p class="banner" dir="{direction}" lang="{lang}">{escape.text(text)}</p>'
