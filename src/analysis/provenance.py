"""Grounding and coverage: every figure is found in its words, every number in a text is seen.

- A figure whose source text is stored is *grounded* when its quote (at its offsets) holds a
  quantity (`analysis.quantities.find`) of kind figure whose hedge and low/best/high equal
  the figure's.
- Every quantity of kind figure in a stored text is either *explained* — inside a figure's
  quote, or repeating a value and hedge coded for that source — or listed in the coverage
  table with the reason it is not in the ledger (from data/raw/uncoded.csv, written by a
  person; a vague amount says so by itself).
"""

from __future__ import annotations

import pandas as pd

from analysis import i18n, schema


def _figures_in(text: str, start: int, end: int) -> list:
    from analysis.quantities import find

    return [q for q in find(text[start:end]) if q.kind == "figure"]


def _values(obj) -> tuple:
    def norm(v):
        return None if v is None or pd.isna(v) else int(v)

    return (norm(obj.value_low), norm(obj.value_best), norm(obj.value_high), obj.hedge)


def disagreement(text: str, figure) -> str | None:
    """Why the quote at the figure's offsets does not state the figure; None when it does."""
    found = _figures_in(text, int(figure.quote_start), int(figure.quote_end))
    want = _values(figure)
    if any(_values(q) == want for q in found):
        return None
    said = "; ".join(f"{q.text!r} = {_describe(_values(q))}" for q in found) or "no figure"
    return (f"figure {figure.figure_id}: the quote states {said}, but the row codes "
            f"{_describe(want)}")


def _describe(values: tuple) -> str:
    lo, best, hi, hedge = values
    return f"{i18n.format_value(lo, best, hi, hedge)} ({hedge}, low/best/high " \
           f"{lo}/{best}/{hi})"


def coverage(figures: pd.DataFrame, texts: dict[str, str], notes: pd.DataFrame) -> pd.DataFrame:
    """Every quantity of kind figure in every stored text, explained or with its reason."""
    from analysis.quantities import find

    rows = []
    for source_id in sorted(texts):
        text = texts[source_id]
        coded = figures[(figures["source_id"] == source_id) & figures["quote_start"].notna()]
        spans = [(int(r.quote_start), int(r.quote_end), r.figure_id) for r in coded.itertuples()]
        values = {_values(r): r.figure_id for r in figures[figures["source_id"] == source_id]
                  .sort_values("figure_id").itertuples()}
        reasons = {(int(r.start), int(r.end)): r.reason
                   for r in notes[notes["source_id"] == source_id].itertuples()}
        for q in find(text):
            if q.kind != "figure":
                continue
            inside = next((f for s, e, f in spans if s <= q.number_start and q.number_end <= e),
                          None)
            if inside is not None:
                status, figure_id, reason = "explained", inside, "inside the figure's quote"
            elif _values(q) in values:
                status, figure_id = "explained", values[_values(q)]
                reason = "repeats a value coded for this source"
            else:
                status, figure_id = "not in ledger", ""
                reason = reasons.get((q.start, q.end)) or (
                    "vague amount: no number to code" if q.hedge == "vague" else "")
                if not reason:
                    status = "unexplained"
            rows.append({"coverage_id": f"{source_id}:{q.start}", "source_id": source_id,
                         "start": q.start, "end": q.end, "phrase": q.text, "hedge": q.hedge,
                         "value_low": q.value_low, "value_best": q.value_best,
                         "value_high": q.value_high, "status": status,
                         "figure_id": figure_id, "reason": reason})
    out = pd.DataFrame(rows, columns=schema.COVERAGE.columns)
    for col in ("start", "end", "value_low", "value_best", "value_high"):
        out[col] = out[col].astype("Int64")
    return out
