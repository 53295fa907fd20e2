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
from dataclasses import dataclass

import pandas as pd

from analysis import compare
from analysis.errors import AnalysisError

POLICIES = ("conservative", "best", "upper")
# The columns an estimate reads: selecting them first makes it ~3× faster on the full ledger.
COLUMNS = ("figure_id", "measure", "measure_kind", "claimant", "statement_id", "published",
           "as_of", "period_start", "period_end", "value_low", "value_best", "value_high",
           "hedge")


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


def _lowest(row: pd.Series) -> float | None:
    for v in (row["value_low"], row["value_best"], row["value_high"]):
        if pd.notna(v):
            return float(v)
    return None


def _highest(row: pd.Series) -> float | None:
    for v in (row["value_high"], row["value_best"], row["value_low"]):
        if pd.notna(v):
            return float(v)
    return None


READERS = {"conservative": _lowest, "best": compare.point, "upper": _highest}
COMBINE = {"conservative": min, "best": statistics.median, "upper": max}
WORDS = {"conservative": "lowest", "best": "median", "upper": "highest"}


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise AnalysisError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    return policy


def latest_window(data: pd.DataFrame) -> tuple[str | None, pd.DataFrame]:
    """The most recent comparison window with claims (undated only if nothing is dated)."""
    if data.empty:
        return None, data
    own = data["as_of"].notna() | data["period_end"].notna()
    # a claim that says for when it holds beats one known only by its print date
    if own.any() and not (data["measure_kind"] == "plan").all():
        data = data[own]
    data = data.assign(window=data.apply(compare.window, axis=1))
    data = data.assign(_ref=data["as_of"].fillna(data["period_end"]).fillna(data["published"]))
    dated = data[data["window"] != compare.UNDATED]
    pool = dated if not dated.empty else data
    key = pool.groupby("window")["_ref"].max().sort_values(kind="stable")
    chosen = key.index[-1] if key.notna().any() else pool["window"].iloc[0]
    return chosen, pool[pool["window"] == chosen].drop(columns="_ref")


def estimate(measure: str, as_of: object = None, policy: str = "best",
             figures: pd.DataFrame | None = None) -> Estimate:
    """One number and an interval for `measure` as known on `as_of`, under `policy`."""
    check_policy(policy)
    data = compare._figures(figures, as_of)
    data = data.loc[data["measure"] == measure, [c for c in COLUMNS if c in data.columns]]
    win, current = latest_window(data)
    stamp = None if as_of is None else f"{pd.Timestamp(as_of):%Y-%m-%d}"
    if current.empty:
        return Estimate(measure, stamp, policy, None, None, None, None, 0, (),
                        "no claims known by this date")
    statements = current.sort_values("figure_id").drop_duplicates("statement_id")
    readings = [(READERS[policy](r), r) for _, r in statements.iterrows()]
    readings = [(v, r) for v, r in readings if v is not None]
    value = COMBINE[policy]([v for v, _ in readings])
    lows = [v for v in (_lowest(r) for _, r in statements.iterrows()) if v is not None]
    highs = [v for v in (_highest(r) for _, r in statements.iterrows()) if v is not None]
    chosen = [r for v, r in readings if v == value]
    who = f" ({chosen[0]['claimant']})" if chosen and policy != "best" else ""
    explanation = (f"{policy}: the {WORDS[policy]} of {len(readings)} independent "
                   f"statement(s) in window {win}{who}")
    return Estimate(measure, stamp, policy, value, min(lows), max(highs), win,
                    len(statements), tuple(current["figure_id"].sort_values()), explanation)


def sensitivity(measure: str, as_of: object = None, figures: pd.DataFrame | None = None) \
        -> pd.DataFrame:
    """The estimate under every policy, side by side."""
    rows = []
    for policy in POLICIES:
        e = estimate(measure, as_of, policy, figures)
        rows.append({"policy": policy, "value": e.value, "low": e.low, "high": e.high,
                     "window": e.window, "statements": e.statements,
                     "explanation": e.explanation})
    return pd.DataFrame(rows)
