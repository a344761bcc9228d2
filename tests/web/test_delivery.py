"""How pages travel: compressed when the browser accepts it (a Procfile platform's router may not
compress), and an icon at /favicon.ico (browsers ask for it on every page; a 404 there is a console
error on every page in Lighthouse)."""

from __future__ import annotations

import gzip

import pytest


def test_the_icon_is_served_where_browsers_look_for_it(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert response.cache_control.max_age and response.cache_control.max_age >= 86400


def test_pages_name_their_icon(client):
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/login").get_data(as_text=True)


def test_a_page_is_gzipped_when_the_browser_accepts_gzip(client):
    plain = client.get("/login")
    zipped = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    page = gzip.decompress(zipped.data).decode()
    assert "Đăng nhập" in page
    assert len(zipped.data) < len(plain.data) / 2


def test_the_stylesheet_is_brotli_compressed_when_the_browser_accepts_it(client):
    brotli = pytest.importorskip("brotli")
    with client.get("/static/app.css") as plain, \
            client.get("/static/app.css", headers={"Accept-Encoding": "gzip, deflate, br"}) as compressed:
        assert compressed.headers["Content-Encoding"] == "br"
        assert brotli.decompress(compressed.data) == plain.data
        assert len(compressed.data) < len(plain.data) / 2


def test_the_stylesheet_and_script_are_gzipped_for_a_browser_offering_gzip_and_deflate(client):
    """Browsers offer brotli and zstd only over HTTPS: the demo at http://127.0.0.1:5000 gets gzip."""
    for path in ("/static/app.css", "/static/steps.js"):
        with client.get(path) as plain, \
                client.get(path, headers={"Accept-Encoding": "gzip, deflate"}) as compressed:
            assert compressed.headers["Content-Encoding"] == "gzip", path
            assert gzip.decompress(compressed.data) == plain.data
            assert len(compressed.data) < len(plain.data) / 2


def test_json_answers_are_compressed_too(client, auth):
    response = client.get("/api/v1/admin-units/communes", query_string={"q": "hai"},
                          headers={**auth, "Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"communes" in gzip.decompress(response.data) or gzip.decompress(response.data).startswith(b"[")
