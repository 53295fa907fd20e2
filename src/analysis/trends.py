"""The transfer as it unfolded: tidy series per measure and claimant, captions, charts.

Semantics kept from the ledger:

- a claim is drawn at the date it holds for (`as_of`, else the end of the period it covers);
  a claim with neither is *undated*: listed beside the charts, never placed at a guessed date;
- copies of one statement in several outlets are one point (`copies` says how many), so a
  re-reported running total is never counted twice;
- a cumulative measure is a running total: values are compared, never added up; a flow
  (a batch, an escape) is a count for one event or period and never becomes a total;
- the *official* series is the coding policy's estimate (`analysis.estimate`) as it stood
  after each report date, so a step down means a later report contradicted an earlier one.

Callers pass figures already cut at `as_of` (`analysis.load_figures(as_of=...)`): every
function here only sees what was knowable then. Charts are PNG bytes with fixed metadata,
drawn on a bare `Figure` (never pyplot). Arabic labels are passed in logical order:
matplotlib 3.11 lays text out with its bundled libraqm, which joins the letters and orders
right-to-left runs itself (pre-shaped text would come out reversed; see tests/test_trends.py).
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis import compare, escape, i18n, policies, schema
from analysis.i18n import word
from analysis.ledger import (  # noqa: F401  (notebooks use claimant_names, measure_labels)
    claimant_name,
    claimant_names,
    measure_labels,
)

TRANSFER = "transferred_to_iraq"
PLAN = "planned_transfer_total"
# Panels for the small multiples, in this order when they have enough dated claims; any other
# non-plan measure with enough claims follows, by id.
PREFERRED = ("held_by_sdf", "al_hol_population", "transferred_iraqi_nationals",
             "escaped_from_prison")
MIN_STATEMENTS = 3
LEAD = pd.Timedelta(days=7)  # the charts start a week before the first transfer claim

HEDGED_MARKERS = {**dict.fromkeys(schema.LOW_BOUNDS, "^"), **dict.fromkeys(schema.HIGH_BOUNDS, "v")}
# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
TYPE_COLOURS = {
    "military": "#0072B2",
    "government": "#009E73",
    "judiciary": "#CC79A7",
    "armed_group": "#D55E00",
    "media": "#E69F00",
    "ngo_un": "#56B4E9",
    "anonymous_official": "#555555",
}
KIND_COLOURS = {"cumulative": "#0072B2", "flow": "#D55E00", "stock": "#009E73",
                "plan": "#E69F00"}
PLAN_COLOUR = "#b8a9d9"
CEILING_COLOUR = "#5e3c99"

SERIES_COLUMNS = ["measure", "kind", "date", "period_start", "period_end", "published",
                  "claimant", "claimant_type", "statement_id", "hedge", "value_low",
                  "value_best", "value_high", "value", "lowest", "highest", "copies",
                  "figure_ids"]
OFFICIAL_COLUMNS = ["date", "value", "low", "high", "holds_for", "held_from", "window",
                    "statements"]


# --- series -------------------------------------------------------------------------------

def dated(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures with a date to plot: as_of, or the end of the period a flow covers."""
    out = figures.copy()
    out["date"] = compare.own_dates(out)
    return out[out["date"].notna()].sort_values(["measure", "date", "figure_id"])


