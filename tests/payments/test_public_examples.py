"""Public VietQR payloads, read in the sources cited beside each, through our decoder.

Valid ones must decode to the fields their source states; faulty ones must be reported invalid for
the reason the fault is. Sources are public GitHub repositories (owner/repo, path, commit read).
"""

import pytest

from connector.payments.vietqr import decode

VALID = [
    # NAPAS IBFT specification v1.5.2, example 6.1.1 "static account", as corrected by
    # binhnguyenduc/vietqr-ts tests/compliance/napas-static-account.test.ts (commit 03584330)
    # ("Spec shows F4E5 but correct ... 9E6F"); same string in jocelynTV/dynamic-vietqr README.md.
    ("00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN63049E6F",
     {"initiation": "static", "bin": "970403", "account": "0011012345678", "service": "account", "amount": None}),
    # NAPAS spec example "static card": binhnguyenduc/vietqr-ts tests/compliance/napas-static-card.test.ts
    # (commit 03584330). Its card number fails Luhn: a warning, not a fault.
    ("00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52",
     {"initiation": "static", "account": "9704031101234567", "service": "card"}),
    # NAPAS spec example "dynamic account": binhnguyenduc/vietqr-ts
    # tests/compliance/napas-dynamic-account.test.ts (commit 03584330).
    ("00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107"
     "NPS68690819thanh toan don hang63042E2E",
     {"initiation": "dynamic", "amount": 180000, "bill": "NPS6869", "purpose": "thanh toan don hang"}),
    # NAPAS spec example "dynamic card": trantuan94/vietqrjs src/utils/index.spec.ts (commit 4c542096),
    # expected isValidChecksum TRUE and CRC "A203".
    ("00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107"
     "NPS68690819thanh toan don hang6304A203",
     {"initiation": "dynamic", "service": "card", "amount": 180000}),
    # sunary/vietqr vietqr_test.go (commit 3e474ae7): validQRCodeBasic (CAKE 546034), validQRCodeWithAmount
    # (ACB 970416, 120000), validQRCodeWithMessage (Techcombank 970407).
    ("00020101021138540010A00000072701240006546034011009055559990208QRIBFTTA53037045802VN6304B2A0",
     {"bin": "546034", "account": "0905555999", "amount": None}),
    ("00020101021238490010A000000727011900069704160105135790208QRIBFTTA530370454061200005802VN63049A71",
     {"bin": "970416", "account": "13579", "amount": 120000}),
    ("00020101021138510010A00000072701210006970407010797968680208QRIBFTTA53037045802VN62240820gen by sunary/vietqr"
     "6304BE74", {"bin": "970407", "account": "9796868", "purpose": "gen by sunary/vietqr"}),
    # subiz/vietqr vietqr_test.go (commit 0861e8ad): MB 970422, 40123 đ, "chuyen khoan".
    ("00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62160812"
     "chuyen khoan6304722F", {"bin": "970422", "account": "0023457923442", "amount": 40123, "purpose": "chuyen khoan"}),
    # vocolboy/php-emv-qrcode tests/EMVTest.php (commit 1b2e744e): a 19-digit card number, 100000 đ.
    ("00020101021238630010A00000072701330006970422011997042292087067309020208QRIBFTTC530370454061000005802VN6215"
     "02118432917204163047793", {"service": "card", "account": "9704229208706730902", "amount": 100000}),
    # vocolboy/php-emv-qrcode tests/VietQRTest.php (commit 66b35f31): BIDV 970418, 10000 đ, memo "47464".
    ("00020101021238580010A000000727012800069704180114390100025601780208QRIBFTTA53037045405100005802VN62090805"
     "4746463049F9F", {"bin": "970418", "account": "39010002560178", "amount": 10000, "purpose": "47464"}),
]

