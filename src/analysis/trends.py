"""Charts of figures over time, with low–high ranges, as deterministic PNG bytes."""

from __future__ import annotations

import io

import pandas as pd

from analysis import i18n

HEDGED_MARKERS = {"at_least": "^", "at_most": "v", "up_to": "v"}


def dated(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures with a date to plot: as_of, or the end of the period a flow covers."""
    out = figures.copy()
    out["date"] = out["as_of"].fillna(out["period_end"])
    return out[out["date"].notna()].sort_values(["measure", "date", "figure_id"])


def undated(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures with neither as_of nor a period: listed beside the chart, never placed."""
    return figures[figures["as_of"].isna() & figures["period_end"].isna()]


def chart_png(figures: pd.DataFrame, lang: str = "en") -> bytes | None:
    """Small multiples per measure; points for best values, vertical lines for low–high.

    Titles stay in English until Arabic shaping lands (matplotlib does not shape Arabic).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    i18n.check_lang(lang)
    data = dated(figures)
    if data.empty:
        return None
    measures = list(dict.fromkeys(data["measure"]))
    fig = Figure(figsize=(8, 2.6 * len(measures)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(measures), 1, squeeze=False, sharex=True)[:, 0]
    first = min(data["date"].min(), data["period_start"].min(skipna=True) if
                data["period_start"].notna().any() else data["date"].min())
    axes[0].set_xlim(pd.Timestamp(first) - pd.Timedelta(days=20),
                     pd.Timestamp(data["date"].max()) + pd.Timedelta(days=45))
    for ax, measure in zip(axes, measures, strict=True):
        rows = data[data["measure"] == measure]
        ax.set_title(rows["measure_label_en"].iloc[0], loc="left", fontsize=10)
        for r in rows.itertuples():
            x = pd.Timestamp(r.date)
            if pd.notna(r.period_start) and pd.isna(r.as_of):
                ax.hlines(_y(r), pd.Timestamp(r.period_start), x, color="#999", lw=1)
            if pd.notna(r.value_low) and pd.notna(r.value_high):
                ax.vlines(x, r.value_low, r.value_high, color="#2166ac", lw=3, alpha=0.6)
            marker = HEDGED_MARKERS.get(r.hedge, "o")
            hollow = r.hedge != "exact"
            ax.plot([x], [_y(r)], marker=marker, ms=8, color="#b2182b",
                    markerfacecolor="none" if hollow else "#b2182b", linestyle="none")
            ax.annotate(i18n.format_value(r.value_low, r.value_best, r.value_high, r.hedge, "en")
                        + f" ({r.claimant})", (x, _y(r)), textcoords="offset points",
                        xytext=(6, 4), fontsize=8)
        ax.set_ylim(bottom=0, top=max(float(_y(r)) for r in rows.itertuples()) * 1.35)
        ax.grid(axis="y", color="#eee")
        ax.tick_params(labelsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _y(r) -> float:
    for v in (r.value_best, r.value_low, r.value_high):
        if pd.notna(v):
            return float(v)
    return 0.0