def undated(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures with neither as_of nor a period: listed beside the chart, never placed."""
    return figures[figures["as_of"].isna() & figures["period_end"].isna()]


def _lowest(row: Mapping) -> float | None:
    values = [row[c] for c in ("value_low", "value_best", "value_high") if pd.notna(row[c])]
    return float(min(values)) if values else None


def _highest(row: Mapping) -> float | None:
    values = [row[c] for c in ("value_low", "value_best", "value_high") if pd.notna(row[c])]
    return float(max(values)) if values else None


# What claim_series reads: narrowing the 40-column ledger first makes it several times faster.
SERIES_INPUT = ("figure_id", "measure", "measure_kind", "as_of", "period_start", "period_end",
                "published", "claimant", "claimant_type", "statement_id", "hedge",
                "value_low", "value_best", "value_high")


def claim_series(figures: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    """One row per statement and reading, at the date it holds for, oldest first.

    Copies of a statement (same statement, date and reading) are one row with `copies`, so a
    total reprinted by ten outlets is one voice; two different readings of one statement stay
    two rows, because they disagree. `value` is the claim's one number (`compare.point`).
    """
    data = figures[[c for c in SERIES_INPUT if c in figures.columns]]
    if measure is not None:
        data = data[data["measure"] == measure]
    data = dated(data)
    key = ["measure", "statement_id", "date", "hedge", "value_low", "value_best", "value_high"]
    groups = data.sort_values("figure_id").groupby(key, sort=False, dropna=False)
    first = groups.nth(0).reset_index(drop=True)  # whole first rows, NaN kept (not .first())
    values = first[["value_low", "value_best", "value_high"]].astype("float64")
    out = first.rename(columns={"measure_kind": "kind"}).assign(
        published=groups["published"].min().to_numpy(),
        value=values.apply(compare.point, axis=1) if len(first) else pd.Series(dtype=float),
        lowest=values.min(axis=1), highest=values.max(axis=1),
        copies=groups.size().to_numpy(),
        figure_ids=groups["figure_id"].agg(" ".join).to_numpy())
    out = out.reindex(columns=SERIES_COLUMNS)
    for col in ("value", "lowest", "highest"):
        out[col] = out[col].astype("float64")
    out["copies"] = out["copies"].astype("int64")
    out = out.sort_values(["date", "value", "claimant", "statement_id"], kind="stable")
    return out.reset_index(drop=True)


def official_series(figures: pd.DataFrame, measure: str = TRANSFER,
                    policy: str = "best") -> pd.DataFrame:
    """The policy's estimate as it stood after each report date (a step function).

    One row per publication date of a claim on `measure`: `value`, `low` and `high` are
    `analysis.estimate` on that day; `holds_for` is the newest date the claims it used hold
    for, `held_from` the oldest. A day's reports replace the previous estimate, they are
    never added to it.
    """
    policies.check_policy(policy)
    claims = policies.measure_records(figures, measure)
    own = {r["figure_id"]: compare.own_date(r) for r in claims}
    rows = []
    for day in sorted({r["published"] for r in claims if r["published"] is not None}):
        e = policies.estimate_from(claims, measure, day, policy)
        if e.value is None:
            continue
        held = [own[f] for f in e.figure_ids if own[f] is not None]
        rows.append({"date": pd.Timestamp(day), "value": e.value, "low": e.low,
                     "high": e.high, "holds_for": max(held) if held else pd.NaT,
                     "held_from": min(held) if held else pd.NaT,
                     "window": e.window, "statements": e.statements})
    out = pd.DataFrame(rows, columns=OFFICIAL_COLUMNS)
    for col in ("value", "low", "high"):
        out[col] = out[col].astype("float64")
    return out


def rates(official: pd.DataFrame) -> pd.DataFrame:
    """Change per day between consecutive report dates of an official series.

    Negative when a day's reports gave a lower total than the day before: a contradiction
    between reports, not people coming back.
    """
    prev = official.shift(1)
    out = pd.DataFrame({
        "start": prev["date"], "end": official["date"],
        "start_value": prev["value"], "end_value": official["value"],
    }).iloc[1:]
    out["days"] = (out["end"] - out["start"]).dt.days.astype("int64")
    out["per_day"] = (out["end_value"] - out["start_value"]) / out["days"]
    return out.reset_index(drop=True)


def plan_claims(figures: pd.DataFrame, measure: str = PLAN) -> pd.DataFrame:
    """Plans known by as_of, one row per statement reading, dated or not (a plan is timeless)."""
    data = figures[figures["measure"] == measure]
    when = data["as_of"].fillna(data["period_end"]).fillna(data["published"])
    return claim_series(data.assign(as_of=when))


def ceilings(plans: pd.DataFrame) -> pd.DataFrame:
    """Plans stated as a ceiling ("up to"), one row per claimant and value."""
    up_to = plans[plans["hedge"] == "up_to"]
    return up_to.drop_duplicates(["claimant", "value_high"]).reset_index(drop=True)


def time_span(figures: pd.DataFrame, as_of: object = None) \
        -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The dates the charts cover: from a week before the first transfer claim to as_of."""
    claims = dated(figures)
    if claims.empty:
        return None
    end = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(claims["date"].max())
    transfer = claims[claims["measure"] == TRANSFER]
    first = pd.Timestamp(transfer["date"].min()) if not transfer.empty else end
    return first - LEAD, end


def off_chart(figures: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp] | None) \
        -> pd.DataFrame:
    """Claims the charts do not place: undated ones, and those that hold before the span."""
    own = compare.own_dates(figures)
    keep = own.isna()
    if span is not None:
        keep |= own < span[0]
    return figures[keep].sort_values(["measure", "figure_id"]).reset_index(drop=True)


def multiples_measures(figures: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp] | None,
                       min_statements: int = MIN_STATEMENTS) -> list[str]:
    """Measures other than the transfer total and plans with enough dated claims in the span."""
    return list(_panels(figures, span, min_statements))


def _panels(figures: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp] | None,
            min_statements: int = MIN_STATEMENTS) -> dict[str, pd.DataFrame]:
    """The small multiples' measures, in order, each with its claims in the span.

    One `claim_series` split by measure: the same rows, in the same order, as one call per
    measure (the series is sorted within a measure), at a sixth of the cost.
    """
    if span is None:
        return {}
    series = _in_span(claim_series(figures), span)
    series = series[(series["kind"] != "plan") & (series["measure"] != TRANSFER)]
    counts = series.groupby("measure")["statement_id"].nunique()
    enough = set(counts[counts >= min_statements].index)
    first = [m for m in PREFERRED if m in enough]
    return {m: series[series["measure"] == m].reset_index(drop=True)
            for m in first + sorted(enough - set(first))}


# --- facts for the captions ---------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """The numbers the transfer caption states, all computed from the claims known by as_of."""

    as_of: pd.Timestamp | None
    policy: str
    first_date: pd.Timestamp | None = None
    first_value: float | None = None
    latest_date: pd.Timestamp | None = None
    latest_value: float | None = None
    latest_low: float | None = None
    latest_high: float | None = None
    days: int | None = None
    per_day: float | None = None
    fastest: tuple[pd.Timestamp, pd.Timestamp, float] | None = None
    drops: tuple[pd.Timestamp, ...] = ()
    mark: int | None = None
    mark_claim: dict | None = None
    days_to_mark: int | None = None
    plan_low: float | None = None
    plan_high: float | None = None
    plan_claimants: int = 0
    ceilings: tuple[tuple[str, float], ...] = ()
    latest_from: pd.Timestamp | None = None  # the oldest date the latest estimate's claims
    # hold for (latest_date: the newest)


