"""Small server-side SVG charts for the dashboard: no JavaScript, no inline style.

The CSP forbids inline `style` and scripts, so colours come from classes in
static/css/app.css (with presentation-attribute fallbacks for a bare SVG
viewer). Each chart is a <figure> with an `<svg role="img">` whose <title> and
<desc> name it and summarise the data, plus the same data as a table in a
<details> for screen readers, keyboards and anyone who wants exact numbers.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TONES = ("primary", "success", "info", "warning", "danger", "muted")
FALLBACK_FILL = {
    "primary": "#0d6efd",
    "success": "#198754",
    "info": "#0aa2c0",
    "warning": "#ffc107",
    "danger": "#dc3545",
    "muted": "#6c757d",
}
_ids = count(1)

# Text in an SVG scales with its viewBox. Every chart is WIDTH user units wide and
# app.css caps it at about 1.2 times that on screen, so 13-unit text renders at
# 13-16 px from a phone (366 px of content at 390) to a half-width desktop column.
WIDTH = 360
FONT = 13
CHAR_W = 7.0  # average glyph width at FONT, a little over DejaVu Sans's (the widest common UI font)
LINE_H = 16
MAX_LABEL_LINES = 4  # the full label is always in the data table and the tooltip


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str = ""
    tone: str = "primary"
    note: str = ""  # shown in the table and the tooltip, e.g. a grade


def _uid(prefix: str) -> str:
    # Unique within a page: several charts share one document.
    return f"{prefix}-{next(_ids)}"


def _text_w(text: str) -> float:
    return len(text) * CHAR_W


def _wrap(text: str, width: float, max_lines: int = MAX_LABEL_LINES) -> list[str]:
    """Lines that fit `width` user units, at most `max_lines`; an ellipsis marks a cut."""
    lines = textwrap.wrap(text, max(1, int(width // CHAR_W)), break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        last = textwrap.shorten(" ".join(lines[max_lines - 1 :]), int(width // CHAR_W) - 1, placeholder="")
        lines = lines[: max_lines - 1] + [last.rstrip(" ,;:-") + "…"]
    return lines


def _ticks(top: int) -> list[int]:
    """Up to five whole-number ticks from 0 to at least `top`."""
    top = max(top, 1)
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))[:6]


def _pct(value: int, total: int | None) -> str:
    return f" ({round(100 * value / total)}%)" if total else ""


def _figure(uid: str, svg: str, title: str, caption: str, head: tuple[str, str], rows: list[tuple[str, str]]) -> SafeString:
    body = "".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
    # The chart's title names the toggle for screen readers: a page of charts was a list
    # of identical "Show the data as a table" controls.
    table = (
        f'<details class="plot-data"><summary>Show the data as a table<span class="visually-hidden">: {escape(title)}</span></summary>'
        f'<table class="table table-sm mb-0" aria-describedby="{uid}-cap">'
        f"<thead><tr><th scope=\"col\">{escape(head[0])}</th><th scope=\"col\">{escape(head[1])}</th></tr></thead>"
        f"<tbody>{body}</tbody></table></details>"
    )
    return mark_safe(
        f'<figure class="plot">{svg}<figcaption id="{uid}-cap" class="small text-body-secondary">{escape(caption)}</figcaption>{table}</figure>'
    )


def _svg_open(uid: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="plot-svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )


def bar_chart(
    title: str,
    bars: list[Bar],
    *,
    value_label: str,
    category_label: str,
    total: int | None = None,  # draw values as shares of this whole
    caption: str = "",
    empty: str = "No data yet.",
) -> SafeString:
    """Horizontal bars, one per category, each under its label. The label gets the
    chart's whole width and wraps (questions and options run to a few hundred
    characters), so the text stays legible at phone width. `total` turns values
    into percentages."""
    if not bars:
        return mark_safe(f'<p class="plot-empty text-body-secondary">{escape(empty)}</p>')
    uid = _uid("bar")
    values = [f"{b.value}{_pct(b.value, total)}{' · ' + b.note if b.note else ''}" for b in bars]
    # Bars leave room on their right for the longest value text (digits and "%"
    # are wider than the average glyph, hence the margin).
    plot_w = max(WIDTH / 3, WIDTH - max(_text_w(v) for v in values) - 24)
    bar_h, gap, top = 14, 12, 4
    if total:
        # Shares of a whole read best against quarter ticks; halves when the bars
        # are short (long value notes), so "75%" and "100%" do not run together.
        scale_top = max(total, max(b.value for b in bars))
        steps = 4 if plot_w >= 240 else 2
        ticks = [(scale_top * q / steps, f"{100 * q // steps}%") for q in range(steps + 1)]
    else:
        ticks = [(t, str(t)) for t in _ticks(max(b.value for b in bars))]
        scale_top = ticks[-1][0]
    summary = "; ".join(f"{b.label}{' (' + b.note + ')' if b.note else ''}: {b.value}{_pct(b.value, total)}" for b in bars)
    rows_svg, y = [], top
    for b, value in zip(bars, values):
        lines = _wrap(b.label, WIDTH)
        label = "".join(
            f'<text class="plot-label" x="0" y="{y + FONT + i * LINE_H}">{escape(line)}</text>' for i, line in enumerate(lines)
        )
        bar_y = y + len(lines) * LINE_H + 3
        w = plot_w * b.value / scale_top
        tone = b.tone if b.tone in TONES else "primary"
        # No <a> inside the SVG: it is one role="img" to assistive technology, and a
        # link inside it is a nested interactive control (axe). The links are in the data table.
        rows_svg.append(
            f'<g class="plot-row"><title>{escape(b.label)}{escape(" (" + b.note + ")") if b.note else ""}: {b.value}{_pct(b.value, total)}</title>{label}'
            # The track shows the scale's whole, so a short bar reads as a small share.
            f'<rect class="plot-track" x="0" y="{bar_y}" width="{plot_w:.1f}" height="{bar_h}" fill="#e9ecef"/>'
            f'<rect class="plot-bar plot-{tone}" x="0" y="{bar_y}" width="{w:.1f}" height="{bar_h}" fill="{FALLBACK_FILL[tone]}"/>'
            # The note (e.g. a grade) is printed too: colour is never the only cue.
            f'<text class="plot-value" x="{plot_w + 6:.1f}" y="{bar_y + 11}">{escape(value)}</text></g>'
        )
        y = bar_y + bar_h + gap
    axis_y = y - gap + 4
    height = axis_y + 42
    parts = [_svg_open(uid, WIDTH, height, title, f"{value_label} by {category_label}. {summary}."), *rows_svg]
    parts.append(f'<line class="plot-axis" x1="0" y1="{axis_y}" x2="{plot_w:.1f}" y2="{axis_y}" stroke="#495057"/>')
    for t, tick_label in ticks:
        x = plot_w * t / scale_top
        anchor = "start" if t == 0 else "end" if t == scale_top else "middle"
        parts.append(f'<line class="plot-axis" x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#495057"/>')
        parts.append(f'<text class="plot-tick" x="{x:.1f}" y="{axis_y + 18}" text-anchor="{anchor}">{tick_label}</text>')
    parts.append(f'<text class="plot-axis-label" x="0" y="{height - 6}">{escape(value_label)}</text>')
    parts.append("</svg>")
    rows = []
    for b in bars:
        name = escape(b.label) + (f' <span class="text-body-secondary">({escape(b.note)})</span>' if b.note else "")
        if b.href:
            name = f'<a href="{escape(b.href)}">{name}</a>'
        rows.append((name, f"{b.value}{_pct(b.value, total)}"))
    return _figure(uid, "".join(parts), title, caption or title, (category_label, value_label), rows)


def histogram(title: str, bins: list[tuple[str, int]], *, x_label: str, y_label: str, caption: str = "", empty: str = "No data yet.") -> SafeString:
    """Vertical bars over ordered bins (e.g. score bands)."""
    if not bins or not any(n for _, n in bins):
        return mark_safe(f'<p class="plot-empty text-body-secondary">{escape(empty)}</p>')
    uid = _uid("hist")
    left, right, top, plot_h = 40, 8, 18, 150
    col_w = (WIDTH - left - right) / len(bins)
    # Labels wider than a column alternate between two lines instead of overlapping.
    stagger = max(_text_w(label) for label, _ in bins) > col_w - 4
    height = top + plot_h + (70 if stagger else 54)
    ticks = _ticks(max(n for _, n in bins))
    scale_top = ticks[-1]
    summary = "; ".join(f"{label}: {n}" for label, n in bins)
    parts = [_svg_open(uid, WIDTH, height, title, f"{y_label} per {x_label.lower()}. {summary}.")]
    base = top + plot_h
    for t in ticks:
        y = base - plot_h * t / scale_top
        parts.append(f'<line class="plot-grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#dee2e6"/>')
        parts.append(f'<text class="plot-tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t}</text>')
    for i, (label, n) in enumerate(bins):
        x = left + i * col_w
        h = plot_h * n / scale_top
        label_y = base + 16 + (LINE_H if stagger and i % 2 else 0)
        parts.append(
            f'<g class="plot-row"><title>{escape(label)}: {n}</title>'
            f'<rect class="plot-bar plot-primary" x="{x + 3:.1f}" y="{base - h:.1f}" width="{col_w - 6:.1f}" height="{h:.1f}" fill="{FALLBACK_FILL["primary"]}"/>'
            + (f'<text class="plot-value" x="{x + col_w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{n}</text>' if n else "")
            + f'<text class="plot-tick" x="{x + col_w / 2:.1f}" y="{label_y}" text-anchor="middle">{escape(label)}</text></g>'
        )
    parts.append(f'<line class="plot-axis" x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="#495057"/>')
    parts.append(f'<line class="plot-axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#495057"/>')
    parts.append(f'<text class="plot-axis-label" x="{left + col_w * len(bins) / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(
        f'<text class="plot-axis-label" x="12" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 12 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    parts.append("</svg>")
    rows = [(escape(label), str(n)) for label, n in bins]
    return _figure(uid, "".join(parts), title, caption or title, (x_label, y_label), rows)
