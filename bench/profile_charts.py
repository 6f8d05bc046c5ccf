"""The profiling phase's pictures (matplotlib): a flame graph per profile (SVG) and the layers' stacked bars (PNG).

Why the flame graphs are drawn here: py-spy writes an SVG flame graph itself (``--format flamegraph``), but then
gives no raw stacks to classify, and a second recording would be another window than the table's; no
well-kept PyPI or npm package renders collapsed stacks to a static SVG (flamegraph.pl is Perl, not packaged
here; inferno is a Rust crate; the npm viewers are browser components). matplotlib, the bench's chart library,
draws the same picture from the very samples the table counts, each frame coloured by the layer its own
samples go to, with the frame's full name and count as a tooltip (an SVG ``<title>``). The file is static: no
script, no font or style sheet from elsewhere, so it opens offline. Frames under ``MIN_SHARE`` of the samples are
left out (and their callees), which keeps a file near 100-300 KiB instead of py-spy's megabytes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from bench import layers  # noqa: E402

COLOURS = {  # one colour per layer, in LAYERS' order: the bars and the flame graphs use the same
    "http": "#4e79a7",
    "routing": "#f28e2b",
    "auth": "#e15759",
    "validation": "#76b7b2",
    "app": "#edc948",
    "orm": "#59a14f",
    "driver": "#9c755f",
    "serialisation": "#b07aa1",
    "other": "#bab0ac",
    "idle": "#e8e8e8",
}
MIN_SHARE = 0.008  # a frame with fewer samples than this share of the profile is not drawn


def _node() -> dict:
    return {"count": 0, "children": {}}


def _label(frame: str, own_roots: Sequence[str]) -> str:
    """``function (module path)``, without the line: a function's lines merge into one box."""
    function, file, _ = layers.split_frame(frame)
    return f"{function} ({layers.module_path(file, own_roots)})" if file else function


def flame_graph(stacks: Counter, own_roots: Sequence[str], title: str, path: Path) -> None:
    """Write ``path`` (SVG): ``stacks`` (frames root first -> samples) as a flame graph, the root at the bottom."""
    root = _node()
    for frames, n in stacks.items():
        root["count"] += n
        node, prefix = root, []
        for frame in frames:
            prefix.append(frame)
            child = node["children"].setdefault(_label(frame, own_roots), _node())
            child["count"] += n
            child.setdefault("stack", tuple(prefix))  # a stack through this box, for its layer
            node = child
    total = root["count"] or 1
    boxes: list[tuple[float, int, float, str, str]] = []  # x, depth, width (shares), label, layer

    def place(node: dict, x: float, depth: int) -> None:
        for label, child in sorted(node["children"].items()):
            width = child["count"] / total
            if width >= MIN_SHARE:
                layer = layers.classify(child["stack"], own_roots)
                boxes.append((x, depth, width, label, layer))
                place(child, x, depth + 1)
            x += width

    place(root, 0.0, 0)
    depth = max((b[1] for b in boxes), default=0) + 1
    inches = 14
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "bench"}):
        fig = plt.figure(figsize=(inches, 0.8 + 0.17 * depth))
        ax = fig.add_axes((0.005, 0.02, 0.99, 1 - 0.5 / (0.8 + 0.17 * depth)))
        tips = {}
        for at, (x, level, width, label, layer) in enumerate(boxes):
            rect = plt.Rectangle((x, level), width, 0.94, facecolor=COLOURS[layer], edgecolor="white", linewidth=0.3)
            rect.set_gid(f"frame{at}")
            ax.add_patch(rect)
            share = width * 100
            tips[f"frame{at}"] = f"{label}: {round(width * total)} samples, {share:.1f}%, {layers.LAYERS[layer]}"
            chars = int(width * inches * 72 / 4.2)  # ~4.2 points per character at 7 points
            if chars >= 4:
                text = label if len(label) <= chars else label[: chars - 1] + "…"
                ax.text(x + 0.002, level + 0.45, text, fontsize=7, va="center", clip_on=True)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, depth)
        ax.axis("off")
        handles = [plt.Rectangle((0, 0), 1, 1, color=COLOURS[k]) for k in layers.LAYERS]
        fig.legend(handles, list(layers.LAYERS.values()), loc="upper right", ncol=5, fontsize=7, frameon=False)
        fig.suptitle(f"{title}: {total} samples", x=0.005, ha="left", fontsize=9)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="svg", metadata={"Date": None})
        plt.close(fig)
    text = path.read_text()
    for gid, tip in tips.items():  # a tooltip on each box: matplotlib gives the group an id, not a title
        text = text.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{html.escape(tip)}</title>', 1)
    path.write_text(_smaller(text))


def _smaller(svg: str) -> str:
    """The same picture in fewer bytes: coordinates to 0.1 point on one line, the font named once in a style sheet
    instead of on every label, no clipping to the axes (nothing lies outside), no rotation by zero degrees."""
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)
    svg = re.sub(r' clip-path="url\(#\w+\)"', "", svg)  # every box and label lies inside the axes anyway
    svg = re.sub(
        r'( (?:d|x|y|width|height)=")([^"]*)"', lambda m: m[1] + " ".join(NUMBER.sub(_tenth, m[2]).split()) + '"', svg
    )
    fonts = re.search(r"font-family: ([^;]*); ", svg)
    if fonts:
        svg = svg.replace(fonts[0], "").replace("</style>", f"text {{font-family: {fonts[1]}}}\n</style>", 1)
    return svg


NUMBER = re.compile(r"-?\d+\.\d+")


def _tenth(number: re.Match) -> str:
    return f"{float(number[0]):.1f}".removesuffix(".0")


def stacked_bars(rows: list[tuple[str, dict[str, float]]], title: str, path: Path) -> None:
    """``rows``: (bar label, {layer: share 0..1}); one horizontal bar per row, the layers stacked in LAYERS' order."""
    fig, ax = plt.subplots(figsize=(11, 0.9 + 0.38 * len(rows)))
    labels = [label for label, _ in rows]
    ys = range(len(rows))
    left = [0.0] * len(rows)
    for layer, name in layers.LAYERS.items():
        widths = [shares.get(layer, 0.0) * 100 for _, shares in rows]
        if any(widths):
            ax.barh(ys, widths, left=left, color=COLOURS[layer], label=name, edgecolor="white", linewidth=0.5)
            for y, (x, w) in enumerate(zip(left, widths, strict=True)):
                if w >= 6:
                    ax.text(x + w / 2, y, f"{w:.0f}", ha="center", va="center", fontsize=7)
            left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(list(ys), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the workers' samples (%)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
