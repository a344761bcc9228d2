"""docs/licences.md lists every runtime dependency with the licence its installed metadata states
(issue 15, finding 11): a new dependency, or a release that changes its licence, fails here until
the list says so. No GPL code is installed (Unidecode came in with vietnamadminunits: its MIT data
now ships with the connector, matched with our own folding); LGPL libraries are used unmodified."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement

from connector.config import PROJECT_ROOT

# LGPL allows linking an unmodified library from any program; docs/licences.md says which and why.
LGPL_ALLOWED = {"psycopg", "psycopg-binary", "num2words"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(name: str) -> str:
    """What the installed metadata states: License-Expression, else a short License, else classifiers."""
    metadata = distribution(name).metadata
    stated = metadata.get("License-Expression") or ""
    if not stated:
        stated = (metadata.get("License") or "").strip()
        if not stated or len(stated) > 60 or "\n" in stated:
            stated = "; ".join(classifier.split(" :: ")[-1] for classifier in metadata.get_all("Classifier") or []
                               if classifier.startswith("License ::")) or stated[:60]
    return stated


def runtime_closure() -> dict[str, str]:
    """Every installed distribution the connector needs at run time (markers evaluated, extras named)."""
    found: dict[str, str] = {}
    pending = [Requirement("connector")]
    while pending:
        requirement = pending.pop()
        name = normalised(requirement.name)
        if name in found:
            continue
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            continue  # a dependency for another platform or Python
        found[name] = licence_of(requirement.name)
        for text in dist.requires or []:
            needed = Requirement(text)
            wanted = [""] + sorted(requirement.extras)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in wanted):
                pending.append(needed)
    found.pop("connector")
    return found


def documented() -> dict[str, str]:
    rows = {}
    for line in (PROJECT_ROOT / "docs" / "licences.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 3 and cells[0] not in ("Package", "---"):
            rows[normalised(cells[0].strip("`"))] = cells[1].strip("`")
    return rows


def test_every_runtime_dependency_is_listed_with_the_licence_its_metadata_states():
    installed, listed = runtime_closure(), documented()
    missing = sorted(set(installed) - set(listed))
    assert not missing, f"not in docs/licences.md: {missing}"
    wrong = {name: (listed[name], stated) for name, stated in installed.items() if listed[name] != stated}
    assert not wrong, f"docs/licences.md says otherwise than the metadata (listed, stated): {wrong}"


def test_no_gpl_code_is_installed():
    installed = runtime_closure()
    assert "unidecode" not in installed and "vietnamadminunits" not in installed
    gpl = {name: stated for name, stated in installed.items()
           if "GPL" in stated.upper().replace("LGPL", "") or ("LGPL" in stated.upper() and name not in LGPL_ALLOWED)}
    assert not gpl, gpl
