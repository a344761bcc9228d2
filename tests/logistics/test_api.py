"""GET /api/v1/service-points/nearest: results, and bad places refused with a Vietnamese message."""

import pytest

URL = "/api/v1/service-points/nearest"


def test_nearest_first_with_distance_and_open_now(client, auth, add_point):
    add_point("HL1", 16.75, 107.19)
    add_point("HL2", 16.80, 107.25)
    add_point("HL3", 16.50, 107.00, hours={})  # never open
    response = client.get(URL, query_string={"lat": 16.76, "lon": 107.20, "limit": 3}, headers=auth)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [p["code"] for p in body] == ["HL1", "HL2", "HL3"]
    assert body[0]["distance_km"] < body[1]["distance_km"] < body[2]["distance_km"]
    assert body[2]["open_now"] is False


@pytest.mark.parametrize(("query", "field"), [
    ({"lat": 91, "lon": 107}, "lat"), ({"lat": 16, "lon": 190}, "lon"), ({"lat": "x", "lon": 107}, "lat"),
    ({"lat": 48.85, "lon": 2.35}, "lat"), ({"lon": 107}, "lat"), ({"lat": 16, "lon": 107, "limit": 0}, "limit"),
])
def test_out_of_range_or_outside_vietnam_is_a_422_naming_the_field(client, auth, query, field):
    response = client.get(URL, query_string=query, headers=auth)
    assert response.status_code == 422
    assert field in str(response.get_json()["errors"])


def test_outside_vietnam_is_said_in_vietnamese(client, auth):
    body = client.get(URL, query_string={"lat": 48.85, "lon": 2.35}, headers=auth).get_json()
    assert "Vị trí này không ở Việt Nam (kiểm tra vĩ độ và kinh độ)." in str(body["errors"])


def test_staff_only(client):
    assert client.get(URL, query_string={"lat": 16, "lon": 107}).status_code == 401


def test_a_carrier_webhook_with_a_bad_or_stale_signature_is_refused(client, app):
    import json
    import time

    from connector.signing import sign

    body = json.dumps({"event_id": "c1", "shipment_id": "VN1", "status": "DELIVERED", "sequence": 9}).encode()
    path = "/api/v1/webhooks/carrier"
    for secret, stamp in (("wrong", int(time.time())), (app.config["CARRIER"]["webhook_secret"], 1)):
        headers = {"X-Timestamp": str(stamp), "X-Signature": sign(secret, "POST", path, str(stamp), body)}
        assert client.post(path, data=body, headers=headers, content_type="application/json").status_code == 401
    stamp = str(int(time.time()))
    good = {"X-Timestamp": stamp, "X-Signature": sign(app.config["CARRIER"]["webhook_secret"], "POST", path, stamp,
                                                      body)}
    answer = client.post(path, data=body, headers=good, content_type="application/json")
    assert answer.status_code == 200 and answer.get_json()["applied"] is False  # no such shipment here
