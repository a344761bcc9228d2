"""Helpers for driving pages the way a browser does."""

import re

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str, follow_redirects: bool = False):
    """Sign in through the real login form, CSRF token and all."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=follow_redirects,
    )
