"""The sandbox's root page: what it is and how to place a test order, in Vietnamese.

The sandbox is a simulator that imports nothing of the connector, so its few words are inline
rather than in the connector's catalogue; the people reading it are the demo's Vietnamese staff.
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template_string, request

from connector.sandbox.app import sandbox

bp = Blueprint("sandbox_guide", __name__)

MARKETPLACE_NAMES = {"postmart": "PostMart", "voso": "VoSo"}

PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sàn thử nghiệm PostMart và VoSo</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem; color: #1d2a22; }
    pre { background: #f2f5f3; padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
    code { font-size: .95em; } table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; border-bottom: 1px solid #d5ddd8; padding: .35rem .5rem .35rem 0; vertical-align: top; }
  </style>
</head>
<body>
<h1>Sàn thử nghiệm PostMart và VoSo</h1>
<p>Trang này giả lập hai sàn (PostMart của Bưu điện Việt Nam, VoSo của Viettel Post), ngân hàng và đơn vị
vận chuyển cho bản chạy thử. Không có tiền thật, không có người mua thật. Bộ kết nối ở
<a href="{{ connector }}">{{ connector }}</a>.</p>

<h2>Đặt một đơn hàng thử</h2>
<p>Sản phẩm phải đang bán trên sàn (đã đăng và đã được duyệt). Gửi:</p>
<pre>POST /_sandbox/postmart/orders
POST /_sandbox/voso/orders
Content-Type: application/json</pre>
<table>
  <tr><th>Trường</th><th>Ý nghĩa</th></tr>
  <tr><td><code>"seller_sku"</code></td><td>Bắt buộc (hoặc <code>"product_id"</code> của sàn). Mã hàng của người bán mà
    bộ kết nối gửi lên sàn: <code>CN-</code> và số của sản phẩm, ví dụ <code>CN-12</code> cho sản phẩm có trang sửa
    <code>/products/12/edit</code>. Các mã đang bán ở bảng bên dưới.</td></tr>
  <tr><td><code>"quantity"</code></td><td>Số lượng, mặc định 1. Không được vượt quá tồn kho trên sàn.</td></tr>
  <tr><td><code>"buyer"</code></td><td>Người mua: <code>{"name", "phone", "address"}</code>, tuỳ chọn.</td></tr>
  <tr><td><code>"payment"</code></td><td><code>"cod"</code> (thu hộ khi giao, mặc định), <code>"prepaid"</code> (đã trả
    cho sàn) hoặc <code>"transfer"</code> (chuyển khoản VietQR cho hộ).</td></tr>
</table>
<p>Ví dụ:</p>
<pre>{{ example }}</pre>
<p>Sàn trả lời <code>201</code> kèm đơn hàng (<code>order_id</code>) và gửi webhook cho bộ kết nối; đơn hiện ở trang
Đơn hàng sau vài giây. <code>409</code> với <code>{"error": ...}</code> khi sản phẩm không đang bán hoặc không đủ hàng.
Cách khác, từ dòng lệnh: <code>flask --app connector marketplaces buy --marketplace postmart --sku CN-12</code>.</p>

<h2>Sản phẩm đang bán</h2>
{% for name, products in on_sale %}
<h3>{{ name }}</h3>
{% if products %}
<table>
  <tr><th>Mã hàng</th><th>Tên</th><th>Giá</th><th>Còn</th></tr>
  {% for product in products %}<tr><td><code>{{ product.seller_sku }}</code></td><td>{{ product.name }}</td>
    <td>{{ "{:,}".format(product.price).replace(",", ".") }} ₫</td><td>{{ product.stock }}</td></tr>{% endfor %}
</table>
{% else %}<p>Chưa có sản phẩm nào đang bán.</p>{% endif %}
{% endfor %}

<h2>Sau khi đặt</h2>
<ul>
  <li>Đổi trạng thái đơn: <code>POST /_sandbox/&lt;sàn&gt;/orders/&lt;order_id&gt;/status</code> với
    <code>{"status": "CONFIRMED"}</code>; các trạng thái: CONFIRMED, PACKED, SHIPPING, DELIVERED, COMPLETED,
    CANCELLED, RETURNED. Đơn trả trước được sàn quyết toán khi COMPLETED.</li>
  <li>Người mua chuyển khoản: <code>POST /_sandbox/bank/transfers</code> với
    <code>{"amount": 150000, "memo": "DH..."}</code>.</li>
  <li>Xem hàng trên sàn: <code>GET /_sandbox/products/postmart</code>;
    gây lỗi để thử: <code>POST /_sandbox/config</code>.</li>
</ul>
</body>
</html>
"""


@bp.get("/")
def index():
    """What the sandbox is and how to place a test order, with the products on sale to order."""
    box = sandbox()
    on_sale = []
    for key, market in box.markets.items():
        with market.lock:
            live = sorted((p for p in market.products.values() if p.status == "LIVE"), key=lambda p: p.seller_sku)
        name = MARKETPLACE_NAMES.get(market.name, market.name)
        on_sale.append((name if key == market.name else f"{name} ({key.split('@', 1)[1]})", live))
    first = next((products[0].seller_sku for _, products in on_sale if products), "CN-12")
    body = json.dumps({"seller_sku": first, "quantity": 1, "payment": "cod",
                       "buyer": {"name": "Nguyễn Văn An", "phone": "0987000111", "address": "Hà Nội"}},
                      ensure_ascii=False)
    example = (f"curl -X POST {request.host_url.rstrip('/')}/_sandbox/postmart/orders "
               f"-H 'Content-Type: application/json' -d '{body}'")
    connector = box.webhooks.get("postmart", {}).get("url", "http://127.0.0.1:5000").split("/api/")[0]
    return render_template_string(PAGE, example=example, on_sale=on_sale, connector=connector)
