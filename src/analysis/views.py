"""Ledger views used by the figures notebook: headline figures, the ledger, claims per measure."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from analysis import escape, i18n
from analysis.i18n import word
from analysis.schema import ARABIC_LETTER

SEED_SOURCE = "alsumaria-2026-01-22-daesh-transfer"


def _label(row: pd.Series, lang: str) -> str:
    return row["measure_label_ar"] if lang == "ar" else row["measure_label_en"]


# What `to_html` reads besides the shown columns: the link, the quote's language, the outlet
# (to name the link) and the paraphrase (shown, marked, where no quote is stored).
HIDDEN = ["_url", "_quote_lang", "_outlet", "_paraphrase"]
LEDGER_COLUMNS = ("measure", "figure", "hedge", "low", "best", "high", "claimant", "when",
                  "place", "outlet", "published", "quote")


def ledger(figures: pd.DataFrame, lang: str = "en",
           names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per claim, in the reader's words: figure with hedge, bounds, who, when, quote.

    Claimants are named from `names` (default `analysis.ledger.claimant_names(lang)`: the
    Arabic names in claimants.csv, none in English), else by their id.
    """
    from analysis.ledger import claimant_name, names_for

    i18n.check_lang(lang)
    names = names_for(lang, names)
    rows = []
    for _, r in figures.iterrows():
        rows.append({
            word("measure", lang): _label(r, lang),
            word("figure", lang): i18n.format_value(r["value_low"], r["value_best"],
                                                    r["value_high"], r["hedge"], lang,
                                                    r.get("unit")),
            word("hedge", lang): i18n.code_name("hedge", r["hedge"], lang),
            word("low", lang): i18n.number(r["value_low"]),
            word("best", lang): i18n.number(r["value_best"]),
            word("high", lang): i18n.number(r["value_high"]),
            word("claimant", lang): claimant_name(r["claimant"], names),
            word("when", lang): i18n.format_when(r["as_of"], r["period_start"],
                                                 r["period_end"], lang),
            word("place", lang): r["place_name_ar"] if lang == "ar" else r["place_name_en"],
            word("outlet", lang): r["outlet"],
            word("published", lang): i18n.format_when(r["published"], None, None, lang),
            word("quote", lang): r["quote"],
            "_url": r["url"],
            "_quote_lang": r["language"],
            "_outlet": r["outlet"],
            "_paraphrase": r.get("paraphrase"),
        })
    columns = [word(k, lang) for k in LEDGER_COLUMNS] + HIDDEN
    return pd.DataFrame(rows, columns=columns)


