"""The folium map of claims: offline, deterministic, escaped, honest about location precision.

- Leaflet and jQuery are inlined from the pinned XStatic packages; no tile server is needed
  (the base layer is drawn from the Natural Earth boundaries). A tile layer is added only
  when asked for (`tiles=`), for readers who are online.
- Element ids come from a counter reset for each map, so the same inputs give the same HTML.
- A place is drawn where it is known (`analysis.geo.drawn_as`): a marker at its point, else its
  governorate or country as an area, never a guessed point; regions are listed, not drawn.
- Markers are sized by the place's latest figure read under a coding policy
  (`analysis.policies`), hollow when that figure rests on a hedged claim.
- Every text from data is escaped (`analysis.escape.for_folium`): folium does not escape
  popups or tooltips.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import compare, escape, geo, i18n, policies
from analysis.i18n import word
from analysis.ledger import claimant_name, measure_labels, names_for

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

BOUNDS = ((29.0, 35.6), (37.4, 48.6))  # Syria and Iraq, south-west and north-east corners
TRANSFERRED = "transferred_to_iraq"
PLANNED = "planned_transfer_total"
# The transfer starts at the Ghweran / al-Sina'a prison area in Hasakah. Where it went is
# data: data/raw/destinations.csv holds the places a figure's report names as destinations,
# or rules out (`analysis.load_destinations()`), each shown once its figure is known by `as_of`.
FLOW_ORIGIN = "ghweran-prison"
FLOW_PX_PER_1000 = 2.0  # line width: 2 px per 1,000 detainees (7,000 planned → 14 px)
# Governorate shading: number of figures reported for places in the governorate.
BINS = ((1, 2), (3, 5), (6, 10), (11, 20), (21, None))
COLORS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")





_ids = itertools.count(1)


def _deterministic_ids() -> None:
    """Replace branca's random element ids (os.urandom) by a counter; reset per map."""
    global _ids
    from branca.element import Element

    _ids = itertools.count(1)
    Element._generate_id = classmethod(lambda cls: f"{next(_ids):08d}")


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# Leaflet focuses the map on mousedown (for its keyboard handler) and then restores the
# scroll of its own window only. Inside a report the map sits in an iframe, so the focus
# scrolls the report page under the pointer and the click lands elsewhere: popups of areas
# would not open. Focusing without scrolling keeps keyboard panning and the click.
#
# Leaflet also listens for focus on every shape with a tooltip (to show it), and Chromium
# makes an SVG element with a focus listener a tab stop: 35 stops named only "path" (the
# governorates, the transfer lines) stood before the first marker. A shape's tooltip still
# shows on hover and its popup on click; for the keyboard and screen readers the same
# figures are in the map in words, which the skip link leads to.
#
# And a focused marker's tooltip became its description (aria-describedby), which repeats
# its name word for word: a screen reader read each marker twice. A tooltip that says what
# the element already says is not made its description.
LEAFLET_FIXES = (
    b"L.Map.Keyboard.prototype._onMouseDown=function(){if(this._focused){return;}"
    b"this._map._container.focus({preventScroll:true});};"
    b"(function(on){L.Layer.prototype._addFocusListenersOnLayer=function(layer){"
    b"if(!(layer.getElement()instanceof SVGElement)){on.call(this,layer);}};})"
    b"(L.Layer.prototype._addFocusListenersOnLayer);"
    b"(function(describe){var said=function(e){return e.textContent.replace(/\\s+/g,' ').trim();};"
    b"L.Layer.prototype._setAriaDescribedByOnLayer=function(layer){var el=layer.getElement();"
    b"if(el&&said(el)===said(this._tooltip._container)){return;}describe.call(this,layer);};})"
    b"(L.Layer.prototype._setAriaDescribedByOnLayer);")


