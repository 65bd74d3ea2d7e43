"""Inline markup in case text is allow-listed by nh3; anything else is stripped."""

from trainer.templatetags.case_text import case_html


def test_emphasis_and_line_breaks_survive():
    assert case_html("T <strong>38.6</strong> °C<br>HR 108") == "T <strong>38.6</strong> °C<br>HR 108"


def test_script_and_event_handlers_are_removed():
    out = case_html('<script>alert(1)</script><em onclick="x()">hot</em><img src=x onerror=alert(2)>')
    assert "<script" not in out and "alert(1)" not in out
    assert "onclick" not in out and "onerror" not in out and "<img" not in out
    assert "<em>hot</em>" in out


def test_plain_text_is_escaped():
    assert case_html("a < b & c") == "a &lt; b &amp; c"
