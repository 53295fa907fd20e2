"""Property tests: the raw-table reader and checks never crash, and what passes is sound."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema, validate
from analysis.errors import Problem

SETTINGS = settings(max_examples=2000, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "7000", "2026-01-21", "2026-02-30", "stock", "exact",
                     "approx", "at_least", "up_to", "range", "<script>", "a,b", 'say "x"',
                     "line\nbreak", "نحو 10 آلاف", "\u202e", "١٥٠"]),
)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _check_table(table: schema.Table, path: Path) -> list[Problem]:
    raw, problems = validate.read_csv(table, path, path.name)
    if raw is None:
        return problems
    found, bad = validate.check_columns(raw)
    frame = validate.typed(raw, bad)
    problems += found
    if table is schema.FIGURES:
        problems += validate.check_figures(raw, frame, bad)
        if not problems:  # what passes keeps low ≤ best ≤ high
            for a, b in schema.BOUND_PAIRS:
                both = frame[a].notna() & frame[b].notna()
                assert (frame.loc[both, a] <= frame.loc[both, b]).all()
    return problems


@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=len(schema.MEASURES.columns),
                              max_size=len(schema.MEASURES.columns)), max_size=4))
def test_measures_reader_never_crashes(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("m") / "measures.csv"
    _write(path, schema.MEASURES.columns, rows)
    lines = path.read_text(encoding="utf-8").count("\n")
    for p in _check_table(schema.MEASURES, path):
        assert p.file == "measures.csv"
        assert p.line is None or 1 <= p.line <= lines
        assert p.field is None or p.field in schema.MEASURES.columns


number = st.one_of(st.just(""), st.integers(-5, 10**7).map(str), st.sampled_from(["1e3", "x"]))


@SETTINGS
@given(values=st.lists(st.tuples(number, number, number,
                                 st.sampled_from(schema.HEDGES + ("about",))),
                       min_size=1, max_size=4))
def test_figure_bounds_checks_are_sound(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("f") / "figures.csv"
    base = dict.fromkeys(schema.FIGURES.columns, "")
    base.update(source_id="s", statement_id="st", claimant="c", measure="m", unit="u",
                place_id="p")
    rows = []
    for i, (lo, best, hi, hedge) in enumerate(values):
        row = dict(base, figure_id=f"f{i}", value_low=lo, value_best=best, value_high=hi,
                   hedge=hedge)
        rows.append([row[c] for c in schema.FIGURES.columns])
    _write(path, schema.FIGURES.columns, rows)
    problems = _check_table(schema.FIGURES, path)
    for p in problems:
        assert p.line is not None and 2 <= p.line <= len(rows) + 1


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_give_problems_not_exceptions(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("b") / "measures.csv"
    path.write_bytes(",".join(schema.MEASURES.columns).encode() + b"\n" + data)
    problems = _check_table(schema.MEASURES, path)
    assert all(isinstance(p, Problem) for p in problems)
    if not problems:
        assert isinstance(pd.read_csv(path, dtype=str), pd.DataFrame)
