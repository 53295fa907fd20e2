"""Reported figures on the 2026 transfer of ISIS detainees from north-east Syria to Iraq.

`import analysis` stays light: pandas is imported here, while geopandas, folium,
matplotlib, pandera, papermill and nbconvert are imported only by the functions
that need them.
"""

from __future__ import annotations

from analysis.compare import claims, contradictions
from analysis.errors import AnalysisError, Problem, ValidationError
from analysis.ledger import (
    load_boundaries,
    load_figures,
    load_manifest,
    load_measures,
    load_places,
    load_sources,
)
from analysis.policies import POLICIES, estimate, sensitivity

__all__ = [
    "POLICIES",
    "AnalysisError",
    "Problem",
    "ValidationError",
    "claims",
    "contradictions",
    "estimate",
    "load_boundaries",
    "load_figures",
    "load_manifest",
    "load_measures",
    "load_places",
    "load_sources",
    "sensitivity",
]
__version__ = "0.1.0"
