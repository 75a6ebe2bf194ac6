"""Charset detection on bodies alone (the fetcher tests cover the same through HTTP)."""

from __future__ import annotations

import codecs

import pytest

from tidings.fetch.charset import charset_from_content_type, declared_in_body, decode_body, is_textual, normalize_label

FRENCH = "Le gouvernement a présenté jeudi un projet de loi sur l'intelligence artificielle, jugé trop timide par les élus."
GERMAN = "Die Bundesregierung hat am Donnerstag einen Gesetzentwurf zur künstlichen Intelligenz vorgestellt; Kritiker äußern Bedenken."


def test_declared_charset_used_when_it_fits():
    text, codec = decode_body(("<p>" + GERMAN + "</p>").encode("iso8859-15"), "text/html; charset=ISO-8859-15")
    assert text == "<p>" + GERMAN + "</p>" and codec == "iso8859-15"


def test_latin1_page_declared_utf8_is_read_as_windows_1252():
    page = FRENCH + " Le ministre a répété qu'il fallait « être prêt » à réagir très vite, à côté de l'Europe."
    text, codec = decode_body(page.encode("latin-1"), "text/html; charset=utf-8")
    assert text == page and codec != "utf-8"


def test_utf8_page_declared_latin1_is_read_as_utf8():
    text, codec = decode_body(GERMAN.encode("utf-8"), 'text/html; charset="iso-8859-1"')
    assert text == GERMAN and codec == "utf-8"


def test_meta_charset_when_header_has_none():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r"></head><body>Новости</body></html>'
    assert decode_body(page.encode("koi8-r"), "text/html")[0] == page


def test_utf8_without_declaration():
    assert decode_body(FRENCH.encode("utf-8"), None) == (FRENCH, "utf-8")


def test_windows_1252_without_declaration_uses_the_detector():
    page = f"<html><body><p>{FRENCH} « Nous irons plus loin », a-t-il promis.</p></body></html>"
    text, codec = decode_body(page.encode("cp1252"), "text/html")
    assert text == page


def test_shift_jis_without_declaration():
    page = "<p>政府は新たなAI戦略を発表し、研究開発への投資を大幅に増やす方針を示した。</p>"
    assert decode_body(page.encode("shift_jis"), "text/html")[0] == page


@pytest.mark.parametrize("codec, bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                        ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_bom_wins_over_a_wrong_header(codec, bom):
    text, found = decode_body(bom + FRENCH.encode(codec), "text/plain; charset=windows-1252")
    assert text == FRENCH and found == codec


def test_undecodable_garbage_never_raises():
    text, codec = decode_body(bytes(range(128, 256)) * 3, "text/html; charset=utf-8")
    assert isinstance(text, str) and text


def test_helpers():
    assert charset_from_content_type("text/html; Charset='UTF-8'") == "UTF-8"
    assert charset_from_content_type("text/html") is None
    assert declared_in_body(b'<?xml version="1.0" encoding="ISO-8859-1"?><rss/>') == "ISO-8859-1"
    assert declared_in_body(b"<html><meta charset=gb2312>") == "gb2312"
    assert normalize_label("latin1") == "cp1252"
    assert normalize_label("x-no-such-charset") is None
    assert is_textual("application/atom+xml", b"<feed/>")
    assert is_textual(None, b"<rss/>")
    assert not is_textual("image/jpeg", b"\xff\xd8")
    assert not is_textual("application/octet-stream", b"\x00\x01\x02")