def progress(figures: pd.DataFrame, as_of: object = None, policy: str = "best") -> Progress:
    """What a reader could know on as_of: first batch, latest estimate, pace, milestones, plans."""
    stamp = pd.Timestamp(as_of) if as_of is not None else None
    official = official_series(figures, TRANSFER, policy)
    plans = plan_claims(figures)
    plan_facts = _plan_facts(plans)
    if official.empty:
        return Progress(stamp, policy, **plan_facts)
    first, latest = official.iloc[0], official.iloc[-1]
    # the dates the estimates hold for, not the days they were printed: 5,704 holds for
    # 2026-02-16 (a later undated report left it standing; the caption said "from the reports
    # of 2026-02-23" and took the pace over 7 days too many)
    held_dates = official["holds_for"].fillna(official["date"])  # report day if none said
    first_date, latest_date = held_dates.iloc[0], held_dates.iloc[-1]
    days = max(0, int((latest_date - first_date).days))
    # the pace between the dates the estimates hold for, as the average above (by report
    # day, 2,225 printed on 02-08 for 02-07 and 4,583 on 02-09 made 2,358 a day, not 1,179)
    held = official.assign(date=held_dates).drop_duplicates(
        "date", keep="last").sort_values("date", kind="stable")
    up = rates(held)
    up = up[up["per_day"] > 0]
    fastest = None
    if not up.empty:
        top = up.loc[up["per_day"].idxmax()]
        fastest = (top["start"], top["end"], float(top["per_day"]))
    steps = rates(official)  # a fall is between reports: they contradict each other
    drops = tuple(steps.loc[steps["per_day"] < 0, "end"])
    mark, claim, to_mark = _milestone(claim_series(figures, TRANSFER))
    moved = days > 0 and official["value"].nunique() > 1
    return Progress(
        stamp, policy, first_date, float(first["value"]), latest_date,
        float(latest["value"]), float(latest["low"]), float(latest["high"]), days,
        (latest["value"] - first["value"]) / days if moved else None, fastest, drops,
        mark, claim, to_mark, **plan_facts,
        latest_from=latest["held_from"] if pd.notna(latest["held_from"]) else latest_date)


def _plan_facts(plans: pd.DataFrame) -> dict:
    if plans.empty:
        return {}
    tops = ceilings(plans)
    return {"plan_low": float(plans["lowest"].min()), "plan_high": float(plans["highest"].max()),
            "plan_claimants": int(plans["claimant"].nunique()),
            "ceilings": tuple((r.claimant, float(r.value_high)) for r in tops.itertuples())}


def _milestone(series: pd.DataFrame) -> tuple[int | None, dict | None, int | None]:
    """The highest hundred any dated claim reached, the first claim to reach it, and the days
    from the first batch to that claim (None when it is the first batch itself)."""
    if series.empty:
        return None, None, None
    mark = int(math.floor(series["value"].max() / 100) * 100)
    reached = series[series["value"] >= mark].sort_values(["date", "published", "claimant"],
                                                          kind="stable")
    claim = reached.iloc[0]
    days = int((claim["date"] - series["date"].min()).days)
    if days == 0:
        return None, None, None
    return mark, claim.to_dict(), days


@dataclass(frozen=True)
class Timeline:
    """Counts the timeline caption states: claims, claimants, bursts and gaps."""

    claims: int
    claimants: int
    start: pd.Timestamp
    end: pd.Timestamp
    busiest: pd.Timestamp | None
    busiest_claims: int
    gap: tuple[pd.Timestamp, pd.Timestamp] | None  # longest wait between two transfer totals
    since_last: int | None  # days from the last transfer total to the end of the span
    last_total: pd.Timestamp | None


def timeline(figures: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]) -> Timeline:
    """Bursts and gaps in the reporting: claims per day, and waits between transfer totals."""
    series = _in_span(claim_series(figures), span)
    per_day = series.groupby("date").size().sort_index(kind="stable")
    busiest = per_day.idxmax() if not per_day.empty else None
    days = [pd.Timestamp(d) for d in sorted(series.loc[series["measure"] == TRANSFER, "date"]
                                            .unique())]
    pairs = list(zip(days[:-1], days[1:], strict=True))
    gap = max(pairs, key=lambda p: p[1] - p[0]) if pairs else None  # the first of equal gaps
    last = days[-1] if days else None
    return Timeline(len(series), int(series["claimant"].nunique()), span[0], span[1], busiest,
                    int(per_day.max()) if busiest is not None else 0, gap,
                    int((span[1] - last).days) if last is not None else None, last)


