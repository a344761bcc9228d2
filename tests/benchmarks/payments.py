"""Payments figures: VietQR build and decode per call, a cold PNG render, and a cached PNG response
(the public immutable image URL, over the WSGI app)."""

from __future__ import annotations

import time
import timeit

from connector.media import qr_images
from connector.payments.vietqr import VietQR, decode, encode, memo

KNOWN = frozenset({"970436", "970405", "970418"})


def _per_call_us(operation, number: int = 20_000) -> float:
    operation()
    return min(timeit.repeat(operation, number=number, repeat=5)) / number * 1e6


def run(app) -> None:
    print("\n== payments (VietQR)", flush=True)
    qr = VietQR(bin="970436", account="0011001234567", amount=150000, purpose=memo("Thanh toán", "DH7K3M9Q"),
                name="NGUYEN VAN DUC", city="HA NOI")
    payload = encode(qr, KNOWN, 499_999_999)
    build = _per_call_us(lambda: encode(qr, KNOWN, 499_999_999))
    print(f"  build a dynamic payload (validate + encode + CRC)   {build:8.1f} µs   (target < 50 µs)", flush=True)
    print(f"  decode a payload (parse + CRC + every rule)          {_per_call_us(lambda: decode(payload)):8.1f} µs",
          flush=True)
    cold = []
    for amount in range(1000, 1030):
        fresh = encode(VietQR(bin="970436", account="0011001234567", amount=amount), KNOWN)
        start = time.perf_counter()
        qr_images.render(fresh, "png", "M")
        cold.append((time.perf_counter() - start) * 1000)
    cold.sort()
    print(f"  cold PNG render (error correction M)                 p50 {cold[len(cold) // 2]:6.2f} ms", flush=True)
    from tests.benchmarks.harness import measure

    with app.test_request_context():
        token = qr_images.image_token(app.config["SECRET_KEY"], payload)
    client = app.test_client()
    client.get(f"/qr/{token}.png")  # first request draws it
    measure("GET /qr/<token>.png (cached image)  target < 5 ms", lambda: client.get(f"/qr/{token}.png"), rounds=500)
    measure("GET /qr/<token>.png with If-None-Match (304)", lambda: client.get(
        f"/qr/{token}.png", headers={"If-None-Match": qr_images.etag(payload, "png", "M")}), rounds=500)
