"""The carrier adapter (VNPost style), on the shared signed client and failure vocabulary of
connector.remote: retryable, auth expired (sign in again), refused, unknown outcome (look the
shipment up by our reference before booking again). Settings come from CARRIER_* variables."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import current_app

from connector.remote import Refused, SignedClient


@dataclass
class RemoteShipment:
    id: str
    reference: str
    tracking_code: str
    status: str
    version: int
    cod_amount: int


def _shipment(data: dict) -> RemoteShipment:
    return RemoteShipment(id=data["shipment_id"], reference=data["reference"], tracking_code=data["tracking_code"],
                          status=data["status"], version=int(data["version"]), cod_amount=int(data["cod_amount"]))


class CarrierAdapter(SignedClient):
    name = "carrier"
    token_header = "Token"  # noqa: S105 - a header name

    def _unwrap(self, response: requests.Response):
        try:
            body = response.json()
        except ValueError:
            raise Refused(f"carrier: unreadable answer ({response.status_code})") from None
        if not body.get("success"):
            raise Refused(f"carrier: {body.get('message') or response.status_code}")
        return body.get("data")

    def login(self) -> str:
        return self._send("POST", "/login", json_body={"username": self.settings["username"],
                                                       "password": self.settings["password"]},
                          authenticated=False)["token"]

    def create_shipment(self, payload: dict) -> RemoteShipment:
        return _shipment(self.call("POST", "/shipments", json_body=payload, write=True))

    def find_by_reference(self, reference: str) -> RemoteShipment | None:
        found = [s for s in self.call("GET", "/shipments", params={"reference": reference})
                 if s["status"] != "CANCELLED"]
        return _shipment(found[0]) if found else None

    def get_shipment(self, shipment_id: str) -> RemoteShipment:
        return _shipment(self.call("GET", f"/shipments/{shipment_id}"))

    def cancel(self, shipment_id: str) -> RemoteShipment:
        return _shipment(self.call("POST", f"/shipments/{shipment_id}/cancel", write=True))

    def update_cod(self, shipment_id: str, cod_amount: int) -> RemoteShipment:
        """Change the cash to collect on delivery (the buyer paid part of it meanwhile, say); the
        carrier allows it until the parcel is handed in, and refuses it after."""
        return _shipment(self.call("POST", f"/shipments/{shipment_id}/cod", json_body={"cod_amount": cod_amount},
                                   write=True))


def carrier_adapter() -> CarrierAdapter:
    cache = current_app.extensions.setdefault("connector.adapters", {})
    if "carrier" not in cache:
        cache["carrier"] = CarrierAdapter(current_app.config["CARRIER"])
    return cache["carrier"]
