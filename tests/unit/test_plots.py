"""Server-side SVG plots: accessible, CSP-clean, escaped, proportional."""

import re
import xml.etree.ElementTree as ET

import pytest

from trainer.plots import CHAR_W, WIDTH, Bar, bar_chart, histogram

SVG = "{http://www.w3.org/2000/svg}"


def _svg(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))


def test_bar_chart_is_an_accessible_image_with_a_data_table():
    html = bar_chart("Red flags missed", [Bar("rf-a", 3, href="/guidance/#rf-a"), Bar("rf-b", 1)],
                     value_label="Learners", category_label="Red flag", total=4)
    svg = _svg(html)
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Red flags missed"
    assert "rf-a: 3 (75%)" in desc.text and "rf-b: 1 (25%)" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Learners" in texts  # the value axis is labelled
    assert {"0%", "50%", "100%"} <= set(texts)  # shares of the total on the axis
    assert "<table" in html and '<a href="/guidance/#rf-a">rf-a</a>' in html and "<td>3 (75%)</td>" in html
    assert svg.find(f".//{SVG}a") is None  # one image to assistive tech: no link inside (axe nested-interactive)


def test_no_inline_style_or_script():
    html = bar_chart("t", [Bar("x", 2, tone="danger")], value_label="v", category_label="c")
    html += histogram("h", [("0–9", 1), ("10–19", 3)], x_label="Score band", y_label="Learners")
    assert "style=" not in html and "<script" not in html and "onclick" not in html


def test_a_note_is_printed_not_only_coloured():
    svg = _svg(bar_chart("t", [Bar("Refer now", 3, tone="success", note="best")], value_label="v", category_label="c", total=4))
    assert any(t.text and t.text.endswith("· best") for t in svg.iter(f"{SVG}text"))


def test_bar_widths_are_proportional():
    svg = _svg(bar_chart("t", [Bar("a", 4), Bar("b", 2), Bar("c", 0)], value_label="v", category_label="c", total=8))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if "plot-bar" in r.get("class")]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.1) and widths[2] == 0


def _labels(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "plot-label"]


def test_labels_are_escaped_and_long_ones_wrap_in_full():
    # The audit found options cut to "Conservative care - education…": a label now
    # gets the chart's whole width and wraps, word by word, over several lines.
    long = "Conservative care - education, stay active within comfort, function goals, safety-net advice, <b>review</b> & follow-up"
    html = bar_chart("<t>", [Bar(long, 1), Bar("Short", 2)], value_label="v", category_label="c")
    assert "<b>" not in html and "&lt;b&gt;" in html
    lines = _labels(_svg(html))
    assert " ".join(lines[:-1]) == long and lines[-1] == "Short"
    assert len(lines) >= 3 and all(len(line) * CHAR_W <= WIDTH for line in lines)
    # Lines stack downwards, and the bar comes below its label.
    ys = [float(t.get("y")) for t in _svg(html).iter(f"{SVG}text") if t.get("class") == "plot-label"]
    assert ys == sorted(ys)
    first_bar = next(r for r in _svg(html).iter(f"{SVG}rect") if "plot-bar" in r.get("class"))
    assert float(first_bar.get("y")) > ys[len(lines) - 2]


def test_a_very_long_label_is_cut_at_a_word_with_the_full_text_in_the_table():
    long = " ".join(["word"] * 120)
    html = bar_chart("t", [Bar(long, 1)], value_label="v", category_label="c")
    lines = _labels(_svg(html))
    assert len(lines) == 4 and lines[-1].endswith("word…")
    assert f"<th scope=\"row\">{long}</th>" in html


def test_text_stays_legible_at_phone_width():
    # Text scales with the viewBox: 13-unit text in a chart drawn at 366 px (the
    # content width at a 390 px viewport) must come out at 12 px or more.
    bars = [Bar("A question " * 8, 11, note="essential"), Bar("b", 100, note="acceptable")]
    for html in (bar_chart("t", bars, value_label="v", category_label="c", total=100),
                 histogram("h", [(f"{10 * i}–{10 * i + 9}", i) for i in range(10)], x_label="x", y_label="y")):
        width = float(_svg(html).get("viewBox").split()[2])
        assert 13 * 366 / width >= 12, width


def test_histogram_labels_too_wide_for_a_column_alternate_lines():
    bins = [(f"{10 * i}–{10 * i + 9}", 1) for i in range(10)]
    svg = _svg(histogram("Scores", bins, x_label="Score band", y_label="Learners"))
    ticks = {t.text: float(t.get("y")) for t in svg.iter(f"{SVG}text") if t.get("class") == "plot-tick"}
    assert ticks["0–9"] != ticks["10–19"] and ticks["0–9"] == ticks["20–29"]
    few = _svg(histogram("h", [("a", 1), ("b", 2)], x_label="x", y_label="y"))
    ys = {t.text: t.get("y") for t in few.iter(f"{SVG}text") if t.get("class") == "plot-tick"}
    assert ys["a"] == ys["b"]  # room enough: one line


def test_histogram_bins_axes_and_values():
    bins = [(f"{10 * i}–{10 * i + 9}", n) for i, n in enumerate([0, 0, 1, 0, 0, 2, 0, 0, 0, 4])]
    svg = _svg(histogram("Scores", bins, x_label="Score band", y_label="Learners"))
    rects = list(svg.iter(f"{SVG}rect"))
    assert len(rects) == 10
    heights = [float(r.get("height")) for r in rects]
    assert heights[9] == 2 * heights[5] == 4 * heights[2] and heights[0] == 0
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Score band" in texts and "Learners" in texts and "90–99" in texts


def test_empty_data_gives_a_sentence_not_a_blank_chart():
    assert "Nothing yet" in bar_chart("t", [], value_label="v", category_label="c", empty="Nothing yet")
    assert "<svg" not in histogram("h", [("a", 0)], x_label="x", y_label="y")


def test_ids_are_unique_per_chart():
    a, b = (bar_chart("t", [Bar("x", 1)], value_label="v", category_label="c") for _ in range(2))
    assert _svg(a).find(f"{SVG}title").get("id") != _svg(b).find(f"{SVG}title").get("id")
