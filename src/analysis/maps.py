"""The folium map of claims: offline, deterministic, escaped, honest about location precision.

- Leaflet and jQuery are inlined from the pinned XStatic packages; no tile server is needed
  (the base layer is drawn from the Natural Earth boundaries).
- Element ids come from a counter reset for each map, so the same inputs give the same HTML.
- A figure is drawn where its place is known: a point when the place has coordinates, its
  governorate or country shaded when it has none, never a guessed point.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import escape, i18n
from analysis.i18n import word

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

CENTER = (34.5, 42.5)
TRANSFERRED = "transferred_to_iraq"
PLANNED = "planned_transfer_total"
ZOOM = 6
_ids = itertools.count(1)


def _deterministic_ids() -> None:
    """Replace branca's random element ids (os.urandom) by a counter; reset per map."""
    global _ids
    from branca.element import Element

    _ids = itertools.count(1)
    Element._generate_id = classmethod(lambda cls: f"{next(_ids):08d}")


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


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
        ("jquery", _data_uri((jquery / "jquery.min.js").read_bytes(), "text/javascript")),
    ]
    return js, [("leaflet_css", _data_uri(css.encode("utf-8"), "text/css"))]


def new_map(lang: str = "en") -> folium.Map:
    """An empty offline map: no tiles, inlined assets, deterministic ids."""
    import folium

    _deterministic_ids()
    js, css = offline_assets()
    m = folium.Map(location=CENTER, zoom_start=ZOOM, tiles=None, control_scale=True,
                   prefer_canvas=False)
    m.default_js = list(js)  # instance lists: folium's class lists stay untouched
    m.default_css = list(css)
    return m


def anchor_of(place: pd.Series) -> str:
    """How a place is drawn: 'point', 'admin1', 'country' or 'none' (listed, not drawn)."""
    if pd.notna(place["lat"]) and pd.notna(place["lon"]):
        return "point"
    if pd.notna(place["admin1_code"]):
        return "admin1"
    if place["kind"] == "country":
        return "country"
    return "none"


def popup_html(claims: pd.DataFrame, lang: str) -> str:
    """Popup content for the claims at one place: figure, hedge, bounds, who, when, quote, link."""
    parts = []
    for r in claims.sort_values("figure_id").itertuples():
        label = r.measure_label_ar if lang == "ar" else r.measure_label_en
        value = i18n.format_value(r.value_low, r.value_best, r.value_high, r.hedge, lang)
        bounds = " / ".join(i18n.number(v) or "–" for v in (r.value_low, r.value_best,
                                                             r.value_high))
        when = i18n.format_when(r.as_of, r.period_start, r.period_end, lang)
        qdir = "rtl" if r.language in ("ar", "fa", "ku") else "ltr"
        e = escape.for_folium
        parts.append(
            f"<div class='claim'><b>{e(label)}</b>: {e(value)}<br>"
            f"{e(word('claimant', lang))}: {e(r.claimant)} · {e(when)} · "
            f"{e(word('hedge', lang))}: {e(r.hedge)} · "
            f"{e(word('low', lang))}/{e(word('best', lang))}/{e(word('high', lang))}: {e(bounds)}"
            f"<div dir='{qdir}' lang='{e(r.language)}'>«{e(r.quote)}»</div>"
            f"{escape.link(r.url, r.outlet, escaper=e)}</div>"
        )
    direction = "rtl" if lang == "ar" else "ltr"
    return f"<div dir='{direction}' lang='{lang}'>" + "<hr>".join(parts) + "</div>"


def _radius(claims: pd.DataFrame) -> float:
    """Marker radius from the largest value claimed at the place (area ∝ value)."""
    values = pd.concat([claims["value_best"], claims["value_high"], claims["value_low"]])
    top = values.dropna().max() if values.notna().any() else 1
    return 4 + 1.2 * math.sqrt(float(top)) ** 0.8