FAULTY = [
    # The NAPAS 6.1.1 example as printed (trantuan94/vietqrjs src/utils/index.spec.ts, commit 4c542096): the
    # CRC is right, but 38.01 declares the 13-digit account with length 12 (the erratum vietqr-ts notes).
    ("00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5",
     {("38.01", "malformed")}),
    # trantuan94/vietqrjs (same file): the dynamic-card example with its CRC altered to A201: expected invalid.
    ("00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107"
     "NPS68690819thanh toan don hang6304A201", {("63", "crc_mismatch")}),
    # trantuan94/vietqrjs (same file): a NAPAS QRCASH (ATM withdrawal) code: a valid EMV code, but not a
    # transfer: its service is neither QRIBFTTA nor QRIBFTTC.
    ("00020101021238500010A000000727012200069704030108123456780206QRCASH5204601153037045802VN5915NGUYEN HUU HUAN"
     "6005HANOI6237052120190109155714228384707080000111163041009", {("38.02", "value")}),
    # sunary/vietqr vietqr_test.go (commit 3e474ae7): invalidQRCodeWrongCRC (the CRC is the text "xxxx").
    ("00020101021138540010A00000072701240006546034011009055559990208QRIBFTTA53037045802VN6304xxxx",
     {("63", "crc_mismatch")}),
    # sunary/vietqr: "invalid bank bin": BIN 999999, and the CRC left from the original. (A BIN outside
    # our registry is a warning, not an error: see test_an_unknown_bin_is_a_warning_not_an_error.)
    ("00020101021138540010A00000072701240006999999011009055559990208QRIBFTTA53037045802VN6304B2A0",
     {("63", "crc_mismatch")}),
    # sunary/vietqr: "missing bank number": the account removed without fixing the lengths.
    ("00020101021138540010A0000007270124000654603401100208QRIBFTTA53037045802VN6304B2A0",
     {("payload", "bad_header"), ("63", "missing")}),
    # sunary/vietqr validVNPAYQRCode: VNPAY's merchant QR (GUID A000000775): not a NAPAS VietQR transfer.
    ("00020101021138400010A0000007750110VNP-1234560208QRIBFTTA53037045802VN6304E56C", {("38.00", "value")}),
    # subiz/vietqr README.md (commit 0861e8ad), the tutorial's "final result": no NAPAS GUID in 38, a wrong
    # length in 62 and no CRC field left where it should be.
    ("0002010102113838000697042201120023457923440208QRIBFTTA530370454061800005802VN62160814ung ho bao lut6304E69F",
     {("38.00", "value"), ("payload", "bad_header")}),
    # thanhtinhpas1/vietqr-parser README.md (commit 170f6929): payload format "00" where "01" is required.
    ("00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA53037045802VN6304CD60",
     {("00", "value")}),
    # binhnguyenduc/vietqr-ts tests/fixtures/vietqr-samples.ts (commit 03584330) DYNAMIC_FULL: the service
    # code sits inside 38.01 instead of 38.02.
    ("00020101021238570010A00000072701390006970422011301234567890200208QRIBFTTA53037045405500005802VN62160812"
     "Test Payment630495B6", {("38.02", "missing")}),
    # Same fixture file, INVALID_CRC.
    ("00020101021138570010A00000072701390006970422011301234567890200208QRIBFTTA53037045802VN63040000",
     {("63", "crc_mismatch"), ("38.02", "missing")}),
    # Same fixture file, WITH_UTF8_MESSAGE: Vietnamese with diacritics in the memo; VietQR values are ASCII.
    ("00020101021238570010A00000072701390006970422011301234567890200208QRIBFTTA53037045405100005802VN62260822"
     "Thanh toán hóa đơn630432F8", {("payload", "chars")}),
]

REGISTRY = {"970403", "970407", "970416", "970418", "970422", "970436", "546034"}


@pytest.mark.parametrize(("payload", "expected"), VALID)
def test_public_valid_examples_decode_to_their_stated_fields(payload, expected):
    decoded = decode(payload, REGISTRY)
    assert decoded.valid and decoded.crc_valid, decoded.problems
    assert {key: decoded.fields[key] for key in expected} == expected


@pytest.mark.parametrize(("payload", "reasons"), FAULTY)
def test_public_faulty_examples_are_invalid_for_the_right_reason(payload, reasons):
    decoded = decode(payload, REGISTRY)
    assert not decoded.valid
    assert reasons <= {(p.field, p.rule) for p in decoded.problems}
