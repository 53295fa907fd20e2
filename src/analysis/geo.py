"""Gazetteer geography: governorate codes, joining places to governorates, display shapes.

Why this exists: Natural Earth's admin-1 codes are not all ISO 3166-2 (Kirkuk is `IQ-TS`,
ISO now says `IQ-KI`), and its generalised borders put some places on the wrong side of a
border (Karkh prison, next to Baghdad airport, falls about 0.7 km inside Anbar). So a place is
joined to its governorate by the code it is given; a place with only a point is joined by
point-in-polygon, falling back to the nearest governorate within `NEAREST_KM`; and a point
farther than that from the governorate it is coded in is reported as a data problem.

Distances are metres on the ground: each point's candidates are projected to an azimuthal
equidistant projection centred on that point, which keeps distances from the centre true.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import Problem

if TYPE_CHECKING:
    import geopandas as gpd

NEAREST_KM = 2.0
# Natural Earth admin-1 code → ISO 3166-2. `None`: the area has no ISO code (UNDOF zone).
NE_TO_ISO: dict[str, str | None] = {"IQ-TS": "IQ-KI", "SY-X01~": None}
# Natural Earth adm0_a3 → ISO 3166-1 alpha-3 (Palestine is PSX in Natural Earth).
NE_TO_ISO3: dict[str, str] = {"PSX": "PSE"}
# How the map draws a place: a point, its governorate, its country, or not at all (listed).
DRAWN_AS = ("point", "admin1", "country", "none")
# Display only: coverage simplification tolerance in degrees (~1 km), coordinate decimals
# (~11 m), and the window the neighbouring countries are clipped to (lon/lat box).
DISPLAY_TOLERANCE = 0.01
DISPLAY_DECIMALS = 4
DISPLAY_BOX = (25.0, 22.0, 58.0, 44.0)


def iso_admin1(ne_code: object) -> str | None:
    """The ISO 3166-2 code of a Natural Earth admin-1 code (`IQ-TS` → `IQ-KI`)."""
    if ne_code is None or pd.isna(ne_code):
        return None
    return NE_TO_ISO.get(str(ne_code), str(ne_code))


def with_codes(boundaries: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Add the ISO code column the gazetteer uses: `admin1_code` or `country_iso3`."""
    if level == "admin1":
        codes = [iso_admin1(c) for c in boundaries["iso_3166_2"]]
        return boundaries.assign(admin1_code=pd.array(codes, dtype="string"))
    codes = [NE_TO_ISO3.get(c, c) for c in boundaries["adm0_a3"]]
    return boundaries.assign(country_iso3=pd.array(codes, dtype="string"))


def drawn_as(place: pd.Series) -> str:
    """How a place is drawn: at its point; else its governorate; else its country; else not.

    A place without coordinates is never given a guessed point, and a region (such as
    "north-east Syria") has no boundary, so its figures are listed beside the map instead.
    """
    if pd.notna(place.get("lat")) and pd.notna(place.get("lon")):
        return "point"
    if pd.notna(place.get("admin1_code")):
        return "admin1"
    if place.get("kind") == "country":
        return "country"
    return "none"


def distance_km(lat: float, lon: float, shapes: gpd.GeoSeries) -> pd.Series:
    """Ground distance (km) from one point to each shape; 0 inside it."""
    from shapely.geometry import Point

    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs"
    projected = shapes.to_crs(aeqd)
    origin = Point(0.0, 0.0)
    return projected.distance(origin) / 1000.0


def locate(lat: float, lon: float, admin1: gpd.GeoDataFrame,
           max_km: float = NEAREST_KM) -> tuple[str | None, str, float]:
    """(admin1_code, how, km) for a point: 'within', 'nearest' (≤ max_km) or 'none'."""
    from shapely.geometry import Point

    point = Point(lon, lat)
    inside = admin1[admin1.geometry.contains(point)]
    if not inside.empty:
        return inside["admin1_code"].iloc[0], "within", 0.0
    # Candidates: shapes whose bounding box is within max_km (1° of latitude ≥ 110 km).
    pad = max_km / 110.0 / max(math.cos(math.radians(lat)), 0.1)
    near = admin1[admin1.geometry.intersects(point.buffer(pad))]
    if near.empty:
        return None, "none", math.nan
    km = distance_km(lat, lon, near.geometry)
    best = km.idxmin()
    if km[best] <= max_km:
        return near.loc[best, "admin1_code"], "nearest", round(float(km[best]), 3)
    return None, "none", round(float(km[best]), 3)