@cache
def offline_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) lists for folium, as data: URIs read from the installed XStatic packages."""
    import xstatic.pkg.jquery as xjquery
    import xstatic.pkg.leaflet as xleaflet

    leaflet = Path(xleaflet.BASE_DIR)
    jquery = Path(xjquery.BASE_DIR)
    images = leaflet / "images"

    def inline_image(match: re.Match) -> str:
        name = match.group(1)
        return f"url({_data_uri((images / name).read_bytes(), 'image/png')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline_image,
                 (leaflet / "leaflet.css").read_text(encoding="utf-8"))
    icon = _data_uri((images / "marker-icon.png").read_bytes(), "image/png")
    icon2x = _data_uri((images / "marker-icon-2x.png").read_bytes(), "image/png")
    shadow = _data_uri((images / "marker-shadow.png").read_bytes(), "image/png")
    icon_fix = (f"L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({{iconUrl:'{icon}',"
                f"iconRetinaUrl:'{icon2x}',shadowUrl:'{shadow}'}});").encode()
    js = [
        ("leaflet", _data_uri((leaflet / "leaflet.js").read_bytes(), "text/javascript")),
        ("leaflet_icon_fix", _data_uri(icon_fix, "text/javascript")),
        ("leaflet_fixes", _data_uri(LEAFLET_FIXES, "text/javascript")),
        ("jquery", _data_uri((jquery / "jquery.min.js").read_bytes(), "text/javascript")),
    ]
    return js, [("leaflet_css", _data_uri(css.encode("utf-8"), "text/css"))]


CSS = """<style>
.leaflet-container{background:#dbe6ee}
.place-icon{background:none;border:none}
.place-icon .dot{box-sizing:border-box;border-radius:50%;border:2px solid #b2182b;
  background:rgba(178,24,43,.55);width:100%;height:100%}
.place-icon .dot.hedged{background:rgba(255,255,255,.15)}
.place-icon .dot.none{border:1px solid #444;background:#777}
.map-legend{background:rgba(255,255,255,.92);padding:6px 8px;font:12px/1.4 sans-serif;
  border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3);max-width:280px;max-height:55vh;
  overflow-y:auto}
.map-legend summary{font-weight:bold;cursor:pointer}
.map-legend .sw{display:inline-block;width:14px;height:10px;margin:0 4px;
  border:1px solid #999;vertical-align:middle}
.map-legend .dash{border:2px dashed #67001f;background:none}
.flow-label{font:12px/1.3 sans-serif;font-weight:bold;white-space:normal;width:240px}
.leaflet-popup-content{max-height:min(320px,52vh);overflow-y:auto}
.leaflet-popup-content [dir]{text-align:start}
@media (max-width:500px){.leaflet-popup-content{width:calc(100vw - 110px)!important}}
.leaflet-interactive:focus:not(:focus-visible){outline:none}
.claim{margin:2px 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);
  white-space:nowrap}
</style>"""


def _page(lang: str):
    """folium's page for the map, saying its language and what it is: in a report the map
    is a document of its own in an iframe, which had no title and no `lang`."""
    from branca.element import Figure

    class Page(Figure):
        def render(self, **kwargs) -> str:
            # lang only: the map's own layout stays left to right (its texts carry their dir)
            return super().render(**kwargs).replace("<html>", f'<html lang="{lang}">', 1)

        def _repr_html_(self, **kwargs) -> str:
            out = super()._repr_html_(**kwargs)
            # branca's note for untrusted notebooks lies under the map: not to be read aloud
            out = out.replace('<span style="color:#565656">',
                              '<span style="color:#565656" aria-hidden="true">', 1)
            return out.replace("<iframe ", f'<iframe title="{self.title}" ', 1)

    return Page(title=escape.text(word("map_title", lang)))


def new_map(lang: str = "en") -> folium.Map:
    """An empty offline map: no tiles, inlined assets, deterministic ids, the region in view."""
    import folium

    _deterministic_ids()
    js, css = offline_assets()
    # folium's zoom buttons and scale bar are Leaflet's defaults: English titles and miles
    m = folium.Map(location=(34.5, 42.5), zoom_start=6, tiles=None, zoom_control=False,
                   prefer_canvas=False, min_zoom=5)
    m.add_to(_page(lang))
    _controls(lang).add_to(m)
    m.default_js = list(js)  # instance lists: folium's class lists stay untouched
    m.default_css = list(css)
    m.get_root().header.add_child(folium.Element(CSS))
    m.fit_bounds([list(BOUNDS[0]), list(BOUNDS[1])])
    return m


def _controls(lang: str):
    """Leaflet's zoom buttons titled in the page's language ("Zoom in" is what a screen reader
    said of them on Arabic pages too), and its scale bar, in kilometres only on Arabic pages
    (miles are not a unit their readers use)."""
    from branca.element import MacroElement
    from jinja2 import Template

    class Controls(MacroElement):
        _template = Template("""
            {% macro script(this, kwargs) %}
            L.control.zoom({zoomInTitle: {{ this.zoom_in|tojson }},
                            zoomOutTitle: {{ this.zoom_out|tojson }}})
                .addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: {{ this.imperial|tojson }}})
                .addTo({{ this._parent.get_name() }});
            {% endmacro %}
        """)

        def __init__(self) -> None:
            super().__init__()
            self._name = "Controls"
            self.zoom_in, self.zoom_out = word("zoom_in", lang), word("zoom_out", lang)
            self.imperial = lang not in i18n.RTL

    return Controls()


# -- popups -----------------------------------------------------------------------------------


def _claim_html(r: pd.Series, lang: str, names: Mapping[str, str]) -> str:
    e = escape.for_folium
    label = r["measure_label_ar"] if lang == "ar" else r["measure_label_en"]
    value = compare.value_text(r, lang)
    bounds = " / ".join(i18n.number(v) or "–" for v in (r["value_low"], r["value_best"],
                                                         r["value_high"]))
    when = i18n.format_when(r["as_of"], r["period_start"], r["period_end"], lang)
    if pd.notna(r["quote"]) and str(r["quote"]).strip():
        qlang = str(r["language"]) if pd.notna(r["language"]) else "und"
        qdir = "rtl" if qlang in i18n.WRITTEN_RTL else "ltr"  # popups quote attributes with '
        words = f"<div class='quote' dir='{qdir}' lang='{e(qlang)}'>«{e(r['quote'])}»</div>"
    else:  # the ledger's paraphrases are English summaries, never shown as quotations
        words = (f"<div class='paraphrase' dir='ltr' lang='en'>{e(r['paraphrase'])} "
                 f"<i {i18n.html_lang(lang)}>({e(word('paraphrase', lang))})</i></div>")
    return (
        f"<div class='claim'><b>{e(label)}</b>: {e(value)}<br>"
        f"{e(word('claimant', lang))}: {e(claimant_name(r['claimant'], names))} · "
        f"{escape.prose(when, e)} · "
        f"{e(word('hedge', lang))}: {e(i18n.code_name('hedge', r['hedge'], lang))} · "
        f"{e(word('low', lang))}/{e(word('best', lang))}/{e(word('high', lang))}: {e(bounds)}"
        f"{words}{escape.link(r['url'], r['outlet'], escaper=escape.for_folium)}</div>"
    )


def popup_html(claims: pd.DataFrame, lang: str, heading: str = "",
               names: Mapping[str, str] | None = None) -> str:
    """Popup content: for each claim the figure, hedge, bounds, who, when, words and link.

    Claimants are named as in the ledger table (`analysis.views.ledger`): `names`, default
    `analysis.ledger.claimant_names(lang)`, else the id.
    """
    names = names_for(lang, names)
    parts = [_claim_html(r, lang, names)
             for _, r in claims.sort_values("figure_id").iterrows()]
    direction = "rtl" if lang == "ar" else "ltr"
    head = f"<b>{escape.prose(heading, escape.for_folium)}</b><hr>" if heading else ""
    return (f"<div dir='{direction}' lang='{lang}' class='popup-body'>{head}"
            + "<hr>".join(parts) + "</div>")


def _tooltip(html: str, lang: str, **kwargs) -> folium.Tooltip:
    """A tooltip set in its language's direction: Leaflet lays tooltips out left to right,
    and an Arabic sentence holding a date kept left to right (escape.prose) then read from
    its end."""
    import folium

    return folium.Tooltip(f"<div {i18n.html_lang(lang)}>{html}</div>", **kwargs)


def _popup(html: str) -> folium.Popup:
    """A popup whose whole content scrolls (a governorate's heading and list made it taller
    than a phone's map), moved into view clear of the controls above and below it (the
    legend and the scale bar covered its last lines)."""
    import folium

    return folium.Popup(html, max_width=360, auto_pan_padding_top_left=(50, 80),
                        auto_pan_padding_bottom_right=(10, 70))


# -- latest figure per place ------------------------------------------------------------------


@dataclass(frozen=True)
class Latest:
    """The figure a marker is sized by: one measure's policy estimate, and how it was read."""

    measure: str
    label: str
    value: float
    hedged: bool
    reference: pd.Timestamp
    text: str  # the marker's words: label, reading, policy and date
    reading: str = ""  # the number with its range: '300 (150–300)'
    when: str = ""  # the date it holds for, or 'undated'
    figure_ids: tuple[str, ...] = ()  # the claims behind it


