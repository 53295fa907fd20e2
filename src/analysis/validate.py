"""Validation of the raw tables against `analysis.schema`.

Column checks (types, enums, required, unique, ranges, patterns) run through a pandera
schema generated from the table definition; the checks that span rows, fields or tables
(bounds, hedges, foreign keys, quote offsets, stored-text hashes) are written here. Every
failure becomes a `Problem` naming the file, the physical line and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from analysis import paths, provenance, schema
from analysis.errors import Problem, ValidationError
from analysis.schema import Field, Table

_INT = re.compile(r"^-?[0-9]+$")
_NUM = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass
class RawTable:
    """A raw CSV read as text, with the physical line each row starts on."""

    table: Table
    path: Path
    label: str  # the file as shown in messages (relative to the project root)
    frame: pd.DataFrame  # all columns str, "" kept as ""
    lines: list[int]

    def line(self, index: int) -> int:
        return self.lines[index]


def read_csv(table: Table, path: Path, label: str) -> tuple[RawTable | None, list[Problem]]:
    """Read one raw CSV strictly; report structural problems instead of guessing."""
    if not path.is_file():
        return None, [Problem(label, None, None, "file is missing")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(label, line, None,
                              f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                              f"{exc.start}); save the file as UTF-8")]
    if text.startswith("\ufeff"):
        return None, [Problem(label, 1, None,
                              "starts with a byte-order mark (BOM); save as UTF-8 without BOM")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(label, line, None, "contains a NUL character")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    try:
        start = 1
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return None, [Problem(label, reader.line_num, None, f"malformed CSV: {exc}")]
    if not rows:
        return None, [Problem(label, 1, None, "file is empty; expected a header row")]
    header, body, lines = rows[0], rows[1:], lines[1:]
    expected = table.columns
    if header != expected:
        missing = [c for c in expected if c not in header]
        unknown = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append("missing column(s) " + ", ".join(missing))
        if unknown:
            detail.append("unknown column(s) " + ", ".join(repr(c) for c in unknown))
        if not detail:
            detail.append("columns out of order")
        return None, [Problem(label, 1, None,
                              "; ".join(detail) + f" (expected: {','.join(expected)})")]
    kept_rows, kept_lines = [], []
    for row, line in zip(body, lines, strict=True):
        if row == [] or row == [""]:
            problems.append(Problem(label, line, None, "empty line"))
            continue
        if len(row) != len(expected):
            problems.append(Problem(label, line, None,
                                    f"has {len(row)} fields, expected {len(expected)} "
                                    "(a stray comma, an unquoted comma or a wrong delimiter?)"))
            continue
        kept_rows.append(row)
        kept_lines.append(line)
    frame = pd.DataFrame(kept_rows, columns=expected, dtype="string")
    return RawTable(table, path, label, frame, kept_lines), problems


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@functools.cache
def _pandera_schema(table: Table):
    """Generate the pandera schema of one table from its field definitions."""
    import pandera.pandas as pa

    def value_checks(f: Field) -> list:
        checks = [pa.Check(lambda s: s.str.len() <= schema.MAX_FIELD_LENGTH, element_wise=False,
                           error=f"longer than {schema.MAX_FIELD_LENGTH} characters")]
        if f.type == "integer":
            checks.append(pa.Check.str_matches(_INT.pattern, error="not an integer"))
            checks.append(pa.Check(lambda s: s.map(_fits).astype(bool),
                                   error="too large (beyond a 64-bit integer)"))
        elif f.type == "number":
            checks.append(pa.Check.str_matches(_NUM.pattern, error="not a number"))
        elif f.type == "date":
            checks.append(pa.Check(lambda s: s.map(_is_date).astype(bool),
                                   error="not a valid date (YYYY-MM-DD)"))
        if f.type == "string":  # spaces alone are no value: empty the cell or write one
            checks.append(pa.Check(lambda s: s.str.strip() != "", element_wise=False,
                                   error="only spaces"))
        if f.arabic:  # blank cells are reported once, by the check above
            checks.append(pa.Check(
                lambda s: s.str.contains(schema.ARABIC_LETTER) | (s.str.strip() == ""),
                element_wise=False, error="not Arabic text (this field is for Arabic pages)"))
        if f.enum:
            checks.append(pa.Check.isin(f.enum, error="not one of " + ", ".join(f.enum)))
        if f.pattern:
            checks.append(pa.Check.str_matches(f.pattern, error=f"not of the form {f.pattern}"))
        if f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
            lo = -float("inf") if f.minimum is None else f.minimum
            hi = float("inf") if f.maximum is None else f.maximum
            checks.append(pa.Check(
                lambda s, lo=lo, hi=hi: pd.to_numeric(s, errors="coerce").between(lo, hi)
                | pd.to_numeric(s, errors="coerce").isna(),
                error=f"outside {lo:g}..{hi:g}"))
        return checks

    columns = {
        f.name: pa.Column("string", nullable=not f.required, unique=f.unique,
                          checks=value_checks(f), coerce=False)
        for f in table.fields
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def check_columns(raw: RawTable) -> tuple[list[Problem], set[tuple[int, str]]]:
    """Types, enums, required, unique, ranges and patterns, through pandera.

    Returns the problems and the (row index, column) cells that failed, so that later
    checks neither use those values nor complain about them twice.
    """
    import pandera.errors

    frame = raw.frame.replace("", pd.NA)
    problems: list[Problem] = []
    bad: set[tuple[int, str]] = set()
    try:
        _pandera_schema(raw.table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for rec in cases.to_dict("records"):
            index, column, check = rec.get("index"), rec.get("column"), str(rec.get("check"))
            if index is None or pd.isna(index):
                problems.append(Problem(raw.label, None, column, check))
                continue
            value = rec.get("failure_case")
            line = raw.line(int(index))
            bad.add((int(index), column))
            if check == "not_nullable":
                msg = "is required but empty"
            elif check == "field_uniqueness":
                msg = f"duplicate value {_show(value)}"
            else:
                msg = f"{_show(value)} is {check}"
            problems.append(Problem(raw.label, line, column, msg))
    return problems, bad


def _fits(value: str) -> bool:
    """A 64-bit integer, or not an integer at all (which another check reports)."""
    return not _INT.fullmatch(value) or -2**63 <= int(value) < 2**63


def _show(value: object, limit: int = 60) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def typed(raw: RawTable, bad: frozenset[tuple[int, str]] | set = frozenset()) -> pd.DataFrame:
    """Convert a text frame to the schema's dtypes (empty and failed cells → missing)."""
    frame = raw.frame.replace("", pd.NA)
    for index, column in bad:
        frame.loc[index, column] = pd.NA
    out = {}
    for f in raw.table.fields:
        col = frame[f.name]
        if f.type == "integer":
            out[f.name] = pd.to_numeric(col).astype("Int64")
        elif f.type == "number":
            out[f.name] = pd.to_numeric(col).astype("Float64")
        elif f.type == "date":
            out[f.name] = pd.to_datetime(col, format="%Y-%m-%d").astype("datetime64[s]")
        else:
            out[f.name] = col.astype("string")
    return pd.DataFrame(out, index=frame.index)


