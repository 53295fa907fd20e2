"""The values the notebooks' parameters may take, checked before any notebook runs.

A value a notebook would refuse (a 13th month, a language no page is written in) is then an
error of the command, naming what is allowed, before a kernel starts or a page is replaced.
The library's own checks (`i18n.check_lang`, `policies.check_policy`) stay, for analysts who
call it or run a notebook by hand. Kept free of heavy imports: every `analysis run` reads it.
"""

from __future__ import annotations

import datetime as dt
import re

from analysis import i18n
from analysis.errors import AnalysisError

POLICIES = ("conservative", "best", "upper")  # coding policies: see `analysis.policies`
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_of(value: object) -> str | None:
    if value is None or isinstance(value, dt.date):
        return None
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
            return None
        except ValueError as exc:
            return f"not a date ({exc})"
    return "not a date as YYYY-MM-DD (e.g. 2026-01-25), or None for every report"


def check_as_of(as_of: object) -> None:
    """For the library: `load_figures(as_of=2026)` would otherwise read 2026 nanoseconds after
    1970 and find no report, and "2026-02-30" fail inside pandas."""
    problem = _as_of(as_of)
    if problem:
        raise AnalysisError(f"as_of = {as_of!r}: {problem}")


def _one_of(allowed: tuple[str, ...]):
    def check(value: object) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"
    return check


def _tile_provider(value: object) -> str | None:
    """A tile provider folium knows by name (xyzservices, which folium depends on): any other
    text, a URL included, fails in the notebook, since folium then wants an attribution."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        import xyzservices  # only for a map with tiles: every `analysis run` reads this module

        try:  # as folium.TileLayer reads a name, "openstreetmap" its own alias
            xyzservices.providers.query_name(
                "OpenStreetMap Mapnik" if value.lower() == "openstreetmap" else value)
            return None
        except ValueError:
            pass
    return ("must be a tile provider's name (e.g. OpenStreetMap, CartoDB positron; xyzservices "
            "lists them) or None for an offline map")


CHECKS = {"as_of": _as_of, "lang": _one_of(i18n.LANGS), "policy": _one_of(POLICIES),
          "tiles": _tile_provider}


def problems(given: dict) -> list[str]:
    """What is wrong with the given parameter values, one line each (names without a check,
    e.g. a notebook's own, are left to that notebook)."""
    out = []
    for name, value in sorted(given.items()):
        check = CHECKS.get(name)
        problem = check(value) if check else None
        if problem:
            out.append(f"parameter {name} = {value!r}: {problem}")
    return out


def check(parameter_sets: list[dict]) -> None:
    """Raise, listing every problem (with its set's number when there are several)."""
    lines = []
    for i, given in enumerate(parameter_sets, 1):
        where = f"parameter set {i}: " if len(parameter_sets) > 1 else ""
        lines += [where + line for line in problems(given)]
    if lines:
        raise AnalysisError("\n".join(lines))
