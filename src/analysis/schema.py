"""Table schemas: the single source of truth.

The raw-table validation (`analysis.validate`), the typed loaders (`analysis.ledger`) and
the Frictionless v2 `datapackage.json` written by `analysis build` are all generated from
the definitions below. Change a field here and all three follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["string", "integer", "number", "date"]

# A bound is inclusive ("at least", "no more than") or strict ("more than", "under"): the
# words say which, and a page repeats them (the ledger coded "more than 300" as at_least, and
# every page said "at least 300").
HEDGES = ("exact", "approx", "at_least", "more_than", "at_most", "less_than", "up_to", "range",
          "vague")
LOW_BOUNDS = ("at_least", "more_than")  # the value is the low: value_low
HIGH_BOUNDS = ("at_most", "less_than", "up_to")  # the value is the high: value_high
CLAIMANT_TYPES = (
    "military",
    "government",
    "judiciary",
    "armed_group",
    "media",
    "ngo_un",
    "anonymous_official",
)
MEASURE_KINDS = ("stock", "flow", "cumulative", "plan")
LANGUAGES = ("ar", "en", "ku", "fr", "de", "tr", "fa")
DATE_BASES = ("printed", "url", "metadata", "inferred")
CONFIDENCE = ("high", "medium", "low")
DESTINATION_ROLES = ("named", "ruled_out")
# What one counted unit is. Detainees, fighters, members and people all count people (the
# measure says which); families and facilities count something else, so a figure in families
# is never compared with one in people, and its unit is written after its number.
PERSON_UNITS = ("detainees", "fighters", "members", "people")
UNITS = (*PERSON_UNITS, "families", "facilities")
COUNTRIES = ("SYR", "IRQ", "TUR", "JOR", "LBN", "ISR", "PSX", "IRN", "SAU", "KWT")

# Longest text accepted in any field: a quote or a note, never a whole article.
MAX_FIELD_LENGTH = 5000
# What an `arabic` field must contain somewhere: a letter of the Arabic block.
ARABIC_LETTER = "[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]"


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    arabic: bool = False  # Arabic text for Arabic pages: it must contain Arabic letters


@dataclass(frozen=True)
class ForeignKey:
    field: str
    table: str
    reference: str


@dataclass(frozen=True)
class Table:
    name: str
    filename: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str | tuple[str, ...]  # a tuple: the row is keyed by several fields together
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The primary key as a tuple of field names (one name for most tables)."""
        key = self.primary_key
        return (key,) if isinstance(key, str) else key

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


SLUG = r"^[a-z0-9][a-z0-9._-]*$"

def quote_fields(what: str) -> tuple[Field, Field, Field]:
    """The words a row is grounded in, and where they stand in the source's stored text
    (checked by `analysis.validate` the same way for every table that has them)."""
    return (
        Field("quote", "string", f"{what}, in the source's language; required when the "
              "source's text is stored."),
        Field("quote_start", "integer", "Start offset of the quote in the stored text.",
              minimum=0),
        Field("quote_end", "integer", "End offset (exclusive) of the quote in the stored text.",
              minimum=0),
    )


SOURCES = Table(
    name="sources",
    filename="sources.csv",
    description="One row per source document (article, statement, report).",
    primary_key="source_id",
    fields=(
        Field("source_id", "string", "Stable slug of the document.", True, True, pattern=SLUG),
        Field("outlet", "string", "Outlet that published the document.", True),
        Field("url", "string", "Where the document was read (http or https).", True,
              pattern=r"^https?://\S+$"),
        Field("language", "string", "Language of the document (ISO 639-1).", True,
              enum=LANGUAGES),
        Field("published", "date", "Publication date of the document."),
        Field("date_basis", "string",
              "How the publication date is known: printed on the page, in the URL, in page "
              "metadata, or inferred from the content.", enum=DATE_BASES),
        Field("retrieved", "date", "When the document was retrieved."),
        Field("text_path", "string",
              "Path of the stored text under data/raw/, empty when only the URL is kept."),
        Field("text_sha256", "string", "sha256 of the stored text file.",
              pattern=r"^[0-9a-f]{64}$"),
        Field("notes", "string", "Free notes on the document."),
    ),
)

