"""`flask --app connector vietqr ...` (a tool for postal IT staff) and `flask payments ...`.

    vietqr encode --bin 970436 --account 0011001234567 [--service account|card] [--amount 150000]
                  [--purpose TEXT] [--bill TEXT] [--reference TEXT] [--terminal TEXT] [--name TEXT] [--city TEXT]
    vietqr decode PAYLOAD          fields as JSON, with "crc_valid" and "errors"; exit 1 if invalid
    vietqr render PAYLOAD --output FILE.png|FILE.svg [--print]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from connector.banks.registry import enabled_bins, sync_from_file
from connector.extensions import db
from connector.media.qr_images import render
from connector.payments import messages
from connector.payments.vietqr import SERVICES, InvalidVietQR, VietQR, decode, encode, memo, parse_amount


@click.group("vietqr", help="Make, read and draw VietQR payment codes.")
def vietqr_cli():
    pass


@vietqr_cli.command("encode")
@click.option("--bin", "bin_code", required=True, help="Acquirer BIN of the bank or wallet (6 digits).")
@click.option("--account", required=True, help="Account number, or card number with --service card.")
@click.option("--service", type=click.Choice(list(SERVICES)), default="account", show_default=True)
@click.option("--amount", help="VND, digits only. Without it the code is static (the payer types the amount).")
@click.option("--purpose", help="Memo shown to the payer (field 62.08), written as banks accept it: without "
              "diacritics, letters, digits and spaces (\"Thanh toán đơn\" becomes \"Thanh toan don\").")
@click.option("--bill", help="Bill number (62.01).")
@click.option("--reference", help="Reference (62.05).")
@click.option("--terminal", help="Terminal (62.07).")
@click.option("--name", help="Beneficiary name (59), ASCII.")
@click.option("--city", help="City (60), ASCII.")
@with_appcontext
def encode_command(bin_code, account, service, amount, purpose, bill, reference, terminal, name, city):
    """Print the payload: static ("11") without --amount, dynamic ("12") with it."""
    number, problem = parse_amount(amount)
    problems = [problem] if problem else []
    if purpose:
        folded = memo(purpose)
        if folded != purpose:
            click.echo("--purpose: " + _("written as '%(memo)s' (no diacritics or symbols: as banks accept it)",
                                         memo=folded), err=True)
        purpose = folded
    qr = VietQR(bin=bin_code, account=account, service=service, amount=number, purpose=purpose, bill=bill,
                reference=reference, terminal=terminal, name=name, city=city)
    try:
        if problems:
            raise InvalidVietQR(problems)
        payload = encode(qr, enabled_bins(), current_app.config["VIETQR_MAX_AMOUNT"])
    except InvalidVietQR as invalid:
        for item in messages.as_list(invalid.problems):
            click.echo(f"--{item['field']}: {item['message']}", err=True)
        raise SystemExit(2) from None
    click.echo(payload)


@vietqr_cli.command("decode")
@click.argument("payload")
@with_appcontext
def decode_command(payload):
    """Print the payload's fields as JSON; exit 1 when it is invalid."""
    result = decode(payload, enabled_bins())
    click.echo(json.dumps({**result.fields, "raw": result.raw, "crc_valid": result.crc_valid,
                           "errors": messages.as_list(result.problems),
                           "warnings": messages.as_list(result.warnings)}, ensure_ascii=False, indent=2))
    if not result.valid:
        raise SystemExit(1)


@vietqr_cli.command("render")
@click.argument("payload")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--print", "for_print", is_flag=True, help="Error correction Q (posters) instead of M (screens).")
@with_appcontext
def render_command(payload, output, for_print):
    """Draw the payload as PNG or SVG (by the file's extension). An invalid payload is refused."""
    image_format = output.suffix.lower().lstrip(".")
    if image_format not in ("png", "svg"):
        raise click.BadParameter("the file must end in .png or .svg", param_hint="--output")
    result = decode(payload)
    if not result.valid:
        for item in messages.as_list(result.problems):
            click.echo(f"{item['field']}: {item['message']}", err=True)
        raise SystemExit(1)
    output.write_bytes(render(payload.strip(), image_format, "Q" if for_print else "M"))
    click.echo(str(output))


@click.group("payments", help="Banks and wallets registry; demo bank transfers.")
def payments_cli():
    pass


@payments_cli.command("sync-acquirers")
@with_appcontext
def sync_acquirers_command():
    """Add banks and wallets that banks/data/acquirers.csv gained since install."""
    added = sync_from_file()
    db.session.commit()
    click.echo(f"{added} added")


@payments_cli.command("transfer")
@click.option("--order", "order_code", required=True, help="Order code, e.g. DH7K3M9Q")
@click.option("--amount", required=True, type=click.IntRange(min=1))
@with_appcontext
def transfer_command(order_code, amount):
    """Make the sandbox bank send a payment notice for a transfer (demos and tests)."""
    sandbox = os.environ.get("SANDBOX_URL") or current_app.config["SANDBOX_URL"]
    response = requests.post(f"{sandbox}/_sandbox/bank/transfers", timeout=10,
                             json={"amount": amount, "memo": f"{order_code} Thanh toan"})
    click.echo(json.dumps(response.json(), ensure_ascii=False))
    if not response.ok:
        raise SystemExit(1)
