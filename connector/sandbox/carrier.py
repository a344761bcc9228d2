"""The sandbox's carrier, in the style of VNPost's partner API: sign in for a token, signed requests,
create a shipment as drop-off at a post office (its code) or pickup at the sender's door, with a
cash-on-delivery amount; change that amount or cancel while booked (not yet received at the post
office); read by id or by the partner's reference. Status changes
(`POST /_sandbox/carrier/shipments/<id>/advance`) are sent to the connector as signed webhooks,
retried until answered 2xx."""

from __future__ import annotations

import secrets
import threading
import time

import requests
from flask import Blueprint, abort, current_app, g, jsonify, request

from connector.sandbox.app import check_signature, inject_faults, post_signed, sandbox

bp = Blueprint("sandbox_carrier", __name__, url_prefix="/carrier/api")
admin = Blueprint("sandbox_carrier_admin", __name__, url_prefix="/_sandbox/carrier")
FLOW = ["BOOKED", "RECEIVED_AT_POST_OFFICE", "IN_TRANSIT", "DELIVERED", "FAILED", "RETURNED", "CANCELLED"]
FINAL = {"DELIVERED", "RETURNED", "CANCELLED"}
CREDENTIALS = {"username": "demo-carrier", "password": "demo-carrier-password",
               "signing_secret": "demo-carrier-signing"}


class Carrier:
    def __init__(self):
        self.lock = threading.Lock()
        self.shipments: dict[str, dict] = {}
        self.tokens: dict[str, float] = {}
        self.events: list[dict] = []
        self.pending: dict[str, tuple[float, int]] = {}

    def emit(self, shipment: dict) -> None:
        event = {"event_id": secrets.token_hex(8), "shipment_id": shipment["shipment_id"],
                 "reference": shipment["reference"], "status": shipment["status"], "sequence": shipment["version"],
                 "occurred_at": time.time()}
        self.events.append(event)
        self.pending[event["event_id"]] = (0.0, 0)
        if shipment["status"] == "DELIVERED" and shipment["cod_amount"] > 0 and not shipment.get("remitted"):
            # The carrier pays the seller the cash it collected (real carriers do it in a batch later).
            shipment["remitted"] = True
            remittance = {"event_id": secrets.token_hex(8), "type": "cod.remitted",
                          "shipment_id": shipment["shipment_id"], "reference": shipment["reference"],
                          "remittance_id": f"R{secrets.randbelow(10**9):09d}", "amount": shipment["cod_amount"],
                          "occurred_at": time.time()}
            self.events.append(remittance)
            self.pending[remittance["event_id"]] = (0.0, 0)

    def deliver(self, target: dict | None, session: requests.Session) -> None:
        if not target:
            return
        with self.lock:
            due = [e for e in self.events if self.pending.get(e["event_id"], (1e18, 0))[0] <= time.time()]
        for event in due:
            delivered = post_signed(session, target, event)
            with self.lock:
                if delivered:
                    self.pending.pop(event["event_id"], None)
                else:
                    _due, attempt = self.pending[event["event_id"]]
                    self.pending[event["event_id"]] = (time.time() + min(30.0, 0.5 * 2 ** attempt), attempt + 1)


def carrier() -> Carrier:
    return sandbox().carrier


def fail(status: int, message: str):
    return jsonify(success=False, message=message, data=None), status


@bp.before_request
def guard():
    g.dialect = "carrier"
    credentials = current_app.config.get("SANDBOX_CARRIER_CREDENTIALS", CREDENTIALS)
    if not check_signature(credentials["signing_secret"]):
        return fail(401, "Chữ ký không hợp lệ")
    if request.endpoint == "sandbox_carrier.login":
        return None
    if carrier().tokens.get(request.headers.get("Token", ""), 0) < time.time():
        return fail(401, "Token hết hạn")
    fault = inject_faults(write=request.method != "GET")
    if fault:
        status, headers, _kind = fault
        return jsonify(success=False, message="Hệ thống bận", data=None), status, headers
    return None