def headline(figures: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The seed article's figures (150 moved, up to 7,000 expected, …) with their uncertainty."""
    seed = figures[figures["source_id"] == SEED_SOURCE].sort_values("figure_id")
    view = ledger(seed, lang)
    drop = [word("outlet", lang), word("published", lang)]
    return view.drop(columns=drop)


_ARABIC = re.compile(ARABIC_LETTER)
_LATIN = re.compile("[A-Za-z]")


def written_in(value: object) -> str | None:
    """The language a cell's text is written in, when its letters are of one script only:
    Arabic letters "ar", Latin letters "en" (the ledger's Latin text is English, outlets'
    names aside); None for text of both scripts, or without letters (numbers, dates)."""
    if not isinstance(value, str):
        return None
    arabic, latin = bool(_ARABIC.search(value)), bool(_LATIN.search(value))
    return "ar" if arabic and not latin else "en" if latin and not arabic else None


def _words(row: pd.Series, quote: object, lang: str) -> str:
    """A claim's words: the quote in its own language, else the English paraphrase marked as
    one (a block, set left to right in an Arabic cell too); then the link to the source."""
    if pd.isna(quote) and pd.notna(row.get("_paraphrase")):
        value = (f"<em>{escape.text(word('paraphrase', lang))}:</em>"
                 f"<div {i18n.html_lang('en')}>{escape.prose(row['_paraphrase'])}</div>")
    else:
        value = f'<span {i18n.html_lang(row.get("_quote_lang", "ar"))}>{escape.prose(quote)}</span>'
    if "_url" in row:  # an arrow to see, the outlet's name to hear
        name = i18n.join([v for v in (word("source", lang), row.get("_outlet"),
                                      word("new_tab", lang)) if pd.notna(v) and v != ""], lang)
        value += " " + escape.link(row["_url"], "↗", name=name)
    return value


def to_html(frame: pd.DataFrame, lang: str = "en") -> str:
    """An escaped HTML table; quotes keep their own language and direction (where no text is
    stored, the English paraphrase stands in, marked as one), URLs link only if http(s)."""
    i18n.check_lang(lang)
    if frame.empty:
        return f'<p class="empty" lang="{lang}"><em>{escape.text(word("none", lang))}</em></p>'
    visible = [c for c in frame.columns if not str(c).startswith("_")]
    quote_col = word("quote", lang)
    head = "".join(f"<th>{escape.text(c)}</th>" for c in visible)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for c in visible:
            value = _words(row, row[c], lang) if c == quote_col else escape.prose(row[c])
            other = written_in(row[c]) if c != quote_col else None
            if other and other != lang:  # "over" on an Arabic page, "أكثر من" on an English one
                value = f"<span {i18n.html_lang(other)}>{value}</span>"
            cells.append(f'<td class="words">{value}</td>' if c == quote_col else
                         f"<td>{value}</td>")  # the words get room (templates/offline)
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="ledger" {i18n.html_lang(lang)}>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def banner(figures: pd.DataFrame, as_of: object, lang: str = "en") -> str:
    """The line under each report's title: data version, as_of date, number of claims, and
    how many figures the page leaves out, later or undated (the notebooks' default as_of is a
    date)."""
    from analysis.manifest import load_manifest

    i18n.check_lang(lang)
    version = load_manifest()["data_version"]
    cutoff = i18n.format_when(as_of, None, None, lang) if as_of else "—"
    if lang == "ar":
        text = (f"إصدار البيانات {version} · التقارير المنشورة حتى {cutoff} · "
                f"{i18n.figures_count(len(figures), 'ar')}")
    else:
        text = (f"Data version {version} · reports published on or before {cutoff} · "
                f"{i18n.figures_count(len(figures))}")
    later, undated = _left_out(as_of)
    if later:  # a page for an earlier date is not the latest: say so where it is read first
        text += (f" · لا يُحتسب هنا {later} من الأرقام نُشرت بعد {cutoff}" if lang == "ar" else
                 f" · {i18n.figures_count(later)} published after {cutoff} "
                 f"{'is' if later == 1 else 'are'} not counted here")
    if undated:  # nor can a figure whose source has no date be shown to precede the cutoff
        text += (f" · ويُستبعد {undated} من الأرقام لأن مصادرها بلا تاريخ نشر" if lang == "ar"
                 else f" · {i18n.figures_count(undated)} from sources without a publication "
                 f"date {'is' if undated == 1 else 'are'} left out")
    return f'<p class="banner" {i18n.html_lang(lang)}>{escape.prose(text)}</p>'


def _left_out(as_of: object) -> tuple[int, int]:
    """How many figures of the whole ledger a page for `as_of` leaves out: published after it,
    and from sources without a publication date (none without an as_of)."""
    from analysis.ledger import cutoff, load_figures

    when = cutoff(as_of)
    if when is None:
        return 0, 0
    published = load_figures()["published"]
    return int((published > when).sum()), int(published.isna().sum())


def measures_table(figures: pd.DataFrame, lang: str = "en",
                   measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The measures with their kind, definition and how many claims each has, in the reader's
    language: label_ar and definition_ar on Arabic pages, label_en and definition on English
    ones. `measures` defaults to `analysis.load_measures()` (a test passes its own)."""
    from analysis.ledger import load_measures

    i18n.check_lang(lang)
    measures = load_measures() if measures is None else measures
    counts = figures["measure"].value_counts()
    ar = lang == "ar"
    return pd.DataFrame({
        word("measure", lang): measures["label_ar" if ar else "label_en"],
        word("kind", lang): measures["kind"].map(lambda k: i18n.code_name("kind", k, lang)),
        word("definition", lang): measures["definition_ar" if ar else "definition"],
        word("claims", lang): [int(counts.get(m, 0)) for m in measures["measure"]],
    })


def contradictions_table(contra: pd.DataFrame, lang: str = "en",
                         names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`analysis.contradictions()` for reading: one row per competing value, its figure and
    claimants in the reader's words (claimants named as in `ledger`)."""
    i18n.check_lang(lang)
    from analysis.compare import value_text, window_label
    from analysis.ledger import claimant_name, measure_labels, names_for

    labels = measure_labels(lang)
    names = names_for(lang, names)
    sep = word("list_sep", lang)
    return pd.DataFrame({
        word("measure", lang): [labels.get(m, m) for m in contra["measure"]],
        word("window", lang): [window_label(w, lang) for w in contra["window"]],
        word("figure", lang): [value_text(r, lang) for _, r in contra.iterrows()],
        word("claimants", lang): [sep.join(claimant_name(c, names) for c in ids)
                                  for ids in contra["claimant_ids"]],
        word("independent", lang): contra["independent_claimants"],
        word("statements", lang): contra["statements"],
        word("copies", lang): contra["copies"],
        word("spread", lang): [i18n.span(a, b)
                               for a, b in zip(contra["spread_min"], contra["spread_max"],
                                               strict=True)],
    })


COPIES_COLUMNS = ("measure", "claimant", "when", "figure", "hedge_words", "outlet", "published",
                  "quote")


def copies_table(copies: pd.DataFrame, lang: str = "en",
                 names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`analysis.copies_that_differ()` for reading: each statement's copies on adjacent rows,
    the figure as each outlet printed it, with its words and a link to it. Most copies are
    not stored as text: the hedge's words as printed, and the paraphrase, say what each
    printed."""
    view = ledger(copies, lang, names)
    # said, not left blank (a screen reader read the empty cell "blank"): an exact figure has
    # no hedge to quote; a hedged one whose words were not kept says so
    none = [word("no_hedge" if hedge == "exact" else "words_not_kept", lang)
            for hedge in copies["hedge"]]
    view[word("hedge_words", lang)] = copies["qualifier_words"].fillna(
        pd.Series(none, index=copies.index)).tolist()
    return view[[word(k, lang) for k in COPIES_COLUMNS] + HIDDEN]


def sensitivity_table(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """`analysis.sensitivity()` for reading: the estimate under each policy.

    Pass the table made with the same `lang` (`sensitivity(..., lang=lang)`): its explanations
    are shown as they are; the policy ids are named here.
    """
    i18n.check_lang(lang)
    return pd.DataFrame({
        word("policy", lang): [i18n.policy_name(p, lang) for p in table["policy"]],
        word("value", lang): [i18n.number(v) for v in table["value"]],
        word("spread", lang): [i18n.span(a, b)
                               for a, b in zip(table["low"], table["high"], strict=True)],
        word("statements", lang): table["statements"],
        word("explanation", lang): table["explanation"],
    })


def measure_label(measure: str, lang: str = "en") -> str:
    from analysis.ledger import measure_labels

    return measure_labels(lang).get(measure, measure)


KEY_MEASURES = ("transferred_to_iraq", "planned_transfer_total", "held_by_sdf")


def estimates_html(as_of: object, policy: str, lang: str = "en",
                   measures: tuple[str, ...] = KEY_MEASURES) -> str:
    """For each key measure: the policy's number as a heading, then every policy side by side."""
    from analysis.ledger import claimant_names, load_figures
    from analysis.policies import check_policy, estimate, sensitivity

    check_policy(policy)
    i18n.check_lang(lang)
    names = claimant_names(lang)  # read once for every explanation
    figures = load_figures(as_of=as_of)  # once for every measure and policy
    parts = []
    for measure in measures:
        e = estimate(measure, as_of, policy, figures)
        value = i18n.number(e.value) or ("لا ادعاء" if lang == "ar" else "no claim")
        interval = f" [{i18n.span(e.low, e.high)}]" if e.low is not None and e.low != e.high \
            else ""
        parts.append(f"<h3 {i18n.html_lang(lang)}>{escape.text(measure_label(measure, lang))}: "
                     f"{escape.text(value)}"
                     f"{escape.prose(interval)} "
                     f"<small>({escape.text(i18n.policy_name(policy, lang))})</small></h3>")
        table = sensitivity(measure, as_of, figures, lang=lang, names=names)
        parts.append(to_html(sensitivity_table(table, lang), lang))
    return "\n".join(parts)