MEASURES = Table(
    name="measures",
    filename="measures.csv",
    description="Controlled vocabulary of what a figure counts.",
    primary_key="measure",
    fields=(
        Field("measure", "string", "Stable name of the measure.", True, True, pattern=SLUG),
        Field("label_en", "string", "English label.", True),
        Field("label_ar", "string", "Arabic label.", True, arabic=True),
        Field("kind", "string",
              "stock (population at a date), flow (during a period), cumulative (running "
              "total), plan (expected or planned number).", True, enum=MEASURE_KINDS),
        Field("definition", "string", "One-line definition, in English: what is and is not "
              "counted.", True),
        Field("definition_ar", "string", "The definition in Arabic, for Arabic pages; says "
              "exactly what the English one says.", True, arabic=True),
    ),
)

CLAIMANTS = Table(
    name="claimants",
    filename="claimants.csv",
    description="Controlled vocabulary of who figures are attributed to; outlets stay in "
                "sources.",
    primary_key="claimant",
    fields=(
        Field("claimant", "string", "Canonical name of the claimant (a body or a role).", True,
              True),
        Field("claimant_type", "string",
              "military, government, judiciary, armed_group (non-state), media (an outlet's "
              "own reporting or estimate), ngo_un, anonymous_official.", True,
              enum=CLAIMANT_TYPES),
        Field("name_ar", "string", "Arabic name.", arabic=True),
        Field("description", "string", "Who this is, and which attributions were merged "
                                       "into it.", True),
    ),
)

PLACES = Table(
    name="places",
    filename="places.csv",
    description="Gazetteer of the places figures refer to.",
    primary_key="place_id",
    fields=(
        Field("place_id", "string", "Stable slug of the place.", True, True, pattern=SLUG),
        Field("name_en", "string", "English name.", True),
        Field("name_ar", "string", "Arabic name.", True, arabic=True),
        Field("kind", "string", "country, region, governorate, city, town, camp, prison.", True,
              enum=("country", "region", "governorate", "city", "town", "camp", "prison")),
        Field("lat", "number", "WGS84 latitude; empty when no source gives one.",
              minimum=-90, maximum=90),
        Field("lon", "number", "WGS84 longitude; empty when no source gives one.",
              minimum=-180, maximum=180),
        Field("geo_precision", "integer",
              "UCDP where_prec: 1 exact, 2 within 25 km, 3 district, 4 governorate, "
              "5 part of a country, 6 country, 7 international.", True, minimum=1, maximum=7),
        Field("admin1_code", "string", "ISO 3166-2 code of the governorate.",
              pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$"),
        Field("country_iso3", "string", "ISO 3166-1 alpha-3 country code.", True,
              enum=COUNTRIES),
        Field("source", "string", "Where the coordinates and names come from.", True),
    ),
)

FIGURES = Table(
    name="figures",
    filename="figures.csv",
    description="One row per reported figure (a claim), with its words, claimant, place and date.",
    primary_key="figure_id",
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("claimant", "claimants", "claimant"),
        ForeignKey("measure", "measures", "measure"),
        ForeignKey("place_id", "places", "place_id"),
        ForeignKey("destination_place_id", "places", "place_id"),
    ),
    fields=(
        Field("figure_id", "string", "Stable id of the figure.", True, True, pattern=SLUG),
        Field("source_id", "string", "Source document (sources.source_id).", True),
        Field("statement_id", "string",
              "The underlying statement: copies of one claimant's statement in several "
              "outlets share it, so agreement counts independent statements, not copies.",
              True, pattern=SLUG),
        Field("claimant", "string", "Who the figure is attributed to (claimants.claimant).",
              True),
        Field("measure", "string", "What is counted (measures.measure).", True),
        Field("value_low", "integer", "Lower bound (\"more than X\" gives low=X).", minimum=0),
        Field("value_best", "integer", "Best value (a plain or \"about\" number).", minimum=0),
        Field("value_high", "integer", "Upper bound (\"up to X\" gives high=X).", minimum=0),
        Field("hedge", "string", "The qualifier as printed, coded.", True, enum=HEDGES),
        Field("qualifier_words", "string", "The qualifier as printed (\"about (نحو)\")."),
        Field("unit", "string", "What one unit is: detainees, fighters, members, people (all "
              "count people), families or facilities.", True, enum=UNITS),
        Field("as_of", "date", "Date the figure holds for; empty when the source gives none."),
        Field("period_start", "date", "Start of the period a flow covers."),
        Field("period_end", "date", "End of the period a flow covers."),
        Field("place_id", "string", "Where the figure holds (places.place_id).", True),
        Field("destination_place_id", "string", "Destination of a transfer (places.place_id)."),
        *quote_fields("The phrase stating the figure"),
        Field("paraphrase", "string", "A short English summary of the claim (not a quotation); "
              "required when there is no quote."),
        Field("confidence", "string", "Coder's confidence that the figure is read right.",
              enum=CONFIDENCE),
        Field("upstream_row", "integer",
              "Line of the figure in data/raw/upstream/reported_figures.csv, if it came from "
              "there.", minimum=2),
        Field("notes", "string", "Coding notes."),
    ),
)

