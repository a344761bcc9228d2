"""The farmer pages as an installable app that keeps working offline: the web app manifest, the
service worker (served under /farmer/ so that its scope is the farmer pages and nothing else), the
offline page it keeps, and a fresh CSRF token for changes the phone sends later (connector/static/
farmer.js, "offline queue").

The service worker's source is connector/static/farmer-sw.js; this module fills in its build: a
version made from the bytes of every file it keeps (so any change to them installs a new worker,
which replaces the old caches) and its Vietnamese messages, which thus go through the catalogs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, current_app, jsonify, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from connector.farmers.sessions import farmer_required

bp = Blueprint("farmer_pwa", __name__, url_prefix="/farmer")
SCOPE = "/farmer/"  # the farmer pages' start and scope (whichever page answers there)

THEME_COLOUR = "#0b6b3a"  # the header of connector/static/farmer.css
BACKGROUND_COLOUR = "#f6f7f4"  # its page background
ICONS = (("icons/farmer-192.png", "192x192", "any"), ("icons/farmer-512.png", "512x512", "any"),
         ("icons/farmer-maskable-512.png", "512x512", "maskable"))
KEPT_STATIC = ("farmer.css", "farmer.js", *(icon for icon, _size, _purpose in ICONS))
BUILD_PLACEHOLDER = "/* BUILD: filled in by connector/farmers/pwa.py */ {}"


@bp.route("/manifest.webmanifest")
def manifest():
    body = {
        "name": _("My farm shop"),
        "short_name": _("My farm shop"),
        "description": _("Your products, orders and money."),
        "lang": "vi",
        "dir": "ltr",
        "id": SCOPE,
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": url_for("static", filename=icon), "sizes": size, "type": "image/png", "purpose": purpose}
                  for icon, size, purpose in ICONS],
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    response.cache_control.public, response.cache_control.max_age = True, 24 * 3600
    return response


@bp.route("/sw.js")
def service_worker():
    """The worker's script, never taken from a cache without asking (a fixed worker would keep old pages)."""
    build = {
        "offline": _("No network connection — showing the copy saved at %(time)s"),
        "slow": _("The network is slow — showing the copy saved at %(time)s"),
        "offlinePage": url_for("farmer_pwa.offline"),
        "queueScript": url_for("static", filename="farmer.js"),
        "static": [url_for("static", filename=name) for name in KEPT_STATIC],
    }
    build["version"] = _version(json.dumps(build, sort_keys=True))
    source = _source().replace(BUILD_PLACEHOLDER, json.dumps(build, ensure_ascii=False))
    response = make_response(source)
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = SCOPE
    response.cache_control.no_cache = True
    return response


@bp.route("/offline")
def offline():
    """Shown by the service worker for a farmer page it has not kept, when there is no network."""
    return render_template("farmers/offline.html", start=SCOPE)


@bp.route("/csrf-token")
@farmer_required
def csrf_token():
    """A token for sending the changes queued offline: the one in the saved form may belong to a
    browser session that has ended since. Same-origin only (no CORS), like the token in any page."""
    response = jsonify(csrf_token=generate_csrf())
    response.cache_control.no_store = True
    return response


def _static(name: str) -> Path:
    return Path(current_app.static_folder) / name


def _source() -> str:
    return _static("farmer-sw.js").read_text(encoding="utf-8")


def _version(build: str) -> str:
    """A hash of everything the worker keeps and says (about 50 KB to read: cheaper than keeping it fresh)."""
    digest = hashlib.sha256(build.encode())
    digest.update(_source().encode())
    for name in KEPT_STATIC:
        digest.update(_static(name).read_bytes())
    for template in ("farmers/offline.html", "farmers/base.html"):
        digest.update(Path(current_app.jinja_loader.searchpath[0], template).read_bytes())
    return digest.hexdigest()[:12]
