"""Derive the shipped data files from the MIT-licensed `vietnamadminunits` package (issue 15: the
package depends on Unidecode, GPL-2.0-or-later, so the connector no longer installs it).

Run by hand when the package publishes new data, in a throw-away environment that has it:

    python -m venv /tmp/units && /tmp/units/bin/pip install vietnamadminunits==1.0.4 flask-babel
    PYTHONPATH=. /tmp/units/bin/python -m connector.admin_units.derive

It writes `data/units_2025.csv` (the 34 provinces and 3,321 communes of 2025) and
`data/legacy_wards.csv` (every pre-2025 ward with the names and keywords the package matches it by,
and the 2025 commune the package converts it to). The package is MIT; its copyright notice travels
with the files (data/NOTICE).
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"
UNIT_FIELDS = ["province", "provinceShort", "provinceCode", "provinceLat", "provinceLon", "ward", "wardShort",
               "wardType", "wardCode", "wardLat", "wardLon", "wardAreaKm2"]


def main() -> None:  # pragma: no cover - a maintainer's tool, run with the package installed
    import json

    import vietnamadminunits
    from vietnamadminunits import convert_address
    from vietnamadminunits.database import get_data

    from connector.admin_units.legacy import key  # the package's keywords, some with marks, folded our way

    rows = get_data(fields=UNIT_FIELDS, table="admin_units")
    with (DATA / "units_2025.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=UNIT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    legacy = json.loads((Path(vietnamadminunits.__file__).parent / "data" / "parser_legacy.json").read_text())
    provinces, districts = legacy["DICT_PROVINCE"], legacy["DICT_PROVINCE_DISTRICT"]
    fields = ["ward_code", "ward", "ward_keys", "district_code", "district", "district_keys", "province_code",
              "province", "province_keys", "commune_2025"]
    seen: dict[str, dict] = {}
    for table in ("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", "DICT_PROVINCE_DISTRICT_WARD_ACCENTED",
                  "DICT_PROVINCE_DISTRICT_WARD_SHORT_ACCENTED"):
        for province_key, by_district in legacy[table].items():
            for district_key, wards in by_district.items():
                for ward in wards.values():
                    if not isinstance(ward["wardCode"], str):
                        continue  # island districts without communes (Hoàng Sa, Côn Đảo...): no ward to keep
                    row = seen.setdefault(ward["wardCode"], {
                        "ward_code": ward["wardCode"], "ward": ward["ward"], "ward_keys": set(),
                        "district_code": districts[province_key][district_key]["districtCode"],
                        "district": districts[province_key][district_key]["district"],
                        "district_keys": "|".join(sorted({key(k) for k in districts[province_key][district_key]
                                                          ["districtKeywords"]})),
                        "province_code": provinces[province_key]["provinceCode"],
                        "province": provinces[province_key]["province"],
                        "province_keys": "|".join(sorted({key(k) for k in
                                                          provinces[province_key]["provinceKeywords"]})),
                    })
                    row["ward_keys"].update(key(keyword) for keyword in ward["wardKeywords"])
    for row in seen.values():
        converted = convert_address(f'{row["ward"]}, {row["district"]}, {row["province"]}')
        row["commune_2025"] = converted.ward_code or ""
        row["ward_keys"] = "|".join(sorted(row["ward_keys"], key=lambda key: (-len(key), key)))
    with (DATA / "legacy_wards.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(seen.values(), key=lambda row: row["ward_code"]))


if __name__ == "__main__":
    main()
