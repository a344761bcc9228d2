"""Disk full while saving a photo (issue 15, faults): the agent is told in Vietnamese, nothing is
half-saved (no photo row, no stray file in the media folder), and once space is freed the same
upload works. The media folder is a real filesystem of 256 KB (tmpfs) filled to its last bytes, so
the kernel itself answers ENOSPC."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connector.catalogue.models import Product, ProductPhoto
from connector.media.storage import LocalStorage
from tests.factories import PASSWORD, make_household, make_product, photo_bytes
from tests.helpers import csrf_token_from, login, post_multipart


@pytest.fixture
def full_disk(app, tmp_path):
    """The app's media folder on a tiny filesystem with almost no space left."""
    mount_point = tmp_path / "media"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here ({mounted.stderr.strip()}): needs root")
    saved = app.extensions.get("connector.media")
    try:
        with open(mount_point / "filler", "wb", buffering=0) as stream:  # fill it to the last block
            try:
                while stream.write(b"\0" * 4096):
                    pass
            except OSError:
                pass
        app.extensions["connector.media"] = LocalStorage(mount_point)
        yield mount_point
    finally:
        app.extensions["connector.media"] = saved
        subprocess.run(["umount", str(mount_point)], check=True)


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def photos(db_session) -> int:
    return db_session.scalar(select(func.count(ProductPhoto.id)))


def test_a_photo_upload_on_a_full_disk_is_refused_plainly_and_leaves_nothing(client, auth, agent, db_session,
                                                                             full_disk):
    product = make_product(make_household(agent), user=agent)
    before = photos(db_session)
    answer = post_multipart(client, f"/api/v1/products/{product.id}/photos", {},
                            {"photo": [(photo_bytes(1200, 900), "anh.jpg")]}, auth)
    assert answer.status_code == 507
    assert "hết chỗ lưu" in answer.get_json()["errors"]["photo"][0]
    assert photos(db_session) == before
    assert files_in(full_disk) == ["filler"]  # no half-written file left behind

    os.remove(full_disk / "filler")  # space freed: the same upload works
    assert post_multipart(client, f"/api/v1/products/{product.id}/photos", {},
                          {"photo": [(photo_bytes(1200, 900), "anh.jpg")]}, auth).status_code == 201
    assert photos(db_session) == before + 1


def test_a_new_product_with_its_photo_on_a_full_disk_is_not_half_saved(client, agent, db_session, full_disk):
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    url = f"/households/{household.id}/products/new"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    form = {"csrf_token": token, "name": "Mật ong Hải Lăng", "category": "honey", "unit": "chai",
            "price_vnd": "250.000", "stock": "10", "weight_grams": "700", "status": "draft"}
    answer = post_multipart(client, url, form, {"photos": [(photo_bytes(1200, 900), "anh.jpg")]})
    page = answer.get_data(as_text=True)
    assert answer.status_code in (200, 422, 507) and "hết chỗ lưu" in page
    assert "Mật ong Hải Lăng" in page  # what the agent typed is still in the form
    assert db_session.scalar(select(func.count(Product.id)).where(Product.household_id == household.id)) == 0
    assert photos(db_session) == 0
    assert files_in(full_disk) == ["filler"]
