"""Compiled translation catalogues wherever the connector runs (issue 15: a deploy from the Procfile
served English, since only `make` compiled them and a platform's build never runs it).

At start, each catalogue whose compiled `.mo` is missing or older than its `.po` is compiled with
Babel (a runtime dependency already): beside the `.po` when that folder is writable (a checkout, the
image's build), else into the instance folder, which is then searched first. Written to a temporary
file and renamed, so two workers starting together never read half a file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def ensure_compiled(config: dict) -> None:
    source = Path(config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    fallback = Path(config["INSTANCE_DIR"]) / "translations"
    used_fallback = False
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        target = mo if os.access(mo.parent, os.W_OK) else fallback / po.relative_to(source).with_suffix(".mo")
        _compile(po, target)
        used_fallback |= target != mo
        log.info("compiled the %s catalogue into %s", po.parent.parent.name, target)
    if used_fallback:
        config["BABEL_TRANSLATION_DIRECTORIES"] = f"{fallback};{config['BABEL_TRANSLATION_DIRECTORIES']}"


def _compile(po: Path, target: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".mo")
    with os.fdopen(handle, "wb") as out:
        write_mo(out, catalog, use_fuzzy=True)
    os.replace(temporary, target)
