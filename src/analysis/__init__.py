"""Reported figures on the 2026 transfer of ISIS detainees from north-east Syria to Iraq.

`import analysis` is nearly free: the loaders and views (and pandas, geopandas, folium,
matplotlib, pandera, papermill, nbconvert behind them) are imported on first use, so the
command line answers a no-change `analysis run` without loading any of them.
"""

from __future__ import annotations

import importlib

from analysis.errors import AnalysisError, Problem, ValidationError

_LAZY = {
    "load_boundaries": "analysis.ledger",
    "load_claimants": "analysis.ledger",
    "load_destinations": "analysis.ledger",
    "load_figures": "analysis.ledger",
    "load_measures": "analysis.ledger",
    "load_places": "analysis.ledger",
    "load_sources": "analysis.ledger",
    "load_manifest": "analysis.manifest",
    "claims": "analysis.compare",
    "contradictions": "analysis.compare",
    "copies_that_differ": "analysis.compare",
    "POLICIES": "analysis.policies",
    "estimate": "analysis.policies",
    "sensitivity": "analysis.policies",
}

__all__ = ["AnalysisError", "Problem", "ValidationError", *sorted(_LAZY)]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        try:  # submodules: analysis.schema, analysis.maps, …
            return importlib.import_module(f"analysis.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'analysis' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """What an analyst may use (tab completion): the loaders and helpers, the submodules
    (`analysis.maps`, …), not this module's own imports (`annotations`, `importlib`)."""
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return sorted({*__all__, "__version__", *modules})
