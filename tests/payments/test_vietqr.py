"""The VietQR encoder and decoder: CRC, round trips, field order, every validation rule, memo folding,
and an independent reader (zxing-cpp) reading each rendered image back."""

from __future__ import annotations

import io
import random

import pytest
import zxingcpp
from PIL import Image
from qrcode.util import MODE_8BIT_BYTE

from connector.media.qr_images import make_qr, render
from connector.payments import messages
from connector.payments.vietqr import (
    InvalidVietQR,
    VietQR,
    crc16,
    decode,
    encode,
    luhn_valid,
    memo,
    parse_tlv,
    tlv,
)

KNOWN = frozenset({"970436", "970405", "970418", "971005"})
VISA_TEST_CARD = "4111111111111111"  # passes Luhn


def read_back(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_crc_is_ccitt_false_with_its_published_check_value():
    assert crc16("123456789") == "29B1"  # CRC-16/CCITT-FALSE check value (reveng catalogue)
    assert crc16("") == "FFFF"


def test_a_dynamic_account_payload_has_every_field_in_place():
    payload = encode(VietQR(bin="970436", account="0011001234567", amount=150000, purpose="DH7K3M9Q Thanh toan"),
                     KNOWN)
    assert payload.startswith("000201" "010212" "38570010A000000727" "0127" "0006970436" "01130011001234567"
                              "0208QRIBFTTA" "5303704" "5406150000" "5802VN" "62230819DH7K3M9Q Thanh toan" "6304")
    assert payload[-4:] == crc16(payload[:-4]) and payload[-4:].isupper()


def test_without_an_amount_the_code_is_static():
    payload = encode(VietQR(bin="970405", account="3906205123456"), KNOWN)
    assert payload[6:12] == "010211" and "54" not in dict(parse_tlv(payload)[0])


def _random_qr(rng: random.Random) -> VietQR:
    text = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-/"
    optional = lambda limit: "".join(rng.choice(text) for _ in range(rng.randint(1, limit))).strip() or None  # noqa: E731
    card = rng.random() < 0.3
    if card:
        digits = [rng.randint(0, 9) for _ in range(15)]
        account = next(f"{''.join(map(str, digits))}{check}" for check in range(10)
                       if luhn_valid(f"{''.join(map(str, digits))}{check}"))
    else:
        account = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 19)))
    return VietQR(bin=rng.choice(sorted(KNOWN)), account=account, service="card" if card else "account",
                  amount=rng.choice([None, rng.randint(1, 499_999_999)]), purpose=optional(25),
                  bill=optional(20) if rng.random() < 0.5 else None,
                  reference=optional(20) if rng.random() < 0.3 else None,
                  terminal=optional(10) if rng.random() < 0.3 else None,
                  name=optional(25) if rng.random() < 0.5 else None, city=optional(15) if rng.random() < 0.3 else None)


def test_every_payload_the_encoder_makes_decodes_to_the_same_fields():
    rng = random.Random(20261122)
    made = 0
    for _ in range(2000):
        qr = _random_qr(rng)
        try:
            payload = encode(qr, KNOWN)
        except InvalidVietQR as invalid:  # only the field-62 total may legitimately be exceeded
            assert {p.rule for p in invalid.problems} == {"additional_too_long"}
            continue
        decoded = decode(payload)
        assert decoded.valid and decoded.crc_valid, (payload, decoded.problems)
        assert {key: decoded.fields[key] for key in qr.as_dict()} == qr.as_dict()
        assert decoded.fields["initiation"] == ("dynamic" if qr.amount else "static")
        made += 1
    assert made > 1500


def test_fields_in_any_order_between_00_and_63_and_a_lowercase_crc_decode():
    payload = encode(VietQR(bin="970418", account="12345678", amount=50000, purpose="DH1 test", name="NGUYEN A"),
                     KNOWN)
    fields = parse_tlv(payload)[0][1:-1]  # keep 00 first and 63 last
    random.Random(3).shuffle(fields)
    body = tlv("00", "01") + "".join(tlv(i, v) for i, v in fields) + "6304"
    shuffled = body + crc16(body).lower()
    decoded = decode(shuffled)
    assert decoded.valid and decoded.crc_valid
    assert decoded.fields["amount"] == 50000 and decoded.fields["purpose"] == "DH1 test"


def rules(payload: str) -> set[tuple[str, str]]:
    return {(p.field, p.rule) for p in decode(payload).problems}


def with_crc(body_without_crc: str) -> str:
    body = body_without_crc + "6304"
    return body + crc16(body)


def test_decoding_reports_every_problem_it_finds():
    good = encode(VietQR(bin="970436", account="0011001234567", amount=1000), KNOWN)
    assert ("63", "crc_mismatch") in rules(good[:-4] + "0000")
    # Missing 58 and 53, a wrong GUID and a bad amount, all at once, under a correct CRC.
    merchant = tlv("00", "A000000999") + tlv("01", tlv("00", "970436") + tlv("01", "123")) + tlv("02", "QRIBFTTA")
    broken = with_crc(tlv("00", "01") + tlv("01", "12") + tlv("38", merchant) + tlv("54", "1.000"))
    assert rules(broken) == {("58", "missing"), ("53", "missing"), ("38.00", "value"), ("54", "amount_digits")}


def test_bad_lengths_and_malformed_nested_fields_are_reported():
    assert ("payload", "bad_length") in rules("000201010212389900")
    assert ("payload", "bad_header") in rules("000201XX0211")
    nested = with_crc(tlv("00", "01") + tlv("01", "11") + tlv("38", "0010A0000007270199xx") + tlv("53", "704")
                      + tlv("58", "VN"))
    assert {("38.01", "malformed"), ("38.01.00", "bin_digits")} <= rules(nested)
    assert ("63", "missing") in rules(tlv("00", "01") + tlv("01", "11"))