# --- checks across fields, rows and tables ------------------------------------------------

_HEDGE_NEEDS = {  # the values a hedge implies (vague: whichever bounds it has)
    "exact": ("value_best",), "approx": ("value_best",),
    **dict.fromkeys(schema.LOW_BOUNDS, ("value_low",)),
    **dict.fromkeys(schema.HIGH_BOUNDS, ("value_high",)),
    "range": ("value_low", "value_high"),
}


def check_figures(raw: RawTable, frame: pd.DataFrame, bad: set = frozenset()) -> list[Problem]:
    """Bounds and hedges: low ≤ best ≤ high, and the values a hedge implies are present; and
    the figure's words, quoted or paraphrased (a number nobody can trace is not a claim)."""
    problems = []
    for i, row in frame.iterrows():
        line = raw.line(i)
        if any((i, c) in bad for c in ("value_low", "value_best", "value_high", "hedge",
                                       "period_start", "period_end")):
            continue  # already reported; a missing value here would only repeat it
        lo, best, hi = row["value_low"], row["value_best"], row["value_high"]
        if pd.isna(lo) and pd.isna(best) and pd.isna(hi):
            problems.append(Problem(raw.label, line, "value_best",
                                    "no value: set at least one of value_low, value_best, "
                                    "value_high"))
        for a, b in schema.BOUND_PAIRS:
            if pd.notna(row[a]) and pd.notna(row[b]) and row[a] > row[b]:
                problems.append(Problem(raw.label, line, a,
                                        f"{a}={row[a]} is greater than {b}={row[b]}"))
        for needed in _HEDGE_NEEDS.get(row["hedge"], ()):
            if pd.isna(row[needed]):
                problems.append(Problem(raw.label, line, needed,
                                        f"hedge {row['hedge']!r} needs {needed}"))
        if pd.notna(row["period_start"]) and pd.notna(row["period_end"]) \
                and row["period_start"] > row["period_end"]:
            problems.append(Problem(raw.label, line, "period_start",
                                    "period_start is after period_end"))
        if pd.isna(row["period_start"]) != pd.isna(row["period_end"]):
            field = "period_end" if pd.isna(row["period_end"]) else "period_start"
            problems.append(Problem(raw.label, line, field,
                                    "a period needs both period_start and period_end"))
        if pd.isna(row["quote"]) and pd.isna(row["paraphrase"]) \
                and (i, "quote") not in bad and (i, "paraphrase") not in bad:
            problems.append(Problem(raw.label, line, "paraphrase",
                                    "no words: give the quote or, when the text is not "
                                    "stored, a paraphrase of what the source says"))
    return problems