def _in_span(series: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    return series[(series["date"] >= span[0]) & (series["date"] <= span[1])]


# --- captions -----------------------------------------------------------------------------

def _n(value: object) -> str:
    return i18n.number(value)


def _d(value: object) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 claimant', '4 claimants'."""
    return f"{n} {singular}" if n == 1 else f"{n} {plural or singular + 's'}"


def _days(n: int, lang: str = "en") -> str:
    """A number of days, with the noun Arabic counting wants (يوم، يومان، أيام، يوماً)."""
    if lang != "ar":
        return _count(n, "day")
    if n == 1:
        return "يوم واحد"
    if n == 2:
        return "يومان"
    return f"{n} أيام" if 3 <= n % 100 <= 10 else f"{n} يوماً"


_name = claimant_name  # a claimant in captions and charts, as in tables and popups


def progress_sentences(p: Progress, lang: str = "en",
                       names: Mapping[str, str] | None = None) -> list[str]:
    """The transfer caption, sentence by sentence, in the reader's language."""
    i18n.check_lang(lang)
    ar = lang == "ar"
    out = []
    when = _d(p.as_of) if p.as_of is not None else word("all_reports", lang)
    if p.latest_value is None:
        out.append(f"لم يُعلن أي رقم للمنقولين حتى {when}." if ar else
                   f"No transfer total had been reported by {when}.")
    else:
        spread = i18n.span(p.latest_low, p.latest_high)
        policy = i18n.policy_phrase(p.policy, lang)
        out.append(
            f"المنقولون إلى العراق كما عُرف في {when} ({policy}): "
            f"{_n(p.latest_value)}، من الادعاءات الخاصة {_held_span(p, True)} "
            f"(الأدنى–الأعلى بينها: {spread})."
            if ar else
            f"Transferred to Iraq as known on {when} ({policy}): "
            f"{_n(p.latest_value)}, from the claims for {_held_span(p, False)} "
            f"(lowest–highest among them: {spread}).")
        out.append(_pace(p, ar))
    if p.fastest is not None:
        a, b, rate = p.fastest
        out.append(f"أسرع وتيرة بين تقديرين متتاليين: {_n(rate)} في اليوم (من {_d(a)} إلى {_d(b)})."
                   if ar else
                   f"Fastest pace between consecutive estimates: {_n(rate)} a day "
                   f"({_d(a)} to {_d(b)}).")
    if p.drops:
        days = i18n.join((_d(d) for d in p.drops), lang)
        out.append(f"انخفض التقدير في أيام التقارير التالية ({days}): أعطت تقارير ذلك "
                   "اليوم عدداً أقل مما سبقها، فالتقارير تتناقض." if ar else
                   f"The estimate fell on {_count(len(p.drops), 'report day')} ({days}): "
                   + ("that day's reports" if len(p.drops) == 1 else "each day, the reports")
                   + " gave a lower total than earlier ones, so the reports contradict each "
                   "other.")
    if p.mark is not None and p.mark_claim is not None:
        c = p.mark_claim
        value = i18n.format_value(c["value_low"], c["value_best"], c["value_high"], c["hedge"],
                                  lang)
        who = _name(c["claimant"], names)
        out.append(f"مرّ {_days(p.days_to_mark, lang)} من الدفعة الأولى حتى أول ادعاء ببلوغ "
                   f"{_n(p.mark)} ({who}: {value}، بتاريخ {_d(c['date'])})." if ar else
                   f"{_days(p.days_to_mark)} passed from the first batch to the first claim of "
                   f"{_n(p.mark)} or more ({who}: {value}, for {_d(c['date'])}).")
    out.extend(_plan_sentence(p, lang, names))
    return [s for s in out if s]


def _held_span(p: Progress, ar: bool) -> str:
    """The date(s) the latest estimate's claims hold for: '2026-02-16', or '2026-02-12 to
    2026-02-13' when they hold for different days (CENTCOM's 5,700 for 02-12 among 02-13's)."""
    if p.latest_from is None or p.latest_from == p.latest_date:
        return f"بتاريخ {_d(p.latest_date)}" if ar else _d(p.latest_date)
    return (f"بالمدة من {_d(p.latest_from)} إلى {_d(p.latest_date)}" if ar else
            f"{_d(p.latest_from)} to {_d(p.latest_date)}")


def _pace(p: Progress, ar: bool) -> str:
    if p.days is None or p.days == 0 or p.per_day is None:
        # the first batch as now known (its reports may differ: 147, then 150)
        return (f"لم يُعرف حتى ذلك الحين إلا الدفعة الأولى: {_n(p.latest_value)} "
                f"({_d(p.first_date)})." if ar else
                f"Only the first batch was known by then: {_n(p.latest_value)} "
                f"({_d(p.first_date)}).")
    grew = p.latest_value - p.first_value
    return (f"الدفعة الأولى ({_n(p.first_value)}) بتاريخ {_d(p.first_date)}؛ وحتى "
            f"{_d(p.latest_date)} تغيّر العدد بمقدار {_n(grew)} خلال {_days(p.days, 'ar')}، أي "
            f"{_n(p.per_day)} في اليوم في المتوسط." if ar else
            f"The first batch ({_n(p.first_value)}) is dated {_d(p.first_date)}; by "
            f"{_d(p.latest_date)} the total had changed by {_n(grew)} in {_days(p.days)}, "
            f"{_n(p.per_day)} a day on average.")


def _plan_sentence(p: Progress, lang: str, names: Mapping[str, str] | None) -> list[str]:
    if p.plan_low is None:
        return []
    ar = lang == "ar"
    band = i18n.span(p.plan_low, p.plan_high)
    out = [f"الأعداد المخطط لها أو المتوقعة: {band} (عدد {word('claimants', lang)}: "
           f"{p.plan_claimants})." if ar
           else f"Planned or expected totals claimed: {band}, by "
                f"{_count(p.plan_claimants, 'claimant')}."]
    for claimant, value in p.ceilings:
        who = _name(claimant, names)
        out.append(f"السقف المعلن: {who}، حتى {_n(value)}." if ar else
                   f"Stated ceiling: {who}, up to {_n(value)}.")
    return out


def timeline_sentences(t: Timeline, lang: str = "en") -> list[str]:
    """The timeline caption: how many claims, the busiest day, the longest wait for a total."""
    i18n.check_lang(lang)
    ar = lang == "ar"
    out = [f"الادعاءات المؤرخة بين {_d(t.start)} و{_d(t.end)}: {t.claims} (تُحسب النسخ مرة "
           f"واحدة)، وعدد {word('claimants', lang)}: {t.claimants}." if ar else
           f"{_count(t.claims, 'dated claim')} (copies counted once) by "
           f"{_count(t.claimants, 'claimant')} from {_d(t.start)} to {_d(t.end)}."]
    if t.busiest is not None:
        out.append(f"أكثر الأيام ادعاءات: {_d(t.busiest)} ({t.busiest_claims})." if ar else
                   f"Busiest day: {_d(t.busiest)}, with {_count(t.busiest_claims, 'claim')}.")
    if t.gap is not None:
        a, b = t.gap
        out.append(f"أطول انتظار بين رقمين للمنقولين: {_days((b - a).days, lang)} (من {_d(a)} إلى "
                   f"{_d(b)})." if ar else
                   f"Longest wait between two transfer totals: {_days((b - a).days)} "
                   f"({_d(a)} to {_d(b)}).")
    if t.last_total is not None:
        out.append(f"آخر رقم للمنقولين يخص {_d(t.last_total)}، قبل {_days(t.since_last, lang)} من "
                   f"{_d(t.end)}." if ar else
                   f"The last transfer total holds for {_d(t.last_total)}, "
                   f"{_days(t.since_last)} before {_d(t.end)}.")
    return out


def measure_sentence(series: pd.DataFrame, label: str, lang: str = "en",
                     names: Mapping[str, str] | None = None) -> str:
    """One line per small multiple: how many claims and claimants, the spread, the latest."""
    ar = lang == "ar"
    last = series.sort_values(["date", "published"], kind="stable").iloc[-1]
    value = i18n.format_value(last["value_low"], last["value_best"], last["value_high"],
                              last["hedge"], lang)
    lo, hi = _n(series["lowest"].min()), _n(series["highest"].max())
    n, who = series["statement_id"].nunique(), series["claimant"].nunique()
    latest = _name(last["claimant"], names)
    return (f"{label}: ادعاءات مؤرخة: {n}، وعدد {word('claimants', lang)}: {who}، بين {lo} "
            f"و{hi}؛ آخرها {value} "
            f"({latest}، {_d(last['date'])})." if ar else
            f"{label}: {_count(n, 'dated claim')} by {_count(who, 'claimant')}, from {lo} to "
            f"{hi}; latest "
            f"{value} ({latest}, {_d(last['date'])}).")


def multiples_sentences(figures: pd.DataFrame, as_of: object = None, lang: str = "en",
                        labels: Mapping[str, str] | None = None,
                        names: Mapping[str, str] | None = None) -> list[str]:
    """One caption line per small multiple, in the panels' order."""
    return [measure_sentence(series, (labels or {}).get(measure, measure), lang, names)
            for measure, series in _panels(figures, time_span(figures, as_of)).items()]


def caption_html(sentences: list[str], lang: str = "en") -> str:
    """Escaped caption paragraph, right-to-left in Arabic."""
    body = " ".join(escape.prose(s) for s in sentences)
    return f'<p class="caption" {i18n.html_lang(lang)}>{body}</p>'


def list_html(sentences: list[str], lang: str = "en") -> str:
    items = "".join(f"<li>{escape.prose(s)}</li>" for s in sentences)
    return f'<ul class="caption" {i18n.html_lang(lang)}>{items}</ul>'


def chart_alt(key: str, lang: str = "en") -> str:
    """A chart's alternative text: its heading (`key`) and where its numbers are written.
    Passed as the image's `alt` metadata (`IPython.display.Image(..., metadata=...)`), it
    replaces nbconvert's "No description has been provided for this image" on the page
    (`analysis.reports.render_html`)."""
    return f"{word(key, lang)}. {word('chart_alt', lang)}"


def heading_html(key: str, lang: str = "en", level: int = 2) -> str:
    return (f'<h{level} {i18n.html_lang(lang)}>{escape.text(word(key, lang))}'
            f"</h{level}>")


def off_chart_sentences(figures: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp] | None,
                        unpublished: int = 0, lang: str = "en") -> list[str]:
    """Why some claims are listed instead of drawn, with how many of each."""
    i18n.check_lang(lang)
    ar = lang == "ar"
    listed = off_chart(figures, span)
    own = compare.own_dates(listed)
    n_undated, n_early = int(own.isna().sum()), int(own.notna().sum())
    start = _d(span[0]) if span is not None else "—"
    out = [f"غير مؤرّخة في مصدرها، فلا توضع على الرسوم في تاريخ مُخمَّن: {n_undated}؛ "
           f"وتخص فترة أو تاريخاً قبل {start}: {n_early}." if ar else
           f"Undated in their source, so never placed at a guessed date: {n_undated}; "
           f"holding for a date or period before {start}: {n_early}."]
    if unpublished:
        out.append(f"ويُستبعد {unpublished} من الأرقام لأن مصدرها بلا تاريخ نشر، فلا يمكن "
                   f"إثبات أنها سبقت {word('cutoff', lang)}." if ar else
                   f"{_count(unpublished, 'more figure')} from sources without a publication "
                   f"date: they cannot be shown to precede {word('cutoff', lang)} and are left "
                   "out.")
    return out