def claims_map(figures: pd.DataFrame, places: pd.DataFrame, admin1: gpd.GeoDataFrame,
               admin0: gpd.GeoDataFrame, lang: str = "en") -> folium.Map:
    """The map: base outlines, shaded areas and markers for claims, the transfer flow."""
    import folium

    i18n.check_lang(lang)
    e = escape.for_folium
    m = new_map(lang)
    name_col = "name_ar" if lang == "ar" else "name_en"

    base = folium.FeatureGroup(name=e(word("countries", lang)), control=True)
    folium.GeoJson(admin0[["adm0_a3", "geometry"]].__geo_interface__,
                   style_function=lambda _: {"color": "#777", "weight": 1,
                                             "fillColor": "#f4f1ea", "fillOpacity": 1},
                   ).add_to(base)
    folium.GeoJson(admin1[["iso_3166_2", "geometry"]].__geo_interface__,
                   style_function=lambda _: {"color": "#aaa", "weight": 0.5,
                                             "fillOpacity": 0}).add_to(base)
    base.add_to(m)

    places = places.set_index("place_id")
    layer = folium.FeatureGroup(name=e(word("figures_layer", lang)))
    drawn_points: set[str] = set()
    for place_id, claims in figures.groupby("place_id", sort=True):
        place = places.loc[place_id]
        how = anchor_of(place)
        name = place["name_ar"] if lang == "ar" else place["name_en"]
        popup = folium.Popup(popup_html(claims, lang), max_width=340)
        tooltip = folium.Tooltip(e(name))
        hedged = (claims["hedge"] != "exact").any()
        if how == "point":
            drawn_points.add(place_id)
            folium.CircleMarker(location=(float(place["lat"]), float(place["lon"])),
                                radius=_radius(claims), color="#b2182b", weight=2,
                                fill=True, fill_opacity=0.0 if hedged else 0.6,
                                popup=popup, tooltip=tooltip).add_to(layer)
        elif how in ("admin1", "country"):
            if how == "admin1":
                shape = admin1[admin1["iso_3166_2"] == place["admin1_code"]]
            else:
                shape = admin0[admin0["adm0_a3"] == place["country_iso3"]]
            if shape.empty:
                continue
            color = "#d6604d" if how == "admin1" else "#f4a582"
            folium.GeoJson(shape[["geometry"]].__geo_interface__,
                           style_function=lambda _, c=color: {"color": c, "weight": 1.5,
                                                              "fillColor": c,
                                                              "fillOpacity": 0.35},
                           popup=popup, tooltip=tooltip).add_to(layer)
    layer.add_to(m)

    gazetteer = folium.FeatureGroup(name=e(word("places", lang)))
    for place_id, place in places.iterrows():
        if anchor_of(place) == "point" and place_id not in drawn_points:
            folium.CircleMarker(location=(float(place["lat"]), float(place["lon"])), radius=3,
                                color="#555", weight=1, fill=True, fill_opacity=0.8,
                                tooltip=folium.Tooltip(e(place[name_col]))).add_to(gazetteer)
    gazetteer.add_to(m)

    flow = transfer_flow(figures, places.reset_index(), admin1, admin0, lang)
    if flow is not None:
        flow.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _anchor_point(place: pd.Series, admin1, admin0) -> tuple[float, float] | None:
    """A point to attach a flow line to: the place itself or its area's representative point."""
    how = anchor_of(place)
    if how == "point":
        return float(place["lat"]), float(place["lon"])
    if how == "admin1":
        shape = admin1[admin1["iso_3166_2"] == place["admin1_code"]]
    elif how == "country":
        shape = admin0[admin0["adm0_a3"] == place["country_iso3"]]
    else:
        return None
    if shape.empty:
        return None
    pt = shape.geometry.iloc[0].representative_point()
    return round(pt.y, 6), round(pt.x, 6)


def transfer_flow(figures: pd.DataFrame, places: pd.DataFrame, admin1, admin0,
                  lang: str = "en") -> folium.FeatureGroup | None:
    """Lines from origin to destination of transfer claims, labelled moved vs planned."""
    import folium

    e = escape.for_folium
    moved = figures[(figures["measure"] == TRANSFERRED) & figures["destination_place_id"].notna()
                    & figures["as_of"].notna()]
    plans = figures[figures["measure"] == PLANNED]
    if moved.empty:
        return None
    by_id = places.set_index("place_id")
    group = folium.FeatureGroup(name=e(word("transfer", lang)))
    plan_text = "; ".join(
        i18n.format_value(r.value_low, r.value_best, r.value_high, r.hedge, lang)
        + f" ({r.claimant})" for r in plans.sort_values("figure_id").itertuples())
    for (origin, dest), claims in moved.groupby(["place_id", "destination_place_id"]):
        a = _anchor_point(by_id.loc[origin], admin1, admin0)
        b = _anchor_point(by_id.loc[dest], admin1, admin0)
        if a is None or b is None:
            continue
        latest = claims.sort_values(["as_of", "figure_id"]).iloc[-1]
        moved_text = i18n.format_value(latest.value_low, latest.value_best, latest.value_high,
                                       latest.hedge, lang)
        label = f"{word('moved', lang)}: {moved_text}"
        if plan_text:
            label += f" · {word('planned', lang)}: {plan_text}"
        folium.PolyLine([a, b], color="#2166ac", weight=4, opacity=0.8, dash_array="8 6",
                        tooltip=folium.Tooltip(e(label)),
                        popup=folium.Popup(popup_html(claims, lang), max_width=340)
                        ).add_to(group)
    return group


def unmapped(figures: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Figures whose place cannot be drawn (a region without a boundary): listed instead."""
    how = places.set_index("place_id").apply(anchor_of, axis=1)
    return figures[figures["place_id"].map(how) == "none"]
