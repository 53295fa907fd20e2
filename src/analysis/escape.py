"""Escaping of every text that comes from data, for HTML pages and folium's JavaScript."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

# Bidi controls and NUL would let data reorder or cut what a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def text(value: object) -> str:
    """HTML-escape a data value (None and NA become an empty string)."""
    if value is None or (not isinstance(value, str) and _isna(value)):
        return ""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


# A date breaks at its hyphens at a line's end ("2026-01-" / "21") in narrow table cells; and
# after Arabic words the bidi algorithm reads its numbers as Arabic numbers and lays them out
# right to left ("28-02-2026"), while the same date alone in a cell reads "2026-02-28". Each
# date (day, month, ISO week of a comparison window) is kept whole and left to right.
# Arabic letters may touch it ("و2026-02-28": "and 2026-02-28"); Latin ones and digits not.
_DATE = re.compile(r"(?<![0-9A-Za-z_-])\d{4}-(?:\d{2}(?:-\d{2})?|W\d{2})(?![0-9A-Za-z_-])")
_WHOLE = "<span dir='ltr' style='white-space:nowrap'>"
# A range of numbers broke after its dash ("6,200–" / "6,500", in Arabic "–6,200" / "6,500",
# which reads as a negative number): kept on one line, its order left to the bidi algorithm
# (right to left in Arabic, where the reader meets the lower number first).
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_RANGE = re.compile(rf"(?<![\d,.-]){_NUMBER}–{_NUMBER}(?![\d-])(?!,\d)")
# A period (`i18n.format_when`: "2025-02-01 – 2025-02-25") may break after its dash, which
# stays with the first date: kept whole, it held a narrow column ("Holds for") 180 px wide
# and squeezed the claims' words beside it to a few words a line.
_PERIOD = re.compile(rf"({_DATE.pattern} –) ({_DATE.pattern})")
_NOWRAP = "<span style='white-space:nowrap'>"
# An ISO 3166-2 code broke at its hyphen too ("SY-" / "HA"; in Arabic "-IQ" / "BG"): whole.
_CODE = re.compile(r"(?<![\w-])[A-Z]{2}-[A-Z0-9]{1,3}(?![\w-])")


def prose(value: object, escaper: Callable[[object], str] | None = None) -> str:
    """Escape element content (never an attribute's value); keep each date on one line and
    left to right, in English and Arabic text alike, and each range of numbers on one line
    (a period of dates breaks after its dash only).

    The text a reader copies is unchanged: only an isolating span with an inline style is
    added, which also works inside folium's popups, where the page's style sheet does not
    reach.
    """
    out = (escaper or text)(value)
    out = _RANGE.sub(lambda m: f"{_NOWRAP}{m.group(0)}</span>", out)
    out = _PERIOD.sub(lambda m: f"{_NOWRAP}{m.group(1)}</span> {m.group(2)}", out)
    for pattern in (_DATE, _CODE):
        out = pattern.sub(lambda m: f"{_WHOLE}{m.group(0)}</span>", out)
    return out


def isolate_dates(value: str) -> str:
    """For text drawn without markup (matplotlib's, laid out by raqm, which follows the bidi
    algorithm too): each date between Unicode's left-to-right isolate and its pop."""
    return _DATE.sub(lambda m: f"\u2066{m.group(0)}\u2069", value)


def for_folium(value: object) -> str:
    """Escape for folium popups and tooltips, which sit inside JavaScript template literals.

    HTML escaping alone leaves `${...}` (runs as JavaScript) and backslashes; see
    ../reference/toolchain-notes §3.5 in the design notes. Braces too: branca renders each
    element's finished output again as a Jinja template, so `{{ … }}` in the data was
    evaluated (Jinja is Python: code from the data, run by the kernel) and an unclosed
    `{%` stopped the map with a TemplateSyntaxError.
    """
    return (text(value).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("{", "&#123;").replace("}", "&#125;"))


def safe_url(value: object) -> str | None:
    """The URL if it is a plain http(s) link, else None (never a javascript: link)."""
    if value is None or not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or _CONTROL.search(url):
        return None
    return url


def link(url: object, label: object, escaper=text, name: str | None = None) -> str:
    """An <a> to an http(s) URL, or the escaped label alone when the URL is not safe.

    `name` is what a screen reader says instead of a label that is only a sign (↗)."""
    good = safe_url(url)
    if good is None:
        return escaper(label)
    aria = f' aria-label="{escaper(name)}"' if name else ""
    return (f'<a href="{escaper(good)}" target="_blank" rel="noopener noreferrer"{aria}>'
            f"{escaper(label)}</a>")


def _isna(value: object) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
