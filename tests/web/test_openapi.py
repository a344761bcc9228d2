def test_openapi_document_is_generated_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/admin-units/provinces",
                 "/api/v1/admin-units/provinces/{code}/communes", "/api/v1/admin-units/communes",
                 "/api/v1/admin-units/convert", "/api/v1/households", "/api/v1/households/{household_id}",
                 "/api/v1/households/{household_id}/products", "/api/v1/products/{product_id}/photos",
                 "/api/v1/imports/{kind}"):
        assert path in spec["paths"], path
    token_post = spec["paths"]["/api/v1/auth/token"]["post"]
    schema_ref = token_post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.endswith("/TokenRequest")
    assert set(spec["components"]["schemas"]["TokenRequest"]["required"]) == {"username", "password"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_lists_every_operation_without_external_assets(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "Tài liệu API" in html
    assert "POST /api/v1/auth/token" in html and "GET /api/v1/admin-units/communes" in html
    assert "cdn" not in html.lower()


def test_docs_page_describes_every_operation_in_vietnamese(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    html = client.get("/api/v1/docs").get_data(as_text=True)
    english = [operation["summary"] for item in spec["paths"].values() for operation in item.values()
               if isinstance(operation, dict) and operation.get("summary") and operation["summary"] in html]
    assert english == []
    assert "Đổi tên đăng nhập và mật khẩu lấy một mã truy cập có hạn dùng." in html
    assert "(path)" not in html and "default" not in html


def test_the_qr_image_answers_are_documented_as_the_png_and_svg_they_are(client, auth):
    """An API client reading the document learns that the QR image is PNG or SVG (not JSON), with an
    ETag, and that its If-None-Match gets a 304 (issue 15: the operation documented no answer but errors)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"]["/api/v1/orders/{order_id}/payment-qr.{image_format}"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"image/png", "image/svg+xml"}
    assert "ETag" in responses["200"]["headers"]
    assert "304" in responses
    document = spec["paths"]["/api/v1/orders/{order_id}/payment-qr"]["get"]["responses"]["200"]
    assert document["content"]["application/json"]["schema"]["$ref"].endswith("/PaymentQR")