def check_places(raw: RawTable, frame: pd.DataFrame, bad: set = frozenset()) -> list[Problem]:
    problems = []
    for i, row in frame.iterrows():
        if (i, "lat") in bad or (i, "lon") in bad:
            continue
        if pd.isna(row["lat"]) != pd.isna(row["lon"]):
            field = "lon" if pd.isna(row["lon"]) else "lat"
            problems.append(Problem(raw.label, raw.line(i), field,
                                    "lat and lon must both be given or both be empty"))
    return problems


def check_foreign_keys(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame]) \
        -> list[Problem]:
    problems = []
    for raw in raws.values():
        frame = frames[raw.table.name]
        for fk in raw.table.foreign_keys:
            if fk.table not in frames:
                continue
            known = set(frames[fk.table][fk.reference].dropna())
            for i, value in frame[fk.field].items():
                if pd.notna(value) and value not in known:
                    problems.append(Problem(raw.label, raw.line(i), fk.field,
                                            f"{_show(value)} is not a {fk.reference} in "
                                            f"{raws[fk.table].label}"))
    return problems


def check_texts(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame], raw_dir: Path,
                bad: dict[str, set] | None = None) -> tuple[list[Problem], dict[str, str]]:
    """Stored texts exist and match their sha256; quotes sit at their offsets."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    bad = bad or {}
    src_raw, sources = raws["sources"], frames["sources"]
    for i, row in sources.iterrows():
        if pd.isna(row["text_path"]) or (i, "text_path") in bad.get("sources", ()):
            continue
        line = src_raw.line(i)
        rel = Path(str(row["text_path"]))
        path = (raw_dir / rel).resolve()
        if rel.is_absolute() or raw_dir.resolve() not in path.parents:
            problems.append(Problem(src_raw.label, line, "text_path",
                                    "must be a relative path inside data/raw/"))
            continue
        if not path.is_file():
            problems.append(Problem(src_raw.label, line, "text_path",
                                    f"stored text data/raw/{rel} is missing"))
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if pd.isna(row["text_sha256"]):
            problems.append(Problem(src_raw.label, line, "text_sha256",
                                    f"is empty; the stored text's sha256 is {digest}"))
        elif digest != row["text_sha256"]:
            problems.append(Problem(src_raw.label, line, "text_sha256",
                                    f"does not match data/raw/{rel} (its sha256 is {digest}): "
                                    "the stored text changed"))
            continue
        try:
            texts[row["source_id"]] = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(src_raw.label, line, "text_path",
                                    f"data/raw/{rel} is not valid UTF-8"))
    fig_raw, figures = raws["figures"], frames["figures"]
    # A source whose stored text could not be read is reported once, above: its figures'
    # quotes are not checked against nothing (one wrong sha256 gave one line per figure).
    unreadable = set(sources.loc[sources["text_path"].notna(), "source_id"]) - set(texts)
    known = set(sources["source_id"].dropna()) - unreadable
    for i, row in figures.iterrows():
        line = fig_raw.line(i)
        if row["source_id"] not in known:
            continue  # reported as a dangling foreign key
        if pd.isna(row["quote"]) and row["source_id"] in texts \
                and (i, "quote") not in bad.get("figures", ()):
            problems.append(Problem(fig_raw.label, line, "quote",
                                    "is required: the source's text is stored, so the figure "
                                    "must quote it"))
            continue
        if any((i, c) in bad.get("figures", ()) for c in ("quote_start", "quote_end", "quote",
                                                            "source_id")):
            continue
        text = texts.get(row["source_id"])
        wrong = _misquoted(text, row["quote_start"], row["quote_end"], row["quote"],
                           f"figure {row['figure_id']}")
        if wrong:
            problems.append(Problem(fig_raw.label, line, *wrong))
            continue
        if pd.isna(row["quote_start"]) or pd.isna(row["quote"]):
            continue
        if any((i, c) in bad.get("figures", ()) for c in ("value_low", "value_best",
                                                            "value_high", "hedge")):
            continue
        if any(pd.notna(row[a]) and pd.notna(row[b]) and row[a] > row[b]
               for a, b in schema.BOUND_PAIRS):
            continue  # reported by check_figures; the quote cannot match such a row
        wrong = provenance.disagreement(text, SimpleNamespace(**row.to_dict()))
        if wrong:
            problems.append(Problem(fig_raw.label, line, "quote", wrong))
    if "destinations" in raws:
        problems += _destination_quotes(raws["destinations"], frames["destinations"], figures,
                                        texts, known, bad.get("destinations", set()))
    if "uncoded" in raws:
        unc_raw = raws["uncoded"]
        for i, row in frames["uncoded"].iterrows():
            text = texts.get(row["source_id"])
            if text is None or pd.isna(row["start"]) or pd.isna(row["end"]):
                continue
            start, end = int(row["start"]), int(row["end"])
            if text[start:end] != row["phrase"]:
                problems.append(Problem(unc_raw.label, unc_raw.line(i), "start",
                                        f"text at {start}–{end} is {_show(text[start:end])}, "
                                        "not the phrase"))
    return problems, texts


def _misquoted(text: str | None, start: object, end: object, quote: object,
               who: str) -> tuple[str, str] | None:
    """(field, message) when a quote's offsets do not hold the quote; None when they do or
    when no offsets are given. Shared by every table that quotes a stored text."""
    if pd.isna(start) != pd.isna(end):
        return ("quote_end" if pd.isna(end) else "quote_start",
                "quote offsets come in pairs: set both or neither")
    if pd.isna(start) or pd.isna(quote):
        return None
    if text is None:
        return "quote_start", "offsets given but the source has no stored text"
    start, end, quote = int(start), int(end), str(quote)
    if not (0 <= start < end <= len(text)):
        return "quote_end", (f"{who}: offsets {start}–{end} are outside the stored text "
                             f"(length {len(text)})")
    if text[start:end] != quote:
        found = text.find(quote)
        hint = f"; the quote is at {found}–{found + len(quote)}" if found >= 0 else \
            "; the quote is not in the text"
        return "quote_start", (f"{who}: text at {start}–{end} is {_show(text[start:end])}, "
                               f"not the quote{hint}")
    return None


def _destination_quotes(raw: RawTable, frame: pd.DataFrame, figures: pd.DataFrame,
                        texts: dict[str, str], known_sources: set, bad: set) -> list[Problem]:
    """A destination quotes the stored text of its figure's source, as the figure does."""
    problems = []
    figures = figures.dropna(subset=["figure_id"])
    source_of = figures.drop_duplicates("figure_id").set_index("figure_id")["source_id"]
    for i, row in frame.iterrows():
        source = source_of.get(row["figure_id"]) if pd.notna(row["figure_id"]) else None
        if source is None or pd.isna(source) or source not in known_sources:
            continue  # a dangling figure_id or source_id is reported as a foreign key
        line = raw.line(i)
        if pd.isna(row["quote"]) and source in texts and (i, "quote") not in bad:
            problems.append(Problem(raw.label, line, "quote",
                                    f"is required: the text of figure {row['figure_id']}'s "
                                    "source is stored, so the row must quote it"))
            continue
        if any((i, c) in bad for c in ("quote_start", "quote_end", "quote")):
            continue
        who = f"figure {row['figure_id']}, place {row['place_id']}"
        wrong = _misquoted(texts.get(source), row["quote_start"], row["quote_end"],
                           row["quote"], who)
        if wrong:
            problems.append(Problem(raw.label, line, *wrong))
    return problems