def unpublished(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures whose source has no publication date (left out of every as_of view)."""
    return figures[figures["published"].isna()]


# --- drawing ------------------------------------------------------------------------------

@contextlib.contextmanager
def _style(lang: str = "en") -> Iterator[None]:
    """Matplotlib's bundled DejaVu Sans (it has Arabic glyphs), the same on every machine."""
    import matplotlib

    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 9,
                                "text.language": lang,
                                "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig, lang: str = "en") -> bytes | None:
    """PNG bytes with no timestamp and no software tag: the same inputs give the same bytes.

    `savefig` draws a figure that has a layout engine twice (once to lay it out, once to
    paint it); `canvas.draw` lays out and paints in one pass, to the same pixels, for a
    tenth less CPU.
    """
    if fig is None:
        return None
    from matplotlib.image import imsave

    buf = io.BytesIO()
    with _style(lang):  # tick labels are made while drawing: same style and language
        fig.canvas.draw()
        imsave(buf, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi,
               metadata={"Software": None})
    return buf.getvalue()


def _date_axis(ax, span: tuple[pd.Timestamp, pd.Timestamp], lang: str,
               ticks: int = 8) -> None:
    """Month-day ticks (numbers, no month names: the same in every locale); the year below.

    In Arabic the value axis moves to the right, where a right-to-left reader starts.
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedLocator

    low, high = span[0] - pd.Timedelta(days=1), span[1] + pd.Timedelta(days=2)
    ax.set_xlim(low, high)
    # The automatic locator's choice, made once: it is asked again at every draw and for
    # every layout pass, and building its date rules was a fifth of drawing a chart.
    auto = mdates.AutoDateLocator(minticks=3, maxticks=ticks)
    ax.xaxis.set_major_locator(FixedLocator(auto.tick_values(low, high)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    years = sorted({span[0].year, span[1].year})
    ax.set_xlabel("–".join(str(y) for y in years), fontsize=8, color="#555")
    ax.tick_params(axis="x", labelsize=8)
    if lang == "ar":
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
        ax.spines["left"].set_visible(False)
        ax.spines["right"].set_visible(True)


def _thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v):,}"))
    ax.grid(axis="y", color="#e5e5e5")


def _as_of_line(ax, as_of: object, lang: str) -> None:
    if as_of is None:
        return
    x = pd.Timestamp(as_of)
    ax.axvline(x, color="#888", ls=":", lw=1)
    label = f"{word('as_of', lang)} {_d(x)}"
    # after Arabic words, left to right as in the page's text (see analysis.escape)
    label = escape.isolate_dates(label) if lang == "ar" else label
    ax.annotate(label, (x, 1), xycoords=("data", "axes fraction"),
                xytext=(-3, -3), textcoords="offset points", ha="right", va="top", fontsize=7,
                color="#555")


def _draw_claims(ax, series: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp],
                 lang: str = "en", labels: bool = False) -> None:
    """Each claim: a point coloured by claimant type, hollow when hedged; ranges and periods."""
    for r in series.itertuples():
        colour = TYPE_COLOURS.get(r.claimant_type, "#000")
        x = pd.Timestamp(r.date)
        if pd.notna(r.period_start):
            ax.hlines(r.value, max(pd.Timestamp(r.period_start), span[0]), x, color=colour,
                      lw=1.2, alpha=0.7)
        if pd.notna(r.value_low) and pd.notna(r.value_high):
            ax.vlines(x, float(r.value_low), float(r.value_high), color=colour, lw=3,
                      alpha=0.45)
        hedged = r.hedge != "exact"
        ax.plot([x], [r.value], linestyle="none", marker=HEDGED_MARKERS.get(r.hedge, "o"),
                ms=7, color=colour, markerfacecolor="white" if hedged else colour,
                markeredgewidth=1.6, zorder=4, clip_on=False)  # a claim of 0 stays whole
    if labels:
        _label_claims(ax, series, lang)


def _halo():
    from matplotlib import patheffects

    # thin and not opaque: a neighbour's marker under a label still shows through
    return [patheffects.withStroke(linewidth=1.5, foreground="white", alpha=0.8)]


def _label_claims(ax, series: pd.DataFrame, lang: str) -> None:
    """Each claim's words next to its point; labels that would overlap are stacked upwards."""
    top = float(series["highest"].max()) or 1.0
    placed: list[tuple[pd.Timestamp, float]] = []
    halo = _halo()
    for r in series.sort_values(["date", "value"], kind="stable").itertuples():
        x = pd.Timestamp(r.date)
        near = sum(1 for px, py in placed if abs((px - x).days) <= 3
                   and abs(py - r.value) < 0.06 * top)
        placed.append((x, r.value))
        text = i18n.format_value(r.value_low, r.value_best, r.value_high, r.hedge, lang)
        # above the points (zorder 4): a neighbour's marker hid part of a label ("200" of 6,200)
        ax.annotate(text, (x, r.value), xytext=(5, 3 + 9 * near), textcoords="offset points",
                    fontsize=7, color="#333", zorder=5, path_effects=halo)


def _draw_official(ax, official: pd.DataFrame, end: pd.Timestamp, lang: str,
                   policy: str) -> None:
    """The policy's estimate as a step line, its low–high as a light band, up to `end`."""
    if official.empty:
        return
    last = official.iloc[[-1]].assign(date=max(end, official["date"].iloc[-1]))
    steps = pd.concat([official, last], ignore_index=True)
    ax.fill_between(steps["date"], steps["low"], steps["high"], step="post", color="#000",
                    alpha=0.08, lw=0, zorder=1)
    ax.step(steps["date"], steps["value"], where="post", color="#111", lw=1.4, zorder=3,
            label=f"{word('official', lang)} ({i18n.policy_name(policy, lang)})")


def _legend(fig, handles: list, lang: str, ncols: int = 3, title: str | None = None) -> None:
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, fontsize=7.5,
               frameon=False, markerfirst=lang != "ar", title=title, title_fontsize=7.5)


