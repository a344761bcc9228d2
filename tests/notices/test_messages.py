"""What each notice says (issue 12): proper Vietnamese for Zalo and push, and for SMS one GSM-7
segment without diacritics, whatever the names and amounts."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.notices.channels.gsm7 import is_single_segment
from connector.notices.messages import render
from connector.notices.models import NoticeKind
from connector.signing import seal

VIETNAMESE = string.ascii_letters + "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐ ,.-"
names = st.text(alphabet=VIETNAMESE, min_size=1, max_size=150).filter(str.strip)
codes = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=8, max_size=8).map(lambda c: "DH" + c)


def params_for(kind, name, other, amount, code, quantity):
    return {
        NoticeKind.NEW_ORDER: {"code": code, "items": [{"name": name, "quantity": quantity}] * 3, "point": other,
                               "day": "2026-12-04"},
        NoticeKind.PARCEL_RECEIVED: {"code": code, "point": other},
        NoticeKind.PAYMENT_RECEIVED: {"code": code, "amount": amount, "channel": "transfer"},
        NoticeKind.LISTING_REJECTED: {"marketplace": "VoSo", "product": name, "reason": other},
        NoticeKind.CERTIFICATE_EXPIRING: {"product": name, "day": "2027-01-01"},
    }[kind]


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from([k for k in NoticeKind if k != NoticeKind.SIGN_IN_CODE]), name=names, other=names,
       amount=st.integers(1, 499_999_999), code=codes, quantity=st.integers(1, 999))
def test_every_notice_fits_one_gsm7_sms_and_keeps_its_vietnamese_elsewhere(app, kind, name, other, amount, code,
                                                                            quantity):
    with app.app_context():
        message = render(kind, params_for(kind, name, other, amount, code, quantity))
    assert is_single_segment(message.sms) and message.sms.isascii()
    assert message.text and "%(" not in message.text and "%(" not in message.sms
    if kind in (NoticeKind.NEW_ORDER, NoticeKind.PARCEL_RECEIVED, NoticeKind.PAYMENT_RECEIVED):
        assert code in message.sms  # the order code always survives shortening
    assert message.zalo_template and all(str(value).strip() for value in message.zalo_params.values())


def test_the_sign_in_sms_ends_with_the_line_phones_read_the_code_from(app):
    with app.app_context():
        message = render(NoticeKind.SIGN_IN_CODE, {"code": seal(app.config["SECRET_KEY"], "042917"),
                                                   "host": "ketnoi.vnpost.vn", "minutes": 10})
    assert message.sms == ("Ma dang nhap cua ban la 042917, het han sau 10 phut. Khong dua ma nay cho ai."
                           "\n\n@ketnoi.vnpost.vn #042917")
    assert is_single_segment(message.sms)


def test_a_new_order_says_what_to_pack_where_and_by_when(app):
    with app.app_context():
        message = render(NoticeKind.NEW_ORDER, {"code": "DH7K3M9Q", "items": [
            {"name": "Gạo hữu cơ Hải Lăng", "quantity": 2}], "point": "Bưu điện văn hóa xã Hải Lăng",
            "day": "2026-12-04"})
    assert message.text == ("Đơn mới DH7K3M9Q: 2 × Gạo hữu cơ Hải Lăng. Hãy gói hàng và mang đến Bưu điện văn hóa "
                            "xã Hải Lăng trước ngày 04/12/2026.")
    assert message.sms == ("Don moi DH7K3M9Q: 2 x Gao huu co Hai Lang. Hay goi hang va mang den Buu dien van hoa "
                           "xa Hai Lang truoc ngay 04/12/2026.")