def test_a_card_number_failing_luhn_is_a_warning_when_reading_and_refused_when_building():
    merchant = tlv("00", "A000000727") + tlv("01", tlv("00", "970436") + tlv("01", "4111111111111112")) + tlv(
        "02", "QRIBFTTC")
    decoded = decode(with_crc(tlv("00", "01") + tlv("01", "11") + tlv("38", merchant) + tlv("53", "704")
                              + tlv("58", "VN")))
    assert decoded.valid and [(w.field, w.rule) for w in decoded.warnings] == [("38.01.01", "card_luhn")]
    with pytest.raises(InvalidVietQR):
        encode(VietQR(bin="970436", account="4111111111111112", service="card"), KNOWN)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"bin": "97043"}, "bin", "Mã ngân hàng (BIN) phải gồm đúng 6 chữ số."),
    ({"bin": "123456"}, "bin", "Mã ngân hàng 123456 không có trong danh sách ngân hàng và ví (hoặc đã bị tắt)."),
    ({"account": "1" * 20}, "account", "Tối đa 19 ký tự."),
    ({"account": "12-34"}, "account", "Số tài khoản chỉ gồm chữ và số."),
    ({"account": "4111111111111112", "service": "card"}, "account", "Số thẻ không hợp lệ (sai số kiểm tra)."),
    ({"service": "wallet"}, "service", "Dịch vụ wallet không hợp lệ: dùng account (tài khoản) hoặc card (thẻ)."),
    ({"amount": 0}, "amount", "Số tiền phải lớn hơn 0 đồng."),
    ({"amount": -5}, "amount", "Số tiền phải lớn hơn 0 đồng."),
    ({"amount": 1000.5}, "amount", "Số tiền phải là số đồng nguyên, chỉ gồm chữ số, không có dấu phân cách."),
    ({"amount": 500_000_000}, "amount", "Số tiền tối đa là 499.999.999 đồng."),
    ({"purpose": "x" * 26}, "purpose", "Tối đa 25 ký tự."),
    ({"bill": "Hóa đơn"}, "bill", "Chỉ được dùng chữ không dấu, chữ số, dấu cách và dấu câu đơn giản."),
    ({"name": "N" * 26}, "name", "Tối đa 25 ký tự."),
    ({"city": "C" * 16}, "city", "Tối đa 15 ký tự."),
    ({"purpose": "p" * 25, "bill": "b" * 25, "reference": "r" * 25, "terminal": "t" * 20}, "additional",
     "Số hoá đơn, mã tham chiếu, mã điểm bán và nội dung cộng lại quá dài (tối đa 99 ký tự trong mã QR)."),
])
def test_each_rule_refuses_with_a_vietnamese_message_at_its_field(app, change, field, message):
    qr = VietQR(**{"bin": "970436", "account": "0011001234567", "amount": 1000, **change})
    with pytest.raises(InvalidVietQR) as refused, app.app_context():
        encode(qr, KNOWN, max_amount=499_999_999)
    with app.app_context():
        assert messages.as_errors(refused.value.problems) == {field: [message]}


def test_an_over_long_payload_is_refused():
    # Every field at its limit still fits in 512: the rule guards a payload built from decoded parts.
    too_long = "0002010102113899" + "0" * 500
    assert ("payload", "payload_too_long") in rules(too_long)


def test_memo_folds_vietnamese_and_keeps_the_order_code_through_the_cap():
    assert memo("Thanh toán đơn hàng Đà Lạt") == "Thanh toan don hang Da"  # 26 letters: cut at a word
    assert memo("Trả tiền #1: gạo (5kg)!", "DH7K3M9Q") == "DH7K3M9Q Tra tien 1 gao"
    capped = memo("Thanh toán tiền mua mật ong rừng Quảng Trị", "DH7K3M9Q")
    assert capped.startswith("DH7K3M9Q ") and len(capped) <= 25 and capped == "DH7K3M9Q Thanh toan tien"
    assert memo("x" * 60, "DH7K3M9Q", limit=8) == "DH7K3M9Q"
    assert all(ch.isalnum() or ch == " " for ch in memo("Ưu đãi — “đặc biệt” 100%", "DH2"))


@pytest.mark.parametrize("level", ["M", "Q"])
def test_an_independent_reader_reads_each_rendered_png_back_exactly(level):
    rng = random.Random(level)
    payloads = [encode(_random_qr(rng), KNOWN) for _ in range(12) if True]
    payloads.append(encode(VietQR(bin="970436", account="0011001234567", amount=123456789), KNOWN))
    for payload in payloads:
        assert read_back(render(payload, "png", level)) == payload


def test_symbols_use_byte_mode_only_even_for_digit_runs():
    payload = encode(VietQR(bin="970436", account="0011001234567890123", amount=499999999), KNOWN)
    qr = make_qr(payload, "M")
    assert [segment.mode for segment in qr.data_list] == [MODE_8BIT_BYTE]
    assert qr.border == 4


def test_svg_is_drawn_with_the_quiet_zone():
    payload = encode(VietQR(bin="970436", account="0011001234567"), KNOWN)
    svg = render(payload, "svg", "Q").decode()
    modules = make_qr(payload, "Q").modules_count
    assert svg.startswith("<?xml") and "<path" in svg
    size_mm = (modules + 8) * 8 / 10  # (modules + 2 x 4 quiet) x box size 8, in the SVG's mm units
    assert f'viewBox="0 0 {size_mm:g} {size_mm:g}"' in svg