def _columns(groups: list[tuple[str | None, list]], lang: str) -> list:
    """Legend handles laid out one (header, handles) group per column (the legend fills
    columns top down), the first where a reader of `lang` starts: the shape keys, drawn grey,
    are then never read as a claimant type's grey."""
    from matplotlib.lines import Line2D

    def blank(label: str = "") -> Line2D:
        return Line2D([], [], ls="none", label=label)

    columns = [([blank(h)] if h else []) + list(g) for h, g in groups]
    if lang in i18n.RTL:
        columns.reverse()
    rows = max(len(g) for g in columns)
    return [h for g in columns for h in g + [blank() for _ in range(rows - len(g))]]


def _official_handles(policy: str, lang: str) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    official = f"{word('official', lang)} ({i18n.policy_name(policy, lang)})"
    return [Line2D([], [], color="#111", lw=1.4, label=official),
            Patch(color="#000", alpha=0.12, label=word("official_band", lang))]


def _type_handles(types: list[str], lang: str) -> list:
    from matplotlib.lines import Line2D

    return [Line2D([], [], ls="none", marker="o", ms=7, color=TYPE_COLOURS.get(t, "#000"),
                   label=word(f"type_{t}", lang)) for t in types]


def _marker_handles(lang: str) -> list:
    from matplotlib.lines import Line2D

    grey = "#444"
    return [
        Line2D([], [], ls="none", marker="o", ms=7, color=grey,
               label=word("exact_mark", lang)),
        Line2D([], [], ls="none", marker="o", ms=7, color=grey, markerfacecolor="white",
               markeredgewidth=1.6, label=word("hedged_mark", lang)),
        Line2D([], [], ls="none", marker="^", ms=7, color=grey, markerfacecolor="white",
               markeredgewidth=1.6, label=word("at_least_mark", lang)),
        Line2D([], [], ls="none", marker="v", ms=7, color=grey, markerfacecolor="white",
               markeredgewidth=1.6, label=word("up_to_mark", lang)),
        Line2D([], [], color=grey, lw=3, alpha=0.45, label=word("range_mark", lang)),
    ]


