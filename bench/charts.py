"""PNG charts (matplotlib, no screen): throughput and p99 latency against concurrency."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

STYLE = {  # role -> line style; implementations solid, ceilings dashed
    "impl": "-",
    "second": "-.",
    "hello": ":",
    "bare": "--",
    "raw": "--",
}


def throughput_and_p99(
    series: dict[str, list[tuple[int, float, float]]], roles: dict[str, str], title: str, path: Path
) -> None:
    """``series``: label -> [(concurrency, req/s, p99 ms)]; one figure, req/s on the left, p99 on the right."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    for label, points in sorted(series.items()):
        points = sorted(points)
        xs = [p[0] for p in points]
        style = STYLE.get(roles.get(label, "impl"), "-")
        marker = "o" if len(points) > 1 else "s"
        left.plot(xs, [p[1] for p in points], style, marker=marker, label=label)
        right.plot(xs, [p[2] for p in points], style, marker=marker, label=label)
    for axis, what in ((left, "requests/s"), (right, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent connections (wrk -c)")
        axis.set_ylabel(what)
        axis.grid(True, which="both", alpha=0.3)
        axis.set_xticks([1, 16, 64, 256])
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
    right.set_yscale("log")
    left.set_ylim(bottom=0)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, max(1, len(labels))), fontsize=8, frameon=False)
    fig.suptitle(title)
    rows = (len(labels) + 2) // 3
    fig.tight_layout(rect=(0, 0.06 * rows + 0.02, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
