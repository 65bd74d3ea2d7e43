"""Small server-side SVG charts for the dashboard: no JavaScript, no inline style.

The CSP forbids inline `style` and scripts, so colours come from classes in
static/css/app.css (with presentation-attribute fallbacks for a bare SVG
viewer). Each chart is a <figure> with an `<svg role="img">` whose <title> and
<desc> name it and summarise the data, plus the same data as a table in a
<details> for screen readers, keyboards and anyone who wants exact numbers.
"""

from __future__ import annotations

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


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ticks(top: int) -> list[int]:
    """Up to five whole-number ticks from 0 to at least `top`."""
    top = max(top, 1)
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))[:6]


def _pct(value: int, total: int | None) -> str:
    return f" ({round(100 * value / total)}%)" if total else ""


def _figure(uid: str, svg: str, caption: str, head: tuple[str, str], rows: list[tuple[str, str]]) -> SafeString:
    body = "".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
    table = (
        f'<details class="plot-data"><summary>Show the data as a table</summary>'
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
    """Horizontal bars, one per category: long labels (questions, options, guidance
    ids) stay readable at phone width. `total` turns values into percentages."""
    if not bars:
        return mark_safe(f'<p class="plot-empty text-body-secondary">{escape(empty)}</p>')
    uid = _uid("bar")
    label_w, plot_w, row_h, top, bottom = 260, 270, 30, 8, 46
    width, height = label_w + plot_w + 170, top + row_h * len(bars) + bottom
    if total:
        # Shares of a whole read best against quarter gridlines.
        scale_top = max(total, max(b.value for b in bars))
        ticks = [(scale_top * q / 4, f"{25 * q}%") for q in range(5)]
    else:
        ticks = [(t, str(t)) for t in _ticks(max(b.value for b in bars))]
        scale_top = ticks[-1][0]
    summary = "; ".join(f"{b.label}{' (' + b.note + ')' if b.note else ''}: {b.value}{_pct(b.value, total)}" for b in bars)
    parts = [_svg_open(uid, width, height, title, f"{value_label} by {category_label}. {summary}.")]
    axis_y = top + row_h * len(bars)
    for t, tick_label in ticks:
        x = label_w + plot_w * t / scale_top
        parts.append(f'<line class="plot-grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#dee2e6"/>')
        parts.append(f'<text class="plot-tick" x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{tick_label}</text>')
    for i, b in enumerate(bars):
        y = top + i * row_h
        w = plot_w * b.value / scale_top
        tone = b.tone if b.tone in TONES else "primary"
        tip = escape(f"{b.label}{' (' + b.note + ')' if b.note else ''}: {b.value}{_pct(b.value, total)}")
        label = f'<text class="plot-label" x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">{escape(_short(b.label, 30))}</text>'
        # No <a> inside the SVG: it is one role="img" to assistive technology, and a
        # link inside it is a nested interactive control (axe). The links are in the data table.
        parts.append(
            f'<g class="plot-row"><title>{tip}</title>{label}'
            f'<rect class="plot-bar plot-{tone}" x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{FALLBACK_FILL[tone]}"/>'
            # The note (e.g. a grade) is printed too: colour is never the only cue.
            f'<text class="plot-value" x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}">{b.value}{_pct(b.value, total)}'
            f'{" · " + escape(b.note) if b.note else ""}</text></g>'
        )
    parts.append(f'<line class="plot-axis" x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#495057"/>')
    parts.append(f'<text class="plot-axis-label" x="{label_w + plot_w / 2}" y="{height - 6}" text-anchor="middle">{escape(value_label)}</text>')
    parts.append("</svg>")
    rows = []
    for b in bars:
        name = escape(b.label) + (f' <span class="text-body-secondary">({escape(b.note)})</span>' if b.note else "")
        if b.href:
            name = f'<a href="{escape(b.href)}">{name}</a>'
        rows.append((name, f"{b.value}{_pct(b.value, total)}"))
    return _figure(uid, "".join(parts), caption or title, (category_label, value_label), rows)


def histogram(title: str, bins: list[tuple[str, int]], *, x_label: str, y_label: str, caption: str = "", empty: str = "No data yet.") -> SafeString:
    """Vertical bars over ordered bins (e.g. score bands)."""
    if not bins or not any(n for _, n in bins):
        return mark_safe(f'<p class="plot-empty text-body-secondary">{escape(empty)}</p>')
    uid = _uid("hist")
    left, right, top, plot_h, bottom = 48, 12, 16, 180, 58
    col_w = 52
    width, height = left + col_w * len(bins) + right, top + plot_h + bottom
    ticks = _ticks(max(n for _, n in bins))
    scale_top = ticks[-1]
    summary = "; ".join(f"{label}: {n}" for label, n in bins)
    parts = [_svg_open(uid, width, height, title, f"{y_label} per {x_label.lower()}. {summary}.")]
    base = top + plot_h
    for t in ticks:
        y = base - plot_h * t / scale_top
        parts.append(f'<line class="plot-grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#dee2e6"/>')
        parts.append(f'<text class="plot-tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t}</text>')
    for i, (label, n) in enumerate(bins):
        x = left + i * col_w
        h = plot_h * n / scale_top
        parts.append(
            f'<g class="plot-row"><title>{escape(label)}: {n}</title>'
            f'<rect class="plot-bar plot-primary" x="{x + 6}" y="{base - h:.1f}" width="{col_w - 12}" height="{h:.1f}" fill="{FALLBACK_FILL["primary"]}"/>'
            + (f'<text class="plot-value" x="{x + col_w / 2}" y="{base - h - 4:.1f}" text-anchor="middle">{n}</text>' if n else "")
            + f'<text class="plot-tick" x="{x + col_w / 2}" y="{base + 16}" text-anchor="middle">{escape(label)}</text></g>'
        )
    parts.append(f'<line class="plot-axis" x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#495057"/>')
    parts.append(f'<line class="plot-axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#495057"/>')
    parts.append(f'<text class="plot-axis-label" x="{left + col_w * len(bins) / 2}" y="{height - 8}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(
        f'<text class="plot-axis-label" x="14" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    parts.append("</svg>")
    rows = [(escape(label), str(n)) for label, n in bins]
    return _figure(uid, "".join(parts), caption or title, (x_label, y_label), rows)
