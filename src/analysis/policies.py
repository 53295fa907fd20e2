"""Named coding policies: one number and an interval for a measure as of a date.

A policy is a rule, applied the same way everywhere, for reading hedged and contradicting
claims as one number. The claims used are those known by `as_of`, in the latest comparison
window (see `analysis.claims`), one per independent statement (copies count once).

- `conservative` (ACLED-style lowest credible): each statement read at its lowest stated
  number (low, else best, else high); the estimate is the lowest of these.
- `best`: each statement read at its best value (else the middle of its range, else its one
  bound); the estimate is the median of these.
- `upper`: each statement read at its highest stated number; the estimate is the highest.

Claims that state the date they hold for (as_of or a period) are preferred: a claim known
only by its publication date (a background range, say) is used only when no other exists.
The interval is the same for every policy: the lowest and the highest number any of those
statements gives. The sensitivity table puts the policies side by side.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis import compare, i18n, schema
from analysis.errors import AnalysisError
from analysis.ledger import check_measure, cutoff
from analysis.parameters import POLICIES  # the values a notebook's `policy` may take

# The columns an estimate reads: selecting them first makes it ~3× faster on the full ledger.
COLUMNS = ("figure_id", "measure", "measure_kind", "claimant", "statement_id", "published",
           "as_of", "period_start", "period_end", "value_low", "value_best", "value_high",
           "hedge", "unit", "window")  # window: computed by `records` when absent; unit:
# optional (a frame without one counts people)


@dataclass(frozen=True)
class Estimate:
    measure: str
    as_of: str | None
    policy: str
    value: float | None
    low: float | None
    high: float | None
    window: str | None
    statements: int
    figure_ids: tuple[str, ...]
    explanation: str
    unit: str = "people"  # what the value counts (schema.counted): families only when no
    # claim of the measure counts people


def _lowest(row: Mapping) -> float | None:
    for v in (row["value_low"], row["value_best"], row["value_high"]):
        if pd.notna(v):
            return float(v)
    return None


def _highest(row: Mapping) -> float | None:
    for v in (row["value_high"], row["value_best"], row["value_low"]):
        if pd.notna(v):
            return float(v)
    return None


READERS = {"conservative": _lowest, "best": compare.point, "upper": _highest}
COMBINE = {"conservative": min, "best": statistics.median, "upper": max}


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise AnalysisError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    return policy


def explain(policy: str, readings: int, window: str, claimant: str | None = None,
            lang: str = "en", names: Mapping[str, str] | None = None,
            set_aside: tuple[str, ...] = ()) -> str:
    """How the estimate was read, in the reader's language (the words are in `i18n.WORDS`).

    'best: the median of 3 independent statements (compared within 2026-02-13)'; `claimant` is
    whose reading the estimate is, named for the lowest and highest (not for a median): in
    Arabic by its name in `names` (default `analysis.ledger.claimant_names`), as in tables.
    `set_aside`: the claimants whose older statement in the window was left out, because
    they said something newer there (`newest_per_claimant`), named.
    """
    from analysis.ledger import claimant_name, names_for

    w = i18n.word
    if lang != "ar":
        who = f", {claimant}" if claimant else ""
        statements = "statement" if readings == 1 else "statements"
        aside = (f"; {w('set_aside')}: {i18n.join(set_aside)}") if set_aside else ""
        return (f"{policy}: the {w(f'reads_{policy}')} of {readings} independent {statements} "
                f"(compared within {window}{who}{aside})")
    named = names_for(lang, names) if claimant or set_aside else {}
    who = f"؛ {w('claimant', lang)}: {claimant_name(claimant, named)}" if claimant else ""
    aside = (f"؛ {w('set_aside', lang)}: "
             f"{i18n.join((claimant_name(c, named) for c in set_aside), lang)}"
             if set_aside else "")
    return (f"{i18n.policy_name(policy, lang)}: {w(f'reads_{policy}', lang)} "
            f"({w('independent_n', lang)} {readings}؛ {w('window', lang)}: "
            f"{compare.window_label(window, lang)}{who}{aside})")


Record = dict  # one claim: COLUMNS → value, None when missing (see `records`)


def records(data: pd.DataFrame) -> list[Record]:
    """Claims as plain dicts with their comparison window: what `estimate_from` reads.

    Built once, they serve an estimate for every day of a series (`trends.official_series`)
    without going back to pandas for each day.
    """
    claims = compare.plain(data, COLUMNS)
    if "window" not in data.columns:  # it depends on the claim only, never on as_of
        for claim in claims:  # on the plain dicts: a pandas row-wise apply costs ten times more
            claim["window"] = compare.window(claim)
    return claims


def measure_records(figures: pd.DataFrame, measure: str) -> list[Record]:
    """`records` of one measure's claims: the columns are narrowed before the rows are
    filtered (filtering the 40-column ledger first costs several times more)."""
    data = figures[[c for c in COLUMNS if c in figures.columns]]
    return records(data[data["measure"] == measure])


def known_by(claims: list[Record], as_of: object) -> list[Record]:
    """The claims published on or before `as_of` (all of them when it is None)."""
    when = cutoff(as_of)
    if when is None:
        return claims
    return [r for r in claims if r["published"] is not None and r["published"] <= when]


def latest_window(claims: list[Record]) -> tuple[str | None, list[Record]]:
    """The most recent comparison window with claims (undated only if nothing is dated)."""
    if not claims:
        return None, []
    own = [r for r in claims if compare.own_date(r) is not None]
    # a claim that says for when it holds beats one known only by its print date
    if own and not all(r["measure_kind"] == "plan" for r in claims):
        claims = own
    dated = [r for r in claims if r["window"] != compare.UNDATED]
    pool = dated or claims
    newest: dict[str, pd.Timestamp | None] = {}
    for r in pool:
        ref = next((r[c] for c in ("as_of", "period_end", "published") if r[c] is not None),
                   None)
        before = newest.get(r["window"])
        newest[r["window"]] = ref if before is None or (ref is not None and ref > before) \
            else before
    if any(v is not None for v in newest.values()):
        # newest last; windows with no date at all after every dated one, as pandas sorts NaN
        order = sorted(sorted(newest), key=lambda w: (newest[w] is None, newest[w] or 0))
        chosen = order[-1]
    else:
        chosen = pool[0]["window"]
    return chosen, [r for r in pool if r["window"] == chosen]


def estimate(measure: str, as_of: object = None, policy: str = "best",
             figures: pd.DataFrame | None = None, lang: str = "en",
             names: Mapping[str, str] | None = None) -> Estimate:
    """One number and an interval for `measure` as known on `as_of`, under `policy`.

    `lang` (and `names`, see `explain`) are for `explanation` only: the numbers do not
    depend on them.
    """
    check_policy(policy)
    check_measure(measure, figures)
    data = compare._figures(figures, as_of)
    return estimate_from(measure_records(data, measure), measure, as_of, policy, lang, names)


def one_unit(claims: list[Record]) -> tuple[str, list[Record]]:
    """The claims an estimate reads, all counting one thing (`schema.counted`): those counting
    people when any does, else those of the one other unit. 20,000 people and 4,000 families
    have no median: the families stay claims of their own (`compare.contradictions`)."""
    units = {schema.counted(c.get("unit")) for c in claims}
    unit = "people" if "people" in units or not units else min(units)
    return unit, [c for c in claims if schema.counted(c.get("unit")) == unit]


def newest_per_claimant(claims: list[Record]) -> tuple[list[Record], tuple[str, ...]]:
    """The window's claims without those a claimant superseded: a statement that holds for an
    older date than another of the same claimant's in the window (the Ministry of Justice's
    5,046 of 2026-02-11, reprinted on 2026-02-13, the day it said 5,064). A claimant's old
    word is not an independent voice beside its new one. With the claimants whose statements
    were set aside. Claims that give no date of their own are kept."""
    own = compare.own_date
    newest: dict[str, pd.Timestamp] = {}
    for r in claims:
        when = own(r)
        if when is not None and (r["claimant"] not in newest or when > newest[r["claimant"]]):
            newest[r["claimant"]] = when
    kept = [r for r in claims if own(r) is None or own(r) >= newest[r["claimant"]]]
    ids = {r["figure_id"] for r in kept}
    return kept, tuple(sorted({r["claimant"] for r in claims if r["figure_id"] not in ids}))


def estimate_from(claims: list[Record], measure: str, as_of: object = None,
                  policy: str = "best", lang: str = "en",
                  names: Mapping[str, str] | None = None) -> Estimate:
    """`estimate` over `records` of one measure's claims (filtered here by `as_of`)."""
    check_policy(policy)
    i18n.check_lang(lang)
    unit, claims = one_unit(claims)
    win, current = latest_window(known_by(claims, as_of))
    current, aside = newest_per_claimant(current)
    stamp = None if as_of is None else f"{pd.Timestamp(as_of):%Y-%m-%d}"
    if not current:
        return Estimate(measure, stamp, policy, None, None, None, None, 0, (),
                        i18n.word("no_claims_known", lang))
    statements, seen = [], set()
    for r in sorted(current, key=lambda r: r["figure_id"]):
        if r["statement_id"] not in seen:
            seen.add(r["statement_id"])
            statements.append(r)
    readings = [(READERS[policy](r), r) for r in statements]
    readings = [(v, r) for v, r in readings if v is not None]
    value = COMBINE[policy]([v for v, _ in readings])
    lows = [v for v in map(_lowest, statements) if v is not None]
    highs = [v for v in map(_highest, statements) if v is not None]
    chosen = [r for v, r in readings if v == value]
    who = chosen[0]["claimant"] if chosen and policy != "best" else None
    explanation = explain(policy, len(readings), win, who, lang, names, aside)
    return Estimate(measure, stamp, policy, value, min(lows), max(highs), win,
                    len(statements), tuple(sorted(r["figure_id"] for r in current)),
                    explanation, unit)


def sensitivity(measure: str, as_of: object = None, figures: pd.DataFrame | None = None,
                lang: str = "en", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The estimate under every policy, side by side (`explanation` in `lang`)."""
    check_measure(measure, figures)
    claims = measure_records(compare._figures(figures, as_of), measure)  # once, not per policy
    rows = []
    for policy in POLICIES:
        e = estimate_from(claims, measure, as_of, policy, lang, names)
        rows.append({"policy": policy, "value": e.value, "low": e.low, "high": e.high,
                     "window": e.window, "statements": e.statements,
                     "explanation": e.explanation})
    return pd.DataFrame(rows)