def cumulative_figure(figures: pd.DataFrame, as_of: object = None, policy: str = "best",
                      lang: str = "en", names: Mapping[str, str] | None = None,
                      measure_label: str | None = None):
    """Transferred to Iraq over time: every claim, the official step line, the planned band."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    i18n.check_lang(lang)
    span = time_span(figures, as_of)
    series = claim_series(figures, TRANSFER)
    if span is None or series.empty:
        return None
    official = official_series(figures, TRANSFER, policy)
    plans = plan_claims(figures)
    with _style(lang):
        fig = _figure(9, 5.6)
        ax = fig.subplots()
        handles = []
        top = series["highest"].max()
        if not plans.empty:
            low, high = plans["lowest"].min(), plans["highest"].max()
            top = max(top, high)
            ax.axhspan(low, high, color=PLAN_COLOUR, alpha=0.35, lw=0, zorder=0)
            if low == high:
                ax.axhline(low, color=PLAN_COLOUR, lw=2, zorder=0)
            band = f"{word('plan_band', lang)}: {i18n.span(low, high)}"
            handles.append(Patch(color=PLAN_COLOUR, alpha=0.6, label=band))
            for r in ceilings(plans).itertuples():
                text = f"{_name(r.claimant, names)}: {word('up_to', lang)} {_n(r.value_high)}"
                ax.axhline(r.value_high, color=CEILING_COLOUR, ls="--", lw=1.2, zorder=2)
                handles.append(Line2D([], [], color=CEILING_COLOUR, ls="--", label=text))
        _draw_official(ax, official, span[1], lang, policy)
        _draw_claims(ax, _in_span(series, span), span, lang)
        types = sorted(series["claimant_type"].unique())
        handles = _columns([(None, handles + _official_handles(policy, lang)),
                            (word("colour_key", lang), _type_handles(types, lang)),
                            (word("shape_key", lang), _marker_handles(lang))], lang)
        _date_axis(ax, span, lang)
        _thousands(ax)
        ax.set_ylim(0, top * 1.08)
        _as_of_line(ax, as_of, lang)
        title = measure_label or word("transferred", lang)
        ax.set_title(title, loc="right" if lang == "ar" else "left", fontsize=11, y=1)
        ax.set_ylabel(word("detainees", lang))
        _legend(fig, handles, lang)
        return fig


def multiples_figure(figures: pd.DataFrame, as_of: object = None, policy: str = "best",
                     lang: str = "en", labels: Mapping[str, str] | None = None):
    """Small multiples for the other measures with enough dated claims, on one time axis."""
    i18n.check_lang(lang)
    span = time_span(figures, as_of)
    panels = _panels(figures, span)
    if not panels:
        return None
    rows = math.ceil(len(panels) / 2)
    with _style(lang):
        fig = _figure(9, 2.7 * rows + 1.5)  # the legend: up to 7 rows in its columns
        axes = fig.subplots(rows, 2, squeeze=False, sharex=True).ravel()
        types = set()
        for ax, (measure, series) in zip(axes, panels.items(), strict=False):
            types |= set(series["claimant_type"])
            if series["kind"].iloc[0] in ("stock", "cumulative"):
                _draw_official(ax, official_series(figures, measure, policy), span[1], lang,
                               policy)
            _draw_claims(ax, series, span, lang, labels=True)
            _date_axis(ax, span, lang, ticks=5)
            _thousands(ax)
            ax.set_ylim(0, series["highest"].max() * 1.3)
            label = (labels or {}).get(measure, measure)
            ax.set_title(label, loc="right" if lang == "ar" else "left", fontsize=9.5, y=1)
            _as_of_line(ax, as_of, lang)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        # hollow and triangle markers here too: the shapes' key, as under the transfers chart
        handles = _columns([(None, _official_handles(policy, lang)),
                            (word("colour_key", lang), _type_handles(sorted(types), lang)),
                            (word("shape_key", lang), _marker_handles(lang))], lang)
        _legend(fig, handles, lang)
        return fig


def timeline_figure(figures: pd.DataFrame, as_of: object = None, lang: str = "en",
                    names: Mapping[str, str] | None = None):
    """Each dated claim as a mark on its claimant's line: bursts and gaps of reporting."""
    from matplotlib.lines import Line2D

    i18n.check_lang(lang)
    span = time_span(figures, as_of)
    if span is None:
        return None
    series = _in_span(claim_series(figures), span)
    if series.empty:
        return None
    order = (series.groupby("claimant")["date"].min().reset_index()
             .sort_values(["date", "claimant"], kind="stable")["claimant"].tolist())
    row = {c: i for i, c in enumerate(order)}
    with _style(lang):
        fig = _figure(9, 0.24 * len(order) + 1.9)
        ax = fig.subplots()
        for r in series.itertuples():
            y = row[r.claimant]
            colour = KIND_COLOURS.get(r.kind, "#000")
            if pd.notna(r.period_start):
                ax.hlines(y, max(pd.Timestamp(r.period_start), span[0]), r.date, color=colour,
                          lw=2, alpha=0.5)
            ax.plot([r.date], [y], ls="none", marker="o", ms=3.5 + 1.5 * math.sqrt(r.copies),
                    color=colour, alpha=0.8, markeredgewidth=0)
        ax.set_yticks(range(len(order)),
                      [_name(c, names) for c in order], fontsize=7)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.grid(axis="y", color="#f0f0f0")
        _date_axis(ax, span, lang)
        _as_of_line(ax, as_of, lang)
        ax.set_title(word("timeline_title", lang),
                     loc="right" if lang == "ar" else "left", fontsize=11, y=1)
        kinds = [k for k in KIND_COLOURS if k in set(series["kind"])]
        handles = [Line2D([], [], ls="none", marker="o", ms=6, color=KIND_COLOURS[k],
                          label=word(f"kind_{k}", lang)) for k in kinds]
        handles.append(Line2D([], [], ls="none", marker="o", ms=3.5 + 1.5 * math.sqrt(4),
                              color="#999", label=word("copies_mark", lang)))
        # colours mean the measure's kind here, the claimant's type in the charts above
        _legend(fig, handles, lang, ncols=5, title=word("kind_key", lang))
        return fig


def cumulative_png(figures: pd.DataFrame, as_of: object = None, policy: str = "best",
                   lang: str = "en", names: Mapping[str, str] | None = None,
                   measure_label: str | None = None) -> bytes | None:
    """`cumulative_figure` as PNG bytes (None when nothing was reported yet)."""
    return _png(cumulative_figure(figures, as_of, policy, lang, names, measure_label), lang)


def multiples_png(figures: pd.DataFrame, as_of: object = None, policy: str = "best",
                  lang: str = "en", labels: Mapping[str, str] | None = None) -> bytes | None:
    """`multiples_figure` as PNG bytes (None when no other measure has enough claims)."""
    return _png(multiples_figure(figures, as_of, policy, lang, labels), lang)


def timeline_png(figures: pd.DataFrame, as_of: object = None, lang: str = "en",
                 names: Mapping[str, str] | None = None) -> bytes | None:
    """`timeline_figure` as PNG bytes (None when no claim is dated)."""
    return _png(timeline_figure(figures, as_of, lang, names), lang)