def _reading(est: policies.Estimate, lang: str) -> str:
    """An estimate as the map writes it: '1,900 (1,800–2,000)', '12 facilities (7–14)'; the
    range only when the claims disagree."""
    noun = i18n.unit_noun(est.unit, est.value, lang)  # '' for people
    span = i18n.span(est.low, est.high) if est.low != est.high else ""
    return f"{i18n.number(est.value)}{' ' + noun if noun else ''}{f' ({span})' if span else ''}"


def _reference(data: pd.DataFrame) -> pd.Timestamp:
    """The date a set of claims holds for: as_of, else the period's end, else publication."""
    ref = data["as_of"].fillna(data["period_end"]).fillna(data["published"])
    return ref.max() if ref.notna().any() else pd.Timestamp.min


def latest_figure(claims: pd.DataFrame, as_of: object, policy: str,
                  lang: str = "en") -> Latest | None:
    """The place's most recent figure: for each measure the policy's estimate, then the
    measure whose estimate holds for the latest date (ties: the larger value)."""
    return _newest(latest_figures(claims, as_of, policy, lang))


def _newest(figures: list[Latest]) -> Latest | None:
    """The figure holding for the latest date (ties: the larger value, then the first)."""
    best: Latest | None = None
    for cand in figures:
        if best is None or (cand.reference, cand.value) > (best.reference, best.value):
            best = cand
    return best


def latest_figures(claims: pd.DataFrame, as_of: object, policy: str,
                   lang: str = "en") -> list[Latest]:
    """A place's latest figure for each of its measures (by measure): the policy's estimate,
    as the marker and its popup read it."""
    out: list[Latest] = []
    by_measure: dict[str, list[policies.Record]] = {}
    for record in policies.records(claims):  # once for the place, not once per measure
        by_measure.setdefault(record["measure"], []).append(record)
    for measure, group in claims.groupby("measure", sort=True):
        est = policies.estimate_from(by_measure[measure], measure, as_of, policy)
        if est.value is None:
            continue
        used = group[group["figure_id"].isin(est.figure_ids)]
        first = used.iloc[0]
        label = first["measure_label_ar"] if lang == "ar" else first["measure_label_en"]
        ref = _reference(used)
        when = i18n.format_when(ref if ref != pd.Timestamp.min else None, None, None, lang)
        # one statement read: its own words ("more than 500" read "500"); several: the
        # policy's number and their range (their words are in the map in words)
        reading = compare.value_text(used.sort_values("figure_id").iloc[0], lang) \
            if est.statements == 1 \
            else _reading(est, lang)
        text = f"{label}: {reading} · {i18n.policy_phrase(policy, lang)} · {when}"
        out.append(Latest(measure, label, float(est.value),
                          bool((used["hedge"] != "exact").any()), ref, text, reading, when,
                          tuple(used["figure_id"])))
    return out


def radius_px(value: float) -> float:
    """Circle radius in pixels: area grows with the figure (4 px at 0, 30 px at most)."""
    return round(min(30.0, 4.0 + 0.2 * math.sqrt(max(value, 0.0))), 1)


# -- layers -----------------------------------------------------------------------------------


