"""Claims for a measure, and where claimants contradict each other.

Claims are compared within a *window*, chosen by what the measure counts:

- cumulative (a running total changes daily): claims published on the same day;
- stock (a population changes slowly): claims published in the same ISO week;
  for both, a claim whose own date (as_of, else the end of its period) is older than its
  publication by more than STALE_AFTER is compared at that own date instead: a report
  repeating last week's total, or a 2019 peak, does not compete with today's counts;
- flow (a count over a period): claims covering the same period (or the same as_of day);
- plan (a target for the whole operation): every claim, whenever made.

Within a window each distinct value is one row, with how many *independent* claimants back it:
copies of one statement in several outlets count once, and so do several statements of one
claimant. Nothing is averaged. A figure in families (or facilities) competes only with figures
in the same unit, never with counts of people (`schema.counted`).

Copies of one statement are one voice there, but they do not always agree: an outlet prints
2,225 where another prints 2,250, or "about 7,000" for "up to 7,000". `copies_that_differ`
lists them side by side, whenever they were published: which copy is right is the reader's
question, and it is not settled by a vote.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import i18n, schema

UNDATED = "undated"
ANY_DATE = "any date"
WEEK = "week "
STALE_AFTER = {"cumulative": pd.Timedelta(days=2), "stock": pd.Timedelta(days=183)}


def _figures(figures: pd.DataFrame | None, as_of: object) -> pd.DataFrame:
    from analysis.ledger import cutoff, load_figures

    if figures is None:
        return load_figures(as_of=as_of)
    when = cutoff(as_of)
    if when is None:
        return figures
    return figures[figures["published"].notna() & (figures["published"] <= when)]


def claims(measure: str, as_of: object = None, figures: pd.DataFrame | None = None) \
        -> pd.DataFrame:
    """Every claim for `measure` known by `as_of` (published on or before it), newest first."""
    from analysis.ledger import check_measure

    check_measure(measure, figures)
    data = _figures(figures, as_of)
    data = data[data["measure"] == measure]
    columns = ["figure_id", "published", "as_of", "period_start", "period_end", "claimant",
               "claimant_type", "outlet", "statement_id", "hedge", "value_low", "value_best",
               "value_high"]
    out = data.sort_values(["published", "as_of", "figure_id"], ascending=[False, False, True],
                           na_position="last")
    return out[columns].reset_index(drop=True)


def plain(data: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """The rows as dicts of the given columns (those present), None where a value is missing:
    row-wise logic (`window`, `value_text`) on these costs a tenth of a pandas row-wise apply."""
    data = data[[c for c in columns if c in data.columns]]
    return data.astype(object).where(data.notna(), None).to_dict("records")


def own_date(claim: Mapping) -> pd.Timestamp | None:
    """The date a claim holds for by its own words: its as_of, else the end of its period;
    None when only its publication dates it. A row, or a plain record (`policies.records`)."""
    for key in ("as_of", "period_end"):
        if pd.notna(claim[key]):
            return claim[key]
    return None


def own_dates(frame: pd.DataFrame) -> pd.Series:
    """`own_date` of each row (NaT where a row has none)."""
    return frame["as_of"].fillna(frame["period_end"])


def window(row: pd.Series) -> str:
    """The comparison window of one claim (see the module docstring)."""
    kind = row["measure_kind"]
    published = row["published"]
    if kind == "plan":
        return ANY_DATE
    if kind == "flow":
        if pd.notna(row["period_start"]):
            return f"{row['period_start']:%Y-%m-%d} – {row['period_end']:%Y-%m-%d}"
        if pd.notna(row["as_of"]):
            return f"{row['as_of']:%Y-%m-%d}"
        return UNDATED
    own = own_date(row)
    if pd.isna(published) and pd.isna(own):
        return UNDATED
    if pd.isna(published) or (pd.notna(own) and kind in STALE_AFTER
                              and published - own > STALE_AFTER[kind]):
        if pd.isna(row["as_of"]) and pd.notna(row["period_start"]):
            return f"{row['period_start']:%Y-%m-%d} – {row['period_end']:%Y-%m-%d}"
        when = own
    else:
        when = published
    if kind == "stock":
        year, week, _ = pd.Timestamp(when).isocalendar()
        return f"{WEEK}{year}-W{week:02d}"
    return f"{when:%Y-%m-%d}"


def window_label(win: str | None, lang: str = "en") -> str:
    """A window for the reader: as `window` names it in English (it is also an id), in
    Arabic with its words translated and its dates kept."""
    if win is None or lang != "ar":
        return "" if win is None else win
    if win == ANY_DATE:
        return i18n.word("any_date", lang)
    if win == UNDATED:
        return i18n.word("undated", lang)
    if win.startswith(WEEK):
        return f"{i18n.word('week', lang)} {win.removeprefix(WEEK)}"
    return win


def value_text(row: pd.Series, lang: str = "en") -> str:
    """A claim's (or a contradictions row's) figure with its hedge, via `i18n.format_value`:
    the English text is also the key contradictions group values by."""
    return i18n.format_value(row["value_low"], row["value_best"], row["value_high"],
                             row["hedge"], lang, row.get("unit"))


def point(row: pd.Series) -> float | None:
    """The single number a claim states: best, else its one bound, else the middle of a range."""
    lo, best, hi = row["value_low"], row["value_best"], row["value_high"]
    if pd.notna(best):
        return float(best)
    if pd.notna(lo) and pd.notna(hi):
        return (float(lo) + float(hi)) / 2
    for v in (lo, hi):
        if pd.notna(v):
            return float(v)
    return None


def copies_that_differ(as_of: object = None, figures: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Copies of one statement that give one measure differently: every copy, side by side.

    Copies are the figures with the same `statement_id` and `measure`, holding for the same
    date or period (`as_of`, `period_start`, `period_end`: one statement may give a number for
    today and another for a past year) and counting the same unit (`schema.counted`: 150
    detainees and 150 fighters are the same count). They differ when their low, best, high or
    hedge do. The ledger's rows (all its columns) are returned, by statement, measure,
    publication and figure id.
    """
    data = _figures(figures, as_of)
    units = data["unit"] if "unit" in data.columns else [None] * len(data)
    keys = [data[c] for c in ("statement_id", "measure", "as_of", "period_start", "period_end")]
    keys.append(pd.Series([schema.counted(u) for u in units], index=data.index))
    reading = pd.Series([repr(tuple(r.values())) for r in plain(
        data, ("value_low", "value_best", "value_high", "hedge"))], index=data.index)
    keep = reading.groupby(keys, dropna=False).transform("nunique") > 1
    out = data[keep].sort_values(["statement_id", "measure", "published", "figure_id"],
                                 na_position="last")
    return out.reset_index(drop=True)


