"""`flask vietqr encode|decode|render`: the tool postal IT staff use, with precise errors."""

import json

from connector.payments.vietqr import decode
from tests.payments.test_vietqr import read_back


def test_encode_without_amount_is_static_and_with_amount_dynamic(runner):
    static = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "0011001234567"])
    assert static.exit_code == 0, static.output
    assert decode(static.output.strip()).fields["initiation"] == "static"
    dynamic = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "0011001234567", "--amount",
                                  "150000", "--purpose", "DH7K3M9Q Thanh toan", "--bill", "HD01", "--name",
                                  "NGUYEN VAN A", "--city", "HA NOI"])
    fields = decode(dynamic.output.strip()).fields
    assert (fields["initiation"], fields["amount"], fields["purpose"], fields["bill"], fields["city"]) == (
        "dynamic", 150000, "DH7K3M9Q Thanh toan", "HD01", "HA NOI")


def test_encode_names_the_option_and_the_rule_it_breaks(runner):
    grouped = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "1", "--amount", "150.000"])
    assert grouped.exit_code == 2
    assert "--amount: Số tiền phải là số đồng nguyên, chỉ gồm chữ số, không có dấu phân cách." in grouped.output
    unknown = runner.invoke(args=["vietqr", "encode", "--bin", "999999", "--account", "1"])
    assert unknown.exit_code == 2 and "--bin: Mã ngân hàng 999999 không có trong danh sách" in unknown.output
    card = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "4111111111111112",
                               "--service", "card"])
    assert card.exit_code == 2 and "--account: Số thẻ không hợp lệ (sai số kiểm tra)." in card.output


def test_decode_prints_json_with_crc_validity_and_exits_1_when_invalid(runner):
    payload = runner.invoke(args=["vietqr", "encode", "--bin", "970405", "--account", "3906205123456",
                                  "--amount", "35000"]).output.strip()
    good = runner.invoke(args=["vietqr", "decode", payload])
    body = json.loads(good.output)
    assert good.exit_code == 0 and body["crc_valid"] is True and body["errors"] == []
    assert (body["bin"], body["account"], body["amount"]) == ("970405", "3906205123456", 35000)
    bad = runner.invoke(args=["vietqr", "decode", payload[:-4] + "ABCD"])
    body = json.loads(bad.output)
    assert bad.exit_code == 1 and body["crc_valid"] is False
    assert body["errors"][0]["field"] == "63" and body["errors"][0]["rule"] == "crc_mismatch"
    assert body["errors"][0]["message"].startswith("Sai mã kiểm tra: mã QR ghi ABCD")


def test_render_writes_png_and_svg_and_refuses_invalid_payloads(runner, tmp_path):
    payload = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "0011001234567",
                                  "--amount", "99000"]).output.strip()
    png = tmp_path / "qr.png"
    assert runner.invoke(args=["vietqr", "render", payload, "--output", str(png)]).exit_code == 0
    assert read_back(png.read_bytes()) == payload
    svg = tmp_path / "qr.svg"
    assert runner.invoke(args=["vietqr", "render", payload, "--output", str(svg), "--print"]).exit_code == 0
    assert svg.read_text().startswith("<?xml")
    refused = runner.invoke(args=["vietqr", "render", payload[:-1] + "0", "--output", str(tmp_path / "x.png")])
    assert refused.exit_code == 1 and not (tmp_path / "x.png").exists()
    wrong = runner.invoke(args=["vietqr", "render", payload, "--output", str(tmp_path / "x.jpg")])
    assert wrong.exit_code == 2 and ".png or .svg" in wrong.output


def test_an_unknown_bin_is_a_warning_not_an_error(runner):
    """Issue 15, finding 12: a correct NAPAS payload was called invalid for a BIN our list lacked."""
    payload = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "0011001234567"]).output.strip()
    elsewhere = payload.replace("970436", "970999")
    from connector.payments.vietqr import crc16

    elsewhere = elsewhere[:-4] + crc16(elsewhere[:-4])  # a correct code, for a bank the registry lacks
    result = runner.invoke(args=["vietqr", "decode", elsewhere])
    body = json.loads(result.output)
    assert result.exit_code == 0 and body["errors"] == []
    assert [warning["field"] for warning in body["warnings"]] == ["38.01.00"]


def test_the_purpose_is_folded_as_the_memo_is_and_the_tool_says_so(runner):
    result = runner.invoke(args=["vietqr", "encode", "--bin", "970436", "--account", "0011001234567", "--amount",
                                 "150000", "--purpose", "Thanh toán đơn hàng — gạo"])
    assert result.exit_code == 0, result.output
    assert decode(result.output.strip().splitlines()[-1]).fields["purpose"] == "Thanh toan don hang gao"
    assert "--purpose: được ghi thành 'Thanh toan don hang gao'" in result.output


def test_the_registry_holds_the_napas_members_farmers_use(runner, db_session):
    from connector.banks.registry import acquirers

    found = acquirers()
    for bin_code in ("970446", "999888", "970454", "970452", "970412", "970428"):  # Co-opBank, VBSP, BVBank...
        assert bin_code in found, bin_code
    assert len(found) >= 60 and all(acquirer.source for acquirer in found.values())