def _geojson(shapes: gpd.GeoDataFrame, style: dict, **kwargs) -> folium.GeoJson:
    """A GeoJson layer carrying geometry only (no data strings reach the page's JSON)."""
    import folium

    return folium.GeoJson(shapes[["geometry"]].__geo_interface__,
                          style_function=lambda _, s=style: s, **kwargs)


def base_layer(admin1: gpd.GeoDataFrame, admin0: gpd.GeoDataFrame, lang: str,
               online: bool = False) -> folium.FeatureGroup:
    """Countries and governorate outlines: the map reads without any tile server."""
    import folium

    group = folium.FeatureGroup(name=escape.for_folium(word("base", lang)), control=False)
    focus = admin0["adm0_a3"].isin(set(admin1["adm0_a3"]))
    for shapes, fill in ((admin0[~focus], "#e2ded5"), (admin0[focus], "#fbfaf6")):
        _geojson(shapes, {"color": "#777", "weight": 1, "fillColor": fill,
                          "fillOpacity": 0.0 if online else 1.0, "className": "boundary-admin0"},
                 interactive=False).add_to(group)
    _geojson(admin1, {"color": "#999", "weight": 0.6, "fillOpacity": 0,
                      "className": "boundary-admin1"}, interactive=False).add_to(group)
    return group


def _bin(count: int) -> int | None:
    for i, (lo, hi) in enumerate(BINS):
        if count >= lo and (hi is None or count <= hi):
            return i
    return None


def _bin_label(k: int, lang: str) -> str:
    """A shade's range as the legend writes it: '3–5', '21+' (Arabic '21 فأكثر': a '+' after
    the number is shown before it in right-to-left text, '+21')."""
    lo, hi = BINS[k]
    return word("or_more", lang).format(n=lo) if hi is None else f"{lo}–{hi}"


def governorate_counts(figures: pd.DataFrame, places: pd.DataFrame) -> pd.Series:
    """Figures reported for places inside each governorate (points and governorate-level)."""
    where = places.set_index("place_id")
    located = where[where["drawn_as"].isin(["point", "admin1"])]["admin1_code"]
    codes = figures["place_id"].map(located).dropna()
    return codes.value_counts().sort_index()


def _known_only(here: pd.DataFrame, name_col: str, lang: str) -> str:
    """The places of a governorate drawn as its area, the governorate itself left out."""
    return i18n.join(here[here["kind"] != "governorate"][name_col], lang)


def shading_layer(figures: pd.DataFrame, places: pd.DataFrame, admin1: gpd.GeoDataFrame,
                  lang: str, names: Mapping[str, str] | None = None) -> folium.FeatureGroup:
    """Governorates shaded by the number of figures reported for them, with popups listing
    the claims of places known only to the governorate (drawn as its area)."""
    import folium

    e = escape.for_folium
    names = names_for(lang, names)  # read once for every popup
    counts = governorate_counts(figures, places)
    name_col = "name_ar" if lang == "ar" else "name_en"
    # Narrowed once: filtering a whole frame per governorate copied every column each time.
    area_places = places[places["drawn_as"] == "admin1"][
        ["place_id", "admin1_code", "kind", name_col]]
    shapes = admin1[["admin1_code", "geometry"]]
    group = folium.FeatureGroup(name=e(word("shading", lang)))
    for _, gov in admin1[admin1["admin1_code"].notna()].iterrows():
        code = gov["admin1_code"]
        n = int(counts.get(code, 0))
        here = area_places[area_places["admin1_code"] == code].sort_values("place_id")
        k = _bin(n)
        style = {"color": "#67001f" if len(here) else "#999",
                 "weight": 2 if len(here) else 0.6,
                 "dashArray": "6 4" if len(here) else None,
                 "fillColor": COLORS[k] if k is not None else "#ffffff",
                 "fillOpacity": 0.7 if k is not None else 0.0,
                 "className": "governorate"}
        style = {key: v for key, v in style.items() if v is not None}
        title = f"{gov[name_col]} ({code}): {i18n.figures_count(n, lang)}"
        parts = [f"<b>{escape.prose(title, e)}</b>"]  # its code whole: "SY-" / "HA"
        if len(here):
            known = _known_only(here, name_col, lang)
            if known:
                parts.append(f"<div>{e(word('known_only', lang))}: {e(known)}</div>")
            claims = figures[figures["place_id"].isin(here["place_id"])]
            if not claims.empty:
                parts.append(popup_html(claims, lang, names=names))
        direction = "rtl" if lang == "ar" else "ltr"
        html = f"<div dir='{direction}' lang='{lang}'>" + "<hr>".join(parts) + "</div>"
        _geojson(shapes[shapes["admin1_code"] == code], style,
                 tooltip=_tooltip(escape.prose(title, e), lang),
                 popup=_popup(html)).add_to(group)
    return group


def country_layer(figures: pd.DataFrame, places: pd.DataFrame, admin0: gpd.GeoDataFrame,
                  lang: str, names: Mapping[str, str] | None = None
                  ) -> folium.FeatureGroup | None:
    """Countries shaded for figures about a whole country; off at first (switch on to click,
    as it then lies above the governorates)."""
    import folium

    e = escape.for_folium
    names = names_for(lang, names)
    countries = places[places["drawn_as"] == "country"].sort_values("place_id")
    group = folium.FeatureGroup(name=e(word("country_layer", lang)), show=False)
    drawn = 0
    for _, place in countries.iterrows():
        claims = figures[figures["place_id"] == place["place_id"]]
        shape = admin0[admin0["country_iso3"] == place["country_iso3"]]
        if claims.empty or shape.empty:
            continue
        name = place["name_ar"] if lang == "ar" else place["name_en"]
        title = f"{name}: {i18n.figures_count(len(claims), lang)}"
        _geojson(shape, {"color": "#b35806", "weight": 2, "fillColor": "#fdb863",
                         "fillOpacity": 0.35, "className": "country"},
                 tooltip=_tooltip(e(title), lang),
                 popup=_popup(popup_html(claims, lang, heading=title, names=names))
                 ).add_to(group)
        drawn += 1
    return group if drawn else None