DESTINATIONS = Table(
    name="destinations",
    filename="destinations.csv",
    description="Places a figure's report names as where transferred detainees went, or rules "
                "out: the report's words about destinations that the figure's single "
                "destination_place_id cannot hold.",
    primary_key=("figure_id", "place_id"),
    foreign_keys=(
        ForeignKey("figure_id", "figures", "figure_id"),
        ForeignKey("place_id", "places", "place_id"),
    ),
    fields=(
        Field("figure_id", "string", "The figure whose report says it (figures.figure_id).",
              True, pattern=SLUG),
        Field("place_id", "string", "The place named or ruled out (places.place_id).", True),
        Field("role", "string", "named: the report names the place as a destination; "
              "ruled_out: it says detainees are not sent there.", True,
              enum=DESTINATION_ROLES),
        *quote_fields("The words naming or ruling out the place"),
        Field("paraphrase", "string", "A short English summary of what the report says about "
              "the place (not a quotation).", True),
        Field("notes", "string", "Coding notes."),
    ),
)

UNCODED = Table(
    name="uncoded",
    filename="uncoded.csv",
    description="Quantities in stored texts deliberately left out of the ledger, with why.",
    primary_key="uncoded_id",
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
    fields=(
        Field("uncoded_id", "string", "Stable id of the note.", True, True, pattern=SLUG),
        Field("source_id", "string", "The source whose text holds the quantity.", True),
        Field("start", "integer", "Start offset of the quantity phrase in the stored text.",
              True, minimum=0),
        Field("end", "integer", "End offset (exclusive).", True, minimum=0),
        Field("phrase", "string", "The phrase at those offsets.", True),
        Field("reason", "string", "Why it is not a figure of the ledger.", True),
    ),
)

RAW_TABLES: tuple[Table, ...] = (SOURCES, CLAIMANTS, MEASURES, PLACES, FIGURES, DESTINATIONS,
                                 UNCODED)

COVERAGE = Table(
    name="coverage",
    filename="coverage.csv",
    description="Every quantity of kind figure found in the stored texts: explained by a "
                "figure, or why it is not in the ledger.",
    primary_key="coverage_id",
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
    fields=(
        Field("coverage_id", "string", "source_id:start.", True, True),
        Field("source_id", "string", "The source whose text holds the quantity.", True),
        Field("start", "integer", "Start offset of the phrase.", True, minimum=0),
        Field("end", "integer", "End offset (exclusive).", True, minimum=0),
        Field("phrase", "string", "The quantity phrase as found.", True),
        Field("hedge", "string", "Its hedge.", True, enum=HEDGES),
        Field("value_low", "integer", "Its lower bound.", minimum=0),
        Field("value_best", "integer", "Its best value.", minimum=0),
        Field("value_high", "integer", "Its upper bound.", minimum=0),
        Field("status", "string", "explained, not in ledger (with a reason), or unexplained.",
              True, enum=("explained", "not in ledger", "unexplained")),
        Field("figure_id", "string", "The figure that explains it."),
        Field("reason", "string", "How it is explained, or why it is not in the ledger."),
    ),
)



@dataclass(frozen=True)
class DataFile:
    """A processed file that is not a table: listed in datapackage.json so that a Frictionless
    user finds it, with no Table Schema (its rows are not CSV rows to check)."""

    name: str
    filename: str
    format: str
    mediatype: str
    description: str
    encoding: str | None = None  # text files only (Data Resource v2 `encoding`)


PLACES_GEOJSON = DataFile(
    name="places-geojson",
    filename="places.geojson",
    format="geojson",
    mediatype="application/geo+json",
    encoding="utf-8",
    description="The places table as GeoJSON (RFC 7946, WGS 84): one Point feature per place, "
                "with the places.csv columns as properties; a place without coordinates has a "
                "null geometry, never a guessed point.",
)
PLACES_GPKG = DataFile(
    name="places-gpkg",
    filename="places.gpkg",
    format="gpkg",
    mediatype="application/geopackage+sqlite3",
    description="OGC GeoPackage 1.2 written by GDAL, EPSG:4326, for GIS software (QGIS, "
                "ogrinfo). Layer places: the places table joined to its governorate "
                "(admin1_name_en, admin1_name_ar, admin1_match, admin1_km) with how the map "
                "draws it (drawn_as); points, null where a place has no coordinates. Layer "
                "admin1: the Syrian and Iraqi governorates (Natural Earth "
                "1:10m admin-1 polygons, public domain; see data/raw/README.md) with their "
                "ISO 3166-2 codes.",
)
DATA_FILES: tuple[DataFile, ...] = (PLACES_GEOJSON, PLACES_GPKG)

