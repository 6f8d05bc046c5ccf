"""The charts of report_scaling's section (matplotlib, no screen): req/s against the page size, and 10,000 items
against the large table."""

from __future__ import annotations

from pathlib import Path

from bench.charts import plt
from bench.matrix import LIMITS


def limits(series: dict[str, dict[str, dict[int, float | None]]], path: Path) -> None:
    """``series``: {database label: {line label: {limit: req/s}}}; one panel per database, raw ceilings dashed."""
    fig, axes = plt.subplots(1, len(series), figsize=(6 * len(series), 4.4), squeeze=False)
    for axis, (db, lines) in zip(axes[0], series.items(), strict=True):
        for label, rps in lines.items():
            points = sorted((k, v) for k, v in rps.items() if v)
            style = "--" if label.startswith("raw") else "-"
            axis.plot([p[0] for p in points], [p[1] for p in points], style, marker="o", label=label)
        axis.set(xscale="log", xlabel="limit (items per page)", ylabel="requests/s", title=db)
        axis.set_xticks(list(LIMITS.values()), [str(v) for v in LIMITS.values()])
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle("GET /items?limit=N&sort=-price: throughput against the page size")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def sizes(series: dict[str, dict[str, dict[str, tuple]]], path: Path, large_items: int) -> None:
    """``series``: {database label: {implementation: {scenario: (10,000-item req/s, large-table req/s)}}}; log scale."""
    fig, axes = plt.subplots(1, len(series), figsize=(6 * len(series), 4.4), squeeze=False)
    for axis, (db, apps) in zip(axes[0], series.items(), strict=True):
        labels, small, big = [], [], []
        for app, scenarios in apps.items():
            for scenario, (a, b) in scenarios.items():
                labels.append(f"{app}\n{scenario}")
                small.append(a or 0)
                big.append(b or 0)
        xs = range(len(labels))
        axis.bar([x - 0.2 for x in xs], small, width=0.4, label="10,000 items")
        axis.bar([x + 0.2 for x in xs], big, width=0.4, label=f"{large_items:,} items")
        axis.set_xticks(list(xs), labels, fontsize=7)
        axis.set(yscale="log", ylabel="requests/s (log)", title=db)
        axis.grid(True, axis="y", alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle(f"10,000 items against {large_items:,}: requests/s of GET one, the list and the search")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