def mapped_places(places: pd.DataFrame) -> pd.DataFrame:
    """The places drawn as a marker: those with coordinates, one marker each."""
    return places[places["drawn_as"] == "point"].sort_values("place_id")


def marker_layer(figures: pd.DataFrame, places: pd.DataFrame, as_of: object, policy: str,
                 lang: str, names: Mapping[str, str] | None = None) -> folium.FeatureGroup:
    """One marker per place with coordinates, sized by its latest figure under `policy`."""
    import folium

    e = escape.for_folium
    names = names_for(lang, names)
    group = folium.FeatureGroup(name=e(word("markers", lang)))
    for _, place in mapped_places(places).iterrows():
        name = place["name_ar"] if lang == "ar" else place["name_en"]
        claims = figures[figures["place_id"] == place["place_id"]]
        latest = latest_figure(claims, as_of, policy, lang) if not claims.empty else None
        if latest is None:
            size, kind = 8, "none"
            tip = f"{name} — {word('no_figure', lang)}"
            popup = None
        else:
            size = int(round(2 * radius_px(latest.value)))
            kind = "hedged" if latest.hedged else "exact"
            tip = f"{name} — {latest.text}"
            popup = _popup(popup_html(claims, lang, names=names,
                                      heading=f"{name} · {word('latest', lang)}: {latest.text}"))
        icon = folium.DivIcon(
            # the marker is a button: its text (hidden) is its name for a screen reader
            html=f"<div class='dot {kind}' data-place='{e(place['place_id'])}'>"
                 f"<span class='sr'>{e(tip)}</span></div>",
            icon_size=(size, size), icon_anchor=(size // 2, size // 2), class_name="place-icon")
        # Smaller markers above larger ones (Leaflet stacks by latitude): a place next to a
        # bigger one stays visible and can be clicked, as at Hasakah's prisons and camps.
        folium.Marker(location=(float(place["lat"]), float(place["lon"])), icon=icon,
                      # its dates kept left to right after Arabic words (escape.prose)
                      tooltip=_tooltip(escape.prose(tip, e), lang), popup=popup,
                      z_index_offset=-10 * size).add_to(group)
    return group


# -- the transfer flow ------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """Moved vs planned as known on `as_of`, and where the ledger says detainees went."""

    moved: policies.Estimate
    planned: policies.Estimate
    destinations: tuple[str, ...]  # drawn: named places with coordinates
    ruled_out: tuple[str, ...]
    unplaced: tuple[str, ...]  # named, but no coordinates: listed, never a guessed point
    label: str  # short: moved and planned numbers
    details: str  # the label plus as_of, policy and the destinations named
    figure_ids: tuple[str, ...]


def _width(value: float | None) -> float:
    return round(max(1.5, (value or 0.0) / 1000.0 * FLOW_PX_PER_1000), 1)


def transfer_flow_data(figures: pd.DataFrame, places: pd.DataFrame, as_of: object = None,
                       policy: str = "best", lang: str = "en",
                       destinations: pd.DataFrame | None = None,
                       names: Mapping[str, str] | None = None) -> Flow | None:
    """The flow's numbers and destinations (None when nothing was moved or planned yet).

    `destinations` (default `analysis.load_destinations()`) count only for figures in
    `figures`: a place is named, or ruled out, once the report saying so is known.
    """
    names = names_for(lang, names)  # claimants named in the explanations
    moved = policies.estimate(TRANSFERRED, as_of, policy, figures=figures, lang=lang,
                              names=names)
    planned = policies.estimate(PLANNED, as_of, policy, figures=figures, lang=lang,
                                names=names)
    if moved.value is None and planned.value is None:
        return None
    if destinations is None:
        from analysis.ledger import load_destinations

        destinations = load_destinations()
    said = destinations[destinations["figure_id"].isin(set(figures["figure_id"]))]
    said = said.sort_values(["figure_id", "place_id"], kind="stable")
    named = list(said.loc[said["role"] == "named", "place_id"])
    transfers = figures[figures["measure"] == TRANSFERRED]
    named += sorted(set(transfers["destination_place_id"].dropna()))
    out = set(said.loc[said["role"] == "ruled_out", "place_id"])
    by_id = places.set_index("place_id")
    named = [p for p in dict.fromkeys(named) if p in by_id.index]
    drawn = tuple(p for p in named if p not in out and by_id.loc[p, "drawn_as"] == "point")
    unplaced = tuple(p for p in named if p not in out and p not in drawn
                     and by_id.loc[p, "kind"] not in ("country", "region"))
    col = "name_ar" if lang == "ar" else "name_en"

    def reading(est: policies.Estimate) -> str:
        return _reading(est, lang) if est.value is not None else "—"

    stamp = i18n.format_when(as_of, None, None, lang) if as_of is not None else "—"
    label = f"{word('moved', lang)} {reading(moved)} · {word('planned', lang)} {reading(planned)}"
    notes = [i18n.join([word("transfer", lang), f"{word('as_of', lang)} {stamp}",
                        f"{i18n.policy_phrase(policy, lang)} ({moved.statements} + "
                        f"{planned.statements} {word('n_statements', lang)})"], lang)]
    notes += [f"{word('named_dest', lang)}: "
              + i18n.join((by_id.loc[p, col] for p in drawn), lang)] if drawn else []
    if unplaced:
        notes.append(i18n.join((f"{by_id.loc[p, col]} ({word('no_coords', lang)})"
                                for p in unplaced), lang))
    if out:
        notes.append(f"{word('ruled_out', lang)}: "
                     + i18n.join((by_id.loc[p, col] for p in sorted(out)
                                  if p in by_id.index), lang))
    if drawn:
        notes.append(word("not_split", lang))
    details = label + " · " + " · ".join(notes)
    ids = tuple(sorted(set(moved.figure_ids) | set(planned.figure_ids)))
    return Flow(moved, planned, drawn, tuple(sorted(out)), unplaced, label, details, ids)


def flow_table(flow: Flow | None, lang: str = "en") -> pd.DataFrame:
    """Moved and planned as the flow draws them: the policy's number, the range, and how."""
    if flow is None:
        return pd.DataFrame()
    rows = []
    labels = measure_labels(lang)  # the measures by name ("moved" said less)
    for est in (flow.moved, flow.planned):
        rows.append({
            word("measure", lang): labels.get(est.measure, est.measure),
            word("value", lang): i18n.number(est.value) or "—",
            word("spread", lang): i18n.span(est.low, est.high) or "—",
            word("statements", lang): est.statements,
            word("explanation", lang): est.explanation,
        })
    return pd.DataFrame(rows)


def transfer_flow(figures: pd.DataFrame, places: pd.DataFrame, as_of: object = None,
                  policy: str = "best", lang: str = "en",
                  destinations: pd.DataFrame | None = None,
                  names: Mapping[str, str] | None = None) -> folium.FeatureGroup | None:
    """Lines from the Ghweran prison area to each named destination: a pale band as wide as
    the planned total, a dark line as wide as the number moved, and both numbers as label."""
    import folium

    names = names_for(lang, names)
    flow = transfer_flow_data(figures, places, as_of, policy, lang, destinations, names)
    by_id = places.set_index("place_id")
    if flow is None or not flow.destinations or FLOW_ORIGIN not in by_id.index:
        return None
    e = escape.for_folium
    origin = (float(by_id.loc[FLOW_ORIGIN, "lat"]), float(by_id.loc[FLOW_ORIGIN, "lon"]))
    claims = figures[figures["figure_id"].isin(flow.figure_ids)]
    group = folium.FeatureGroup(name=e(word("transfer", lang)))
    for i, dest in enumerate(flow.destinations):
        end = (float(by_id.loc[dest, "lat"]), float(by_id.loc[dest, "lon"]))
        if flow.planned.value is not None:
            folium.PolyLine([origin, end], color="#92c5de", weight=_width(flow.planned.value),
                            opacity=0.55, class_name="flow-planned",
                            tooltip=_tooltip(escape.prose(flow.details, e), lang)).add_to(group)
        if flow.moved.value is not None:
            tooltip = _tooltip(escape.prose(flow.label, e), lang, permanent=(i == 0),
                               direction="center", class_name="flow-label", sticky=False)
            folium.PolyLine([origin, end], color="#2166ac", weight=_width(flow.moved.value),
                            opacity=0.9, class_name="flow-moved", tooltip=tooltip,
                            popup=_popup(popup_html(claims, lang, heading=flow.details,
                                                    names=names))
                            ).add_to(group)
    return group


# -- legend and the whole map ----------------------------------------------------------------


def legend_html(lang: str, policy: str) -> str:
    """The legend: shading bins, area-only places, marker styles and flow widths."""
    e = escape.text
    rows = []
    for k, color in enumerate(COLORS):
        rows.append(f"<span class='sw' style='background:{color}'></span>{e(_bin_label(k, lang))}")
    rows.append(f"<span class='sw dash'></span>{e(word('area_only', lang))}")
    rows += [e(word(k, lang)) for k in ("marker_exact", "marker_hedged", "marker_none",
                                     "marker_size")]
    rows.append(e(f"{word('policy_name', lang)}: {i18n.policy_name(policy, lang)}"))
    rows += [e(word(k, lang)) for k in ("flow_moved", "flow_planned", "flow_width")]
    direction = "rtl" if lang == "ar" else "ltr"
    # open, but folded at first on a narrow map (a phone: see `_legend`)
    return (f"<details open dir='{direction}' lang='{lang}'>"
            f"<summary>{e(word('legend_title', lang))}</summary>"
            + "<br>".join(rows) + "</details>")


NARROW = 900  # px: a map narrower than this (a phone, a tablet) starts with its controls folded


def _legend(html: str, layers: folium.LayerControl):
    """A Leaflet control holding `html` (passed as a JSON string: no `</script>` can occur).

    On a narrow map the legend starts folded to its title, and the `layers` control to
    Leaflet's layers button: open, the two covered the whole map and every marker on it.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    class Legend(MacroElement):
        _template = Template("""
            {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var narrow = {{ this.narrow }} > map.getSize().x;
                var legend = L.control({position: 'bottomleft'});
                legend.onAdd = function () {
                    var div = L.DomUtil.create('div', 'map-legend');
                    div.innerHTML = {{ this.payload }};
                    if (narrow) { div.querySelector('details').removeAttribute('open'); }
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                legend.addTo(map);
                if (narrow) {
                    var layers = {{ this.layers.get_name() }};
                    layers.remove();
                    layers.options.collapsed = true;
                    layers.addTo(map);
                }
            })();
            {% endmacro %}
        """)

        def __init__(self, payload: str):
            super().__init__()
            self._name = "Legend"
            self.payload = payload
            self.narrow = NARROW
            self.layers = layers

    payload = json.dumps(html, ensure_ascii=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Legend(payload)


def claims_map(figures: pd.DataFrame, places: pd.DataFrame, admin1: gpd.GeoDataFrame,
               admin0: gpd.GeoDataFrame, lang: str = "en", policy: str = "best",
               as_of: object = None, tiles: str | None = None,
               destinations: pd.DataFrame | None = None,
               names: Mapping[str, str] | None = None) -> folium.Map:
    """The map: base outlines, governorate shading, place markers, the transfer flow.

    `figures` are the claims known by `as_of` (`analysis.load_figures(as_of=...)`); `places`
    is the gazetteer (`analysis.load_places()`); `destinations` the places reports name for
    the transfer (default `analysis.load_destinations()`). `tiles` (a tile provider folium knows)
    adds a tile layer for readers who are online; by default there is none. `names` are the
    claimants' names in popups (default `analysis.ledger.claimant_names(lang)`).
    """
    import folium

    i18n.check_lang(lang)
    policies.check_policy(policy)
    if "drawn_as" not in places.columns:
        places = geo.gazetteer(places, admin1)
    places = places.reset_index(drop=True)
    shown1, shown0 = geo.display_shapes(admin1, admin0)
    names = names_for(lang, names)
    m = new_map(lang)
    if tiles:
        folium.TileLayer(tiles, name=escape.for_folium(word("tiles", lang)), overlay=True,
                         control=True, show=True).add_to(m)
    base_layer(shown1, shown0, lang, online=bool(tiles)).add_to(m)
    countries = country_layer(figures, places, shown0, lang, names)
    if countries is not None:
        countries.add_to(m)
    shading_layer(figures, places, shown1, lang, names).add_to(m)
    flow = transfer_flow(figures, places, as_of, policy, lang, destinations, names)
    if flow is not None:
        flow.add_to(m)
    marker_layer(figures, places, as_of, policy, lang, names).add_to(m)
    layers = folium.LayerControl(collapsed=False).add_to(m)
    _legend(legend_html(lang, policy), layers).add_to(m)
    return m


def unmapped(figures: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Figures whose place cannot be drawn (a region without a boundary): listed instead."""
    how = places.set_index("place_id").apply(geo.drawn_as, axis=1)
    return figures[figures["place_id"].map(how) == "none"]


def _governorate(place: pd.Series, lang: str) -> str:
    """A place's governorate as tables write it: 'Al-Hasakah (SY-HA)' ('' when none)."""
    if pd.isna(place["admin1_code"]):
        return ""
    name = place["admin1_name_ar"] if lang == "ar" else place["admin1_name_en"]
    return f"{name} ({place['admin1_code']})"


def place_table(places: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The gazetteer for reading: how each place is located and drawn."""
    rows = []
    for _, p in places.sort_values("place_id").iterrows():
        km = "" if pd.isna(p["admin1_km"]) or p["admin1_km"] == 0 else \
            f" ({p['admin1_km']:.1f} {word('km_outside', lang)})"
        rows.append({
            word("place", lang): p["name_ar"] if lang == "ar" else p["name_en"],
            word("kind", lang): i18n.code_name("place_kind", p["kind"], lang),
            word("precision", lang): int(p["geo_precision"]),
            word("governorate", lang): _governorate(p, lang),
            word("matched", lang): f"{i18n.code_name('match', p['admin1_match'], lang)}{km}",
            word("drawn", lang): word(f"drawn_{p['drawn_as']}", lang),
        })
    return pd.DataFrame(rows)


# -- the map in words: what it draws, for a reader who does not see it ------------------------

IN_WORDS_ID = "map-in-words"  # where the skip link leads: one id, on pages of every language


def skip_link(lang: str = "en") -> str:
    """A link before the map to its text (`in_words_heading`): a keyboard passes the map's
    frame, dozens of stops, in one step. The report's style shows it only while focused."""
    i18n.check_lang(lang)
    return (f'<a class="skip-link" href="#{IN_WORDS_ID}" {i18n.html_lang(lang)}>'
            f"{escape.text(word('skip_map', lang))}</a>")


def in_words_heading(lang: str = "en") -> str:
    """The heading the skip link leads to, focusable (tabindex -1): the focus moves there,
    not only the view, and a screen reader reads on from it."""
    i18n.check_lang(lang)
    return (f'<h2 id="{IN_WORDS_ID}" tabindex="-1" {i18n.html_lang(lang)}>'
            f"{escape.text(word('in_words', lang))}</h2>")


IN_WORDS_COLUMNS = ("place", "governorate", "on_map", "measure", "latest", "as_reported",
                    "claimants", "when", "not_read")


def _unique(items: Iterable[str], lang: str) -> str:
    """Distinct items in order, as a list in a table cell."""
    return word("list_sep", lang).join(dict.fromkeys(items))


def _place_rows(place: pd.Series, claims: pd.DataFrame, as_of: object, policy: str,
                lang: str, names: Mapping[str, str]) -> list[dict[str, object]]:
    """A place's rows: each measure's latest figure, the circle's own first; one row saying
    so when no figure is reported there."""
    point = place["drawn_as"] == "point"
    latest = latest_figures(claims, as_of, policy, lang) if not claims.empty else []
    circle = _newest(latest)
    latest.sort(key=lambda f: circle is None or f.measure != circle.measure)  # stable
    head = {"place": place["name_ar"] if lang == "ar" else place["name_en"],
            "governorate": _governorate(place, lang)}
    if not latest:
        return [head | {"on_map": word("marker_none" if point else "area_only", lang),
                        "latest": word("no_figure", lang)}]
    rows = []
    for f in latest:
        if not point:
            drawn = word("area_only", lang)
        elif f.measure == circle.measure:
            drawn = word("marker_hedged" if f.hedged else "marker_exact", lang)
        else:
            drawn = word("in_popup", lang)
        used = claims[claims["figure_id"].isin(f.figure_ids)].sort_values("figure_id")
        rows.append(head | {
            "on_map": drawn, "measure": f.label, "latest": f.reading,
            "as_reported": _unique((compare.value_text(r, lang) for _, r in used.iterrows()),
                                   lang),
            "claimants": _unique((claimant_name(c, names) for c in used["claimant"]), lang),
            "when": f.when,
            "not_read": _unique((_said_by(r, lang, names)
                                 for _, r in _not_read(claims, f).iterrows()), lang)})
    return rows


def _said_by(r: pd.Series, lang: str, names: Mapping[str, str]) -> str:
    """'more than 2,200 (SOHR, published 2026-02-13)'."""
    published = i18n.format_when(r["published"], None, None, lang)
    said = i18n.join([claimant_name(r["claimant"], names),
                      f"{word('published_on', lang)} {published}"], lang)
    return f"{compare.value_text(r, lang)} ({said})"


def _not_read(claims: pd.DataFrame, f: Latest) -> pd.DataFrame:
    """The measure's claims published after the date its latest figure holds for that the
    figure does not read: they give no date of their own (a claim that does beats one known
    only by its print date, `policies.latest_window`) or count another unit. A reader of
    '8,400 on 2025-12-31' should see that '10,000' was printed on 2026-01-25."""
    mine = claims[(claims["measure"] == f.measure) & ~claims["figure_id"].isin(f.figure_ids)]
    own = compare.own_dates(mine)
    later = (mine["published"] > f.reference) & (own.isna() | (own >= f.reference))
    return mine[later].sort_values(["published", "figure_id"])


def places_in_words(figures: pd.DataFrame, places: pd.DataFrame, as_of: object = None,
                    policy: str = "best", lang: str = "en",
                    names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """What the map says of each place, for a reader who does not see it: one row per place
    and measure, read as the markers read it (`latest_figure` under `policy`, as of
    `as_of`): the circle's figure first, then the other measures its popup lists, each with
    the claims' own words ('about 2,000'), the claimants and the date. The places with a
    circle come first, then those known only to their governorate (its dashed border)."""
    i18n.check_lang(lang)
    policies.check_policy(policy)
    names = names_for(lang, names)
    # Narrowed once: each place's rows were cut from the whole ledger, every column copied.
    keep = {*policies.COLUMNS, "place_id", "measure_label_en", "measure_label_ar"}
    figures = figures[[c for c in figures.columns if c in keep]]
    drawn = pd.concat([mapped_places(places),
                       places[places["drawn_as"] == "admin1"].sort_values("place_id")])
    rows = [row for _, place in drawn.iterrows()
            for row in _place_rows(place, figures[figures["place_id"] == place["place_id"]],
                                   as_of, policy, lang, names)]
    columns = {key: word(key, lang) for key in IN_WORDS_COLUMNS}
    columns["latest"] += f" ({i18n.policy_phrase(policy, lang)})"  # one policy for the table
    return pd.DataFrame(rows, columns=list(columns)).fillna("").rename(columns=columns)


def governorates_in_words(figures: pd.DataFrame, places: pd.DataFrame,
                          lang: str = "en") -> pd.DataFrame:
    """What each governorate's shade says: the figures reported for places in it (as the
    shading counts them, `governorate_counts`), the legend's range for its shade, and the
    places known only to it (its dashed border). Most first; a governorate with neither is
    left out (it is drawn unshaded)."""
    i18n.check_lang(lang)
    counts = governorate_counts(figures, places)
    name_col = "name_ar" if lang == "ar" else "name_en"
    area = places[places["drawn_as"] == "admin1"].sort_values("place_id")
    codes = set(counts.index) | set(area["admin1_code"].dropna())
    where = places[places["admin1_code"].isin(codes)].drop_duplicates("admin1_code")
    where = where.assign(n=where["admin1_code"].map(counts).fillna(0).astype(int))
    rows = []
    for _, place in where.sort_values(["n", "admin1_code"], ascending=[False, True]).iterrows():
        k = _bin(place["n"])
        here = area[area["admin1_code"] == place["admin1_code"]]
        rows.append({
            word("governorate", lang): _governorate(place, lang),
            word("n_figures", lang): int(place["n"]),
            word("shade", lang): _bin_label(k, lang) if k is not None else word("no_shade", lang),
            word("known_only", lang): _known_only(here, name_col, lang)})
    return pd.DataFrame(rows, columns=[word(k, lang) for k in ("governorate", "n_figures",
                                                               "shade", "known_only")])
