"""`flask --app connector marketplaces ...` and the sandbox's buyer CLI."""

import json
import os

import click
import requests
from flask import current_app
from flask.cli import with_appcontext

from connector.catalogue.choices import CATEGORIES
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.marketplaces import MARKETPLACES
from connector.marketplaces.categories import current_mapping, remote_categories, save_mapping


@click.group("marketplaces", help="Marketplace publishing.")
def marketplaces_cli():
    pass


@marketplaces_cli.command("categories")
@click.option("--marketplace", required=True, type=click.Choice(MARKETPLACES))
@with_appcontext
def categories_command(marketplace):
    """Fetch the marketplace's categories and show how ours map onto them."""
    remote = {c["id"]: c["name"] for c in remote_categories(marketplace, refresh=True)}
    for code, label in CATEGORIES.items():
        target = current_mapping(marketplace)[code]
        shown = remote.get(target, "(unknown on the marketplace)") if target else "(not mapped)"
        click.echo(f"{code:<20} {label!s:<36} -> {target} {shown}")


@marketplaces_cli.command("map-category")
@click.option("--marketplace", required=True, type=click.Choice(MARKETPLACES))
@click.option("--category", required=True, type=click.Choice(list(CATEGORIES)))
@click.option("--remote-id", required=True)
@with_appcontext
def map_category_command(marketplace, category, remote_id):
    """Override where one of our categories goes on a marketplace (admins)."""
    known = {c["id"] for c in remote_categories(marketplace, refresh=True)}
    try:
        save_mapping(marketplace, {category: remote_id}, known)
    except ValidationFailed:
        raise click.ClickException(f"{marketplace} has no category {remote_id}") from None
    db.session.commit()
    click.echo(f"{category} -> {marketplace} {remote_id}")


@marketplaces_cli.command("buy")
@click.option("--marketplace", required=True, type=click.Choice(MARKETPLACES))
@click.option("--sku", required=True, help="Seller SKU, e.g. CN-12")
@click.option("--quantity", default=1, type=click.IntRange(min=1))
@with_appcontext
def buy_command(marketplace, sku, quantity):
    """Place a buyer's order on the sandbox (demos and tests)."""
    sandbox = os.environ.get("SANDBOX_URL") or current_app.config["MARKETPLACES"][marketplace]["base_url"].rsplit(
        "/", 1)[0]
    response = requests.post(f"{sandbox}/_sandbox/{marketplace}/orders", timeout=10, json={
        "seller_sku": sku, "quantity": quantity,
        "buyer": {"name": "Khách Demo", "phone": "0987000111", "address": "Hà Nội"}})
    click.echo(json.dumps(response.json(), ensure_ascii=False))
    if not response.ok:
        raise SystemExit(1)