@bp.post("/login")
def login():
    body = request.get_json(silent=True) or {}
    credentials = current_app.config.get("SANDBOX_CARRIER_CREDENTIALS", CREDENTIALS)
    if (body.get("username"), body.get("password")) != (credentials["username"], credentials["password"]):
        return fail(401, "Sai tài khoản")
    token = secrets.token_hex(16)
    carrier().tokens[token] = time.time() + sandbox().faults.token_ttl_seconds
    return jsonify(success=True, data={"token": token})


@bp.post("/shipments")
def create():
    body = request.get_json(silent=True) or {}
    missing = [key for key in ("reference", "mode", "sender", "receiver", "weight_grams") if not body.get(key)]
    if body.get("mode") == "dropoff" and not body.get("post_office_code"):
        missing.append("post_office_code")
    if body.get("mode") == "pickup" and not (body.get("sender") or {}).get("address"):
        missing.append("sender.address")  # the courier must know where to collect
    if missing or body.get("mode") not in ("dropoff", "pickup"):
        return fail(422, f"Thiếu hoặc sai: {', '.join(missing) or 'mode'}")
    box = carrier()
    with box.lock:
        existing = next((s for s in box.shipments.values() if s["reference"] == body["reference"]
                         and s["status"] != "CANCELLED"), None)
        if existing:
            return fail(409, "Mã tham chiếu đã có vận đơn")
        shipment = {"shipment_id": f"VN{secrets.randbelow(10**9):09d}", "reference": body["reference"],
                    "tracking_code": f"EB{secrets.randbelow(10**9):09d}VN", "mode": body["mode"],
                    "post_office_code": body.get("post_office_code"), "cod_amount": int(body.get("cod_amount", 0)),
                    "weight_grams": int(body["weight_grams"]), "status": "BOOKED", "version": 1,
                    "pickup_address": body["sender"].get("address") if body["mode"] == "pickup" else None}
        box.shipments[shipment["shipment_id"]] = shipment
        box.emit(shipment)
    return jsonify(success=True, data=shipment), 201


@bp.get("/shipments/<shipment_id>")
def get(shipment_id: str):
    shipment = carrier().shipments.get(shipment_id)
    return jsonify(success=True, data=shipment) if shipment else fail(404, "Không có vận đơn")


@bp.get("/shipments")
def by_reference():
    found = [s for s in carrier().shipments.values() if s["reference"] == request.args.get("reference")]
    return jsonify(success=True, data=found)


def _change_booked(shipment_id: str, refusal: str, **changes):
    """Change a shipment the carrier has booked but not yet received (cancel it, or its COD)."""
    box = carrier()
    with box.lock:
        shipment = box.shipments.get(shipment_id)
        if shipment is None:
            return fail(404, "Không có vận đơn")
        if shipment["status"] != "BOOKED":
            return fail(409, refusal)
        shipment.update(changes, version=shipment["version"] + 1)
        box.emit(shipment)
    return jsonify(success=True, data=shipment)


@bp.post("/shipments/<shipment_id>/cancel")
def cancel(shipment_id: str):
    return _change_booked(shipment_id, "Chỉ hủy được vận đơn chưa nhận hàng", status="CANCELLED")


@bp.post("/shipments/<shipment_id>/cod")
def update_cod(shipment_id: str):
    """A new cash-on-delivery amount, {"cod_amount": N}: only while the parcel is booked (not yet
    received at the post office)."""
    amount = (request.get_json(silent=True) or {}).get("cod_amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        return fail(422, "Thiếu hoặc sai: cod_amount")
    return _change_booked(shipment_id, "Chỉ sửa tiền thu hộ khi chưa nhận hàng", cod_amount=amount)


@admin.post("/shipments/<shipment_id>/advance")
def advance(shipment_id: str):
    """Tests and demos move a parcel along: {"status": "RECEIVED_AT_POST_OFFICE" | ...}."""
    status = (request.get_json(silent=True) or {}).get("status")
    box = carrier()
    with box.lock:
        shipment = box.shipments.get(shipment_id) or abort(404)
        if status not in FLOW or shipment["status"] in FINAL:
            abort(409)
        shipment["status"], shipment["version"] = status, shipment["version"] + 1
        box.emit(shipment)
    return jsonify(shipment)


@admin.get("/shipments")
def listing():
    return jsonify(list(carrier().shipments.values()))