# low ≤ best ≤ high: checked by analysis.validate and, through checklist(), by Frictionless.
BOUND_PAIRS: tuple[tuple[str, str], ...] = (
    ("value_low", "value_best"),
    ("value_best", "value_high"),
    ("value_low", "value_high"),
)


def checklist() -> dict:
    """A Frictionless checklist for what a Table Schema cannot say: the order of the bounds.

    Use: frictionless validate datapackage.json --checklist "$(cat checklist.json)"
    """
    formula = " and ".join(f"({a} is None or {b} is None or {a} <= {b})"
                           for a, b in BOUND_PAIRS)
    return {"checks": [{"type": "row-constraint", "formula": formula}]}
TABLES = {t.name: t for t in RAW_TABLES}

# Columns the build joins onto each figure: (column in output, table, field in that table).
JOINED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("outlet", "sources", "outlet"),
    ("url", "sources", "url"),
    ("language", "sources", "language"),
    ("published", "sources", "published"),
    ("date_basis", "sources", "date_basis"),
    ("claimant_type", "claimants", "claimant_type"),
    ("measure_label_en", "measures", "label_en"),
    ("measure_label_ar", "measures", "label_ar"),
    ("measure_kind", "measures", "kind"),
    ("place_name_en", "places", "name_en"),
    ("place_name_ar", "places", "name_ar"),
    ("lat", "places", "lat"),
    ("lon", "places", "lon"),
    ("geo_precision", "places", "geo_precision"),
    ("admin1_code", "places", "admin1_code"),
    ("country_iso3", "places", "country_iso3"),
    ("destination_name_en", "places", "name_en"),
    ("destination_name_ar", "places", "name_ar"),
)


def ledger_table() -> Table:
    """The processed, joined figures table: every figure field plus its context."""
    extra = []
    for column, table, name in JOINED_COLUMNS:
        src = TABLES[table].field(name)
        required = src.required and not column.startswith("destination_")
        extra.append(Field(column, src.type, f"{src.description} (from {table}.{name})",
                           required=required, enum=src.enum, minimum=src.minimum,
                           maximum=src.maximum))
    return Table(
        name="figures",
        filename="figures.csv",
        description=FIGURES.description + " Joined with its source, measure and places.",
        primary_key=FIGURES.primary_key,
        foreign_keys=FIGURES.foreign_keys,
        fields=FIGURES.fields + tuple(extra),
    )


def pandas_dtype(f: Field) -> str:
    return {"string": "string", "integer": "Int64", "number": "Float64",
            "date": "datetime64[s]"}[f.type]


def frictionless_field(f: Field) -> dict:
    out: dict = {"name": f.name, "type": f.type, "description": f.description}
    if f.type == "date":
        out["format"] = "default"
    constraints: dict = {}
    if f.required:
        constraints["required"] = True
    if f.unique:
        constraints["unique"] = True
    if f.enum:
        constraints["enum"] = list(f.enum)
    if f.minimum is not None:
        constraints["minimum"] = f.minimum if f.type == "number" else int(f.minimum)
    if f.maximum is not None:
        constraints["maximum"] = f.maximum if f.type == "number" else int(f.maximum)
    if f.pattern and f.type == "string":
        constraints["pattern"] = f.pattern.removeprefix("^").removesuffix("$")
    elif f.arabic:
        constraints["pattern"] = f".*{ARABIC_LETTER}.*"
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(t: Table) -> dict:
    """A Frictionless v2 Table Schema for one table."""
    schema: dict = {
        "fields": [frictionless_field(f) for f in t.fields],
        "missingValues": [""],
        "primaryKey": list(t.key_fields),
    }
    if t.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [fk.field], "reference": {"resource": fk.table, "fields": [fk.reference]}}
            for fk in t.foreign_keys
        ]
    return schema


def counted(unit: object) -> str:
    """What a unit counts: "people" for every unit of people (and for none given), else the
    unit itself. Figures are compared only with figures that count the same thing."""
    return "people" if not isinstance(unit, str) or unit in PERSON_UNITS else unit