def check_keys(raw: RawTable, frame: pd.DataFrame, bad: set = frozenset()) -> list[Problem]:
    """A key of several fields is unique as a whole (one field's `unique` cannot say it)."""
    fields = raw.table.key_fields
    if len(fields) < 2:
        return []  # a one-field key is checked as the field's `unique` constraint
    problems = []
    first: dict[tuple, int] = {}
    for i, row in frame.iterrows():
        if any((i, f) in bad or pd.isna(row[f]) for f in fields):
            continue
        key = tuple(str(row[f]) for f in fields)
        if key in first:
            problems.append(Problem(raw.label, raw.line(i), fields[-1],
                                    f"duplicate ({', '.join(fields)}) {key!r}, first on line "
                                    f"{first[key]}"))
        else:
            first[key] = raw.line(i)
    return problems



@dataclass
class RawData:
    sources: pd.DataFrame
    claimants: pd.DataFrame
    measures: pd.DataFrame
    places: pd.DataFrame
    figures: pd.DataFrame
    destinations: pd.DataFrame
    uncoded: pd.DataFrame
    texts: dict[str, str]


def load_raw(raw_dir: Path, label_root: Path | None = None) -> RawData:
    """Read and validate every raw table; raise ValidationError listing every problem."""
    label_root = label_root or raw_dir.parent.parent
    problems: list[Problem] = []
    raws: dict[str, RawTable] = {}
    for table in schema.RAW_TABLES:
        path = raw_dir / table.filename
        label = paths.relative(path, label_root)
        raw, found = read_csv(table, path, label)
        problems += found
        if raw is not None:
            raws[table.name] = raw
    bad: dict[str, set[tuple[int, str]]] = {}
    for name, raw in raws.items():
        found, bad[name] = check_columns(raw)
        problems += found
    # Failed cells become missing, so the cross checks still run on everything else.
    frames = {name: typed(raw, bad[name]) for name, raw in raws.items()}
    if "figures" in frames:
        problems += check_figures(raws["figures"], frames["figures"], bad["figures"])
    if "places" in frames:
        problems += check_places(raws["places"], frames["places"], bad["places"])
    for name, raw in raws.items():
        problems += check_keys(raw, frames[name], bad[name])
    problems += check_foreign_keys(raws, frames)
    texts: dict[str, str] = {}
    if "sources" in frames and "figures" in frames:
        found, texts = check_texts(raws, frames, raw_dir, bad)
        problems += found
        problems += check_dates(raws, frames)
    if problems or len(frames) != len(schema.RAW_TABLES):
        raise ValidationError(problems)
    return RawData(**{t.name: frames[t.name] for t in schema.RAW_TABLES}, texts=texts)


def check_dates(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """A figure cannot hold for a date after its source was published."""
    problems = []
    published = frames["sources"].set_index("source_id")["published"]
    published = published[~published.index.duplicated()]
    fig_raw = raws["figures"]
    for i, row in frames["figures"].iterrows():
        when = published.get(row["source_id"])
        if pd.notna(row["as_of"]) and when is not None and pd.notna(when) \
                and row["as_of"] > when:
            problems.append(Problem(fig_raw.label, fig_raw.line(i), "as_of",
                                    f"{row['as_of']:%Y-%m-%d} is after the source's publication "
                                    f"date {when:%Y-%m-%d}"))
    return problems