def gazetteer(places: pd.DataFrame, admin1: gpd.GeoDataFrame) -> pd.DataFrame:
    """Places with their governorate resolved and how the map draws them.

    Adds `admin1_match` (code / within / nearest / none), `admin1_km` (ground distance from
    the point to its governorate: 0 inside, empty without a point or when no governorate
    lies within 2 km), the governorate's
    `admin1_name_en` / `admin1_name_ar`, and `drawn_as`. A place given a code keeps it; a
    point without a code gets the governorate it falls in (or the nearest within 2 km).
    """
    admin1 = admin1[admin1["admin1_code"].notna()]
    by_code = admin1.set_index("admin1_code")
    codes, matches, kms = [], [], []
    for _, place in places.iterrows():
        code = place["admin1_code"] if pd.notna(place["admin1_code"]) else None
        has_point = pd.notna(place["lat"]) and pd.notna(place["lon"])
        km = math.nan
        if code is not None:
            how = "code"
            if has_point and code in by_code.index:
                km = float(distance_km(float(place["lat"]), float(place["lon"]),
                                       by_code.loc[[code]].geometry).iloc[0])
                km = round(km, 3)
        elif has_point:
            code, how, km = locate(float(place["lat"]), float(place["lon"]), admin1)
        else:
            how = "none"
        codes.append(code)
        matches.append(how)
        kms.append(km)
    out = places.copy()
    out["admin1_code"] = pd.array(codes, dtype="string")
    out["admin1_match"] = pd.array(matches, dtype="string")
    out["admin1_km"] = pd.array(kms, dtype="float64")
    names = by_code[["name_en", "name_ar"]]
    out["admin1_name_en"] = out["admin1_code"].map(names["name_en"]).astype("string")
    out["admin1_name_ar"] = out["admin1_code"].map(names["name_ar"]).astype("string")
    out["drawn_as"] = pd.array([drawn_as(r) for _, r in out.iterrows()], dtype="string")
    return out


def problems(places: pd.DataFrame, admin1: gpd.GeoDataFrame, label: str,
             lines: list[int] | None = None, max_km: float = NEAREST_KM) -> list[Problem]:
    """Places whose governorate code is unknown, or whose point lies far outside it."""
    known = set(admin1["admin1_code"].dropna())
    joined = gazetteer(places, admin1)
    found = []
    for i, (_, row) in enumerate(joined.iterrows()):
        line = lines[i] if lines is not None else None
        code = row["admin1_code"]
        if row["admin1_match"] == "code" and code not in known:
            found.append(Problem(label, line, "admin1_code",
                                 f"{code!r} is not a governorate in data/raw/boundaries "
                                 "(ISO 3166-2; Kirkuk is IQ-KI)"))
        elif pd.notna(row["admin1_km"]) and row["admin1_km"] > max_km:
            found.append(Problem(label, line, "admin1_code",
                                 f"the point ({row['lat']}, {row['lon']}) lies "
                                 f"{row['admin1_km']:.1f} km outside {code}; more than "
                                 f"{max_km:g} km is not a generalised border: check the "
                                 "code or the coordinates"))
    return found


def display_shapes(admin1: gpd.GeoDataFrame, admin0: gpd.GeoDataFrame,
                   tolerance: float = DISPLAY_TOLERANCE,
                   decimals: int = DISPLAY_DECIMALS) -> tuple[gpd.GeoDataFrame,
                                                               gpd.GeoDataFrame]:
    """Lighter copies of the boundaries for the map page, shared borders kept shared.

    Governorates and the neighbouring countries (clipped to `DISPLAY_BOX`) form one coverage
    simplified together (GEOS coverage simplification), so borders stay edge-matched; Syria
    and Iraq are then the union of their simplified governorates. Joins never use these.
    """
    import numpy as np
    import shapely

    inner = set(admin1["adm0_a3"])
    others = admin0[~admin0["adm0_a3"].isin(inner)]
    box = shapely.box(*DISPLAY_BOX)
    geoms = np.concatenate([admin1.geometry.values,
                            shapely.intersection(others.geometry.values, box)])
    simple = shapely.set_precision(shapely.coverage_simplify(geoms, tolerance), 10 ** -decimals)
    a1 = admin1.set_geometry(list(simple[: len(admin1)]), crs=admin1.crs)
    unions = a1.dissolve(by="adm0_a3").geometry.set_precision(10 ** -decimals)
    shapes = dict(zip(others["adm0_a3"], simple[len(admin1):], strict=True))
    shapes.update(unions.to_dict())
    a0 = admin0.set_geometry([shapes[c] for c in admin0["adm0_a3"]], crs=admin0.crs)
    return a1, a0[~a0.geometry.is_empty].reset_index(drop=True)
