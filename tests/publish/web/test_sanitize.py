"""Outside text becomes plain text; only http(s) links survive."""

from datetime import datetime, timezone

from tidings.publish.web.timeline import timeline_svg
from tidings.sanitize import clean_html, plain_text, safe_url


def test_plain_text_drops_markup_and_script_bodies():
    assert plain_text('<img src=x onerror=alert(1)>Hi &amp; <b>bye</b><script>alert(2)</script>') == "Hi & bye"
    assert plain_text("a\x00b  \n c") == "ab c"
    assert plain_text("one two three four", max_chars=9) == "one two…"


def test_safe_url_keeps_http_only():
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                "//a.example/x", "https://user:pw@a.example/", "http://", None, ""):
        assert safe_url(bad) is None, bad


def test_clean_html_and_timeline_escape():
    assert clean_html('<a href="javascript:x" onclick="y">z</a><script>s</script>') == \
        '<a rel="nofollow noopener noreferrer">z</a>'
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    svg = timeline_svg([(t, "<script>alert(1)</script>"), (t.replace(hour=5), "B")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and svg.startswith("<svg")
    assert timeline_svg([]) == ""
