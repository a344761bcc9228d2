"""Issues 11 and 13: Lighthouse's scores (mobile, default throttling) for the staff and farmer pages, with
LCP, TBT, CLS and the bytes each page transferred.

Lighthouse 12.2.3 (13.x needs Node 22) is installed from tests/benchmarks/lighthouse/package.json by
`make bench` (`npm ci`) and run against Debian's chromium. Without npm, Lighthouse or Chromium the
part is skipped with a message saying what is missing. BENCH_LIGHTHOUSE_PAGES=a,b limits the pages
(e.g. "/login,/households/new").
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import requests
from werkzeug.serving import make_server

from connector.extensions import db
from connector.seed import DEMO_USERS, seed_demo

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per page, not per request

TOOLS = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


def missing_tools() -> str | None:
    if not shutil.which("npm"):
        return "npm is not installed (Debian: apt-get install npm)"
    if not LIGHTHOUSE.exists():
        return f"Lighthouse is not installed: run `npm ci --prefix {TOOLS.relative_to(Path.cwd())}` (make bench does)"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Chromium is not installed (Debian: apt-get install chromium)"
    return None


def seed_pages(app) -> dict[str, list[str]]:
    """The demo staff, and a household with a product and an order picked up at a service point
    beside it: the paths each role visits."""
    from connector.logistics.services import assign_pickup
    from tests.factories import make_household, make_order, make_product, make_service_point

    with app.app_context():
        seed_demo()
        from sqlalchemy import select

        from connector.auth.models import User

        agent = db.session.scalar(select(User).where(User.username == login_of("agent")[0]))
        household = make_household(agent, head_name="Lê Thị Hoa")
        product = make_product(household, agent, name="Mật ong hoa cà phê")
        order = make_order(product=product)
        make_service_point(household.lat, household.lon)
        assign_pickup(order)  # what the worker's match job does: the order gets its pickup slip
        db.session.commit()
        ids = {"household": household.id, "product": product.id, "order": order.id, "phone": household.phone}
        db.session.remove()
    return {
        "anonymous": ["/login"],
        "agent": ["/", "/households", "/households/new", f"/households/{ids['household']}",
                  f"/households/{ids['household']}/products/new", f"/products/{ids['product']}/edit",
                  "/orders", f"/orders/{ids['order']}", f"/orders/{ids['order']}/pickup-slip", "/pickups",
                  "/imports"],
        "officer": ["/", "/households", "/publishing/problems"],
        "admin": ["/", "/staff", "/payments/unmatched"],
        # Issue 13: the farmer's Today, My products and an order page, and the sign-in page.
        "anonymous farmer": ["/farmer/sign-in"],
        f"farmer {ids['phone']}": ["/farmer/", "/farmer/products", f"/farmer/orders/{ids['order']}"],
    }


def login_of(role: str) -> tuple[str, str]:
    username, password, *_ = next(user for user in DEMO_USERS if user[2] == role)
    return username, password


def session_cookie(base: str, role: str) -> str:
    """Sign in through the login form, as a person would; the cookie header that carries the session."""
    client = requests.Session()
    page = client.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    username, password = login_of(role)
    client.post(f"{base}/login", data={"csrf_token": token, "username": username, "password": password},
                timeout=10).raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def farmer_cookie(base: str, app, phone: str) -> str:
    """Sign in on the farmer's pages with the phone and the code the SMS would carry."""
    from sqlalchemy import select

    from connector.households.models import Household
    from tests.farmers.helpers import last_code

    client = requests.Session()
    page = client.get(f"{base}/farmer/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(f"{base}/farmer/sign-in", data={"csrf_token": token, "phone": phone}, timeout=10).raise_for_status()
    with app.app_context():
        code = last_code(app, db.session.scalar(select(Household).where(Household.phone == phone)))
        db.session.remove()
    client.post(f"{base}/farmer/sign-in/code", data={"csrf_token": token, "code": code},
                timeout=10).raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def measures(result: dict) -> str:
    """LCP, TBT, CLS and the bytes the page transferred."""
    audits = result["audits"]
    return (f"LCP {audits['largest-contentful-paint']['numericValue'] / 1000:.1f} s, "
            f"TBT {audits['total-blocking-time']['numericValue']:.0f} ms, "
            f"CLS {audits['cumulative-layout-shift']['numericValue']:.3f}, "
            f"{audits['total-byte-weight']['numericValue'] / 1024:.1f} KiB")


def audit(url: str, cookie: str | None) -> dict:
    """Lighthouse's report of one page, or {"runtimeError": ...} saying why there is none."""
    environment = dict(os.environ, CHROME_PATH=shutil.which("chromium") or shutil.which("chromium-browser"))
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        if cookie:
            command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        finished = subprocess.run(command, env=environment, timeout=300, capture_output=True, text=True)
        if not report.exists():
            return {"runtimeError": (finished.stderr.strip().splitlines() or ["no report"])[-1]}
        return json.loads(report.read_text())


def shortfalls(result: dict) -> list[str]:
    """The weighted audits that cost points, with what Lighthouse measured."""
    found = []
    for name in CATEGORIES:
        for ref in result["categories"][name]["auditRefs"]:
            detail = result["audits"][ref["id"]]
            if ref["weight"] and detail["score"] is not None and detail["score"] < 1:
                found.append(f"{ref['id']} {detail.get('displayValue', '')}".strip())
    return found


def run(app) -> None:
    print("\n== Lighthouse 12.2.3, mobile (performance / accessibility / best practices)", flush=True)
    problem = missing_tools()
    if problem:
        print(f"  skipped: {problem}")
        return
    pages = seed_pages(app)
    only = {path for path in os.environ.get("BENCH_LIGHTHOUSE_PAGES", "").split(",") if path}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        for role, paths in pages.items():
            if role.startswith("farmer "):
                cookie = farmer_cookie(base, app, role.split(" ", 1)[1])
                role = "farmer"
            else:
                cookie = None if role.startswith("anonymous") else session_cookie(base, role)
            for path in paths:
                if only and path not in only:
                    continue
                status = requests.get(base + path, headers={"Cookie": cookie or ""}, allow_redirects=False,
                                      timeout=10).status_code
                if status != 200:
                    print(f"  {role:<16} {path:<34} not measured: HTTP {status}")
                    continue
                result = audit(base + path, cookie)
                signed_out = result.get("finalDisplayedUrl", "").endswith(("/login", "/farmer/sign-in")) \
                    != path.endswith(("/login", "/sign-in"))
                if result.get("runtimeError") or signed_out:
                    print(f"  {role:<16} {path:<34} not measured: {result.get('runtimeError') or 'signed out'}")
                    continue
                scores = [round(100 * result["categories"][name]["score"]) for name in CATEGORIES]
                missed = shortfalls(result)
                print(f"  {role:<16} {path:<34} {' / '.join(map(str, scores))}   {measures(result)}"
                      + (f"   ({'; '.join(missed)})" if missed else ""), flush=True)
    finally:
        server.shutdown()