def contradictions(as_of: object = None, figures: pd.DataFrame | None = None,
                   include_agreement: bool = False) -> pd.DataFrame:
    """Competing claims side by side, per measure and window, with their spread.

    One row per distinct value in a window where at least two values compete (all windows
    with `include_agreement`); only figures of the same counted `unit` compete (schema.counted:
    4,000 families and 20,000 people are two answers to two questions). `independent_claimants`
    counts distinct claimants backing the value; `statements` and `copies` say how often it
    was stated and reprinted. `claimants` joins their ids for reading; `claimant_ids` keeps
    them apart, to be named in Arabic.
    """
    data = _figures(figures, as_of)
    # Only what is compared and shown: grouping slices every column of every group.
    data = data[["measure", "measure_kind", "published", "as_of", "period_start", "period_end",
                 "value_low", "value_best", "value_high", "hedge", "claimant", "statement_id",
                 "outlet", *(["unit"] if "unit" in data.columns else [])]].copy()
    columns = ["measure", "window", "unit", "value", "hedge", "value_low", "value_best",
               "value_high",
               "claimants", "claimant_ids", "independent_claimants", "statements", "copies",
               "outlets", "spread_min", "spread_max", "values_in_window"]
    if data.empty:
        return pd.DataFrame(columns=columns)
    rows_ = plain(data, ("measure_kind", "published", "as_of", "period_start", "period_end",
                         "value_low", "value_best", "value_high", "hedge", "unit"))
    data["window"] = [window(r) for r in rows_]
    data["unit"] = [schema.counted(r.get("unit")) for r in rows_]  # families never meet people
    data["value"] = [value_text(r) for r in rows_]
    data["_lo"] = data[["value_low", "value_best", "value_high"]].min(axis=1)
    data["_hi"] = data[["value_low", "value_best", "value_high"]].max(axis=1)
    rows = []
    for (measure, win, unit), group in data.groupby(["measure", "window", "unit"], sort=True):
        values = group.groupby(["value", "hedge"], sort=False, dropna=False)
        if values.ngroups < 2 and not include_agreement:
            continue
        for (value, hedge), claims_ in values:
            first = claims_.iloc[0]
            rows.append({
                "measure": measure,
                "window": win,
                "unit": unit,
                "value": value,
                "hedge": hedge,
                "value_low": first["value_low"],
                "value_best": first["value_best"],
                "value_high": first["value_high"],
                "claimants": "; ".join(sorted(claims_["claimant"].unique())),
                "claimant_ids": tuple(sorted(claims_["claimant"].unique())),
                "independent_claimants": claims_["claimant"].nunique(),
                "statements": claims_["statement_id"].nunique(),
                "copies": len(claims_),
                "outlets": "; ".join(sorted(claims_["outlet"].unique())),
                "spread_min": group["_lo"].min(),
                "spread_max": group["_hi"].max(),
                "values_in_window": values.ngroups,
            })
    out = pd.DataFrame(rows, columns=columns)
    for col in ("value_low", "value_best", "value_high", "spread_min", "spread_max"):
        out[col] = out[col].astype("Int64")
    order = out.assign(_p=[point(r) for _, r in out.iterrows()])
    order = order.sort_values(["measure", "window", "_p", "value"], kind="stable")
    return order.drop(columns="_p").reset_index(drop=True)
