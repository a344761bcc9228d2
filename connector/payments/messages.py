"""VietQR problems in the user's language: which field, which rule."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from connector.payments.vietqr import Problem

RULES = {
    "required": _l("Required."),
    "bin_digits": _l("The bank code (BIN) must be exactly 6 digits."),
    "bin_unknown": _l("Bank code %(bin)s is not in the list of banks and wallets (or is disabled)."),
    "service_unknown": _l("Unknown service %(service)s: use account or card."),
    "too_long": _l("At most %(max)d characters."),
    "account_chars": _l("An account number has only letters and digits."),
    "card_luhn": _l("This card number is not valid (check digit)."),
    "amount_digits": _l("The amount must be a whole number of đồng, digits only, without separators."),
    "amount_positive": _l("The amount must be more than 0 đồng."),
    "amount_limit": _l("The amount may be at most %(max)s đồng."),
    "chars": _l("Only letters without diacritics, digits, spaces and simple punctuation are allowed."),
    "additional_too_long": _l("Bill number, reference, terminal and memo are too long together "
                              "(at most %(max)d characters in the QR)."),
    "payload_too_long": _l("The QR content is longer than %(max)d characters."),
    "bad_header": _l("The content does not split into fields (each needs a 2-digit id and a 2-digit length)."),
    "bad_length": _l("A field is shorter than its stated length."),
    "duplicate": _l("This field appears twice."),
    "missing": _l("This required field is missing."),
    "not_first": _l("Field 00 must come first."),
    "not_last": _l("The checksum (field 63) must come last."),
    "crc_mismatch": _l("Wrong checksum: the QR says %(given)s, its content gives %(expected)s."),
    "value": _l("Wrong value: expected %(expected)s."),
    "malformed": _l("This field's inner fields are malformed."),
}

FIELDS = {
    "bin": _l("Bank or wallet"), "account": _l("Account or card number"), "service": _l("Service"),
    "amount": _l("Amount"), "purpose": _l("Memo"), "bill": _l("Bill number"), "reference": _l("Reference"),
    "terminal": _l("Terminal"), "name": _l("Name"), "city": _l("City"), "additional": _l("Additional data"),
    "payload": _l("QR content"),
    # Fields of a decoded payload, by id
    "00": _l("Payload format (00)"), "01": _l("Point of initiation (01)"), "38": _l("Beneficiary (38)"),
    "38.00": _l("Beneficiary: NAPAS identifier (38.00)"), "38.01": _l("Beneficiary: bank and account (38.01)"),
    "38.01.00": _l("Bank or wallet BIN (38.01.00)"), "38.01.01": _l("Account or card number (38.01.01)"),
    "38.02": _l("Service (38.02)"), "53": _l("Currency (53)"), "54": _l("Amount (54)"), "58": _l("Country (58)"),
    "59": _l("Name (59)"), "60": _l("City (60)"), "62": _l("Additional data (62)"), "63": _l("Checksum (63)"),
}


def describe(problem: Problem) -> str:
    params = dict(problem.params)
    if "max" in params and problem.rule == "amount_limit":
        from connector.i18n import format_number

        params["max"] = format_number(params["max"])
    return str(RULES.get(problem.rule, problem.rule)) % params


def field_label(name: str) -> str:
    label = FIELDS.get(name)
    return str(label) if label else _("Field %(id)s", id=name)


def as_errors(problems: list[Problem]) -> dict[str, list[str]]:
    """For ValidationFailed / API error bodies: {field: [message, ...]}."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(describe(problem))
    return errors


def as_list(problems: list[Problem]) -> list[dict]:
    """For the decoder's JSON: every problem with its field, rule and message."""
    return [{"field": p.field, "label": field_label(p.field), "rule": p.rule, "message": describe(p)}
            for p in problems]
