"""Load every Vietnamese administrative unit from the `vietnamadminunits` package (both structures).

Idempotent: units are upserted on (structure, level, code). Takes a few seconds for ~14,000 units.
"""
import datetime as dt
import json
import sqlite3
from pathlib import Path

import vietnamadminunits
from django.db import connection, transaction

from core.text import fold

from .models import AdministrativeUnit, Level, Structure, UnitCorrespondence

PKG = Path(vietnamadminunits.__file__).parent / "data"
END_PRE_2025 = dt.date(2025, 6, 30)
START_2025 = dt.date(2025, 7, 1)


def _rows(sql: str) -> list[dict]:
    with sqlite3.connect(PKG / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def _upsert(objs: list[AdministrativeUnit]) -> dict[str, int]:
    AdministrativeUnit.objects.bulk_create(
        objs,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["path"],
        update_fields=["name", "short_name", "kind", "parent", "valid_from", "valid_to", "latitude", "longitude", "name_folded", "code", "structure", "level"],
    )
    paths = [o.path for o in objs]
    return dict(AdministrativeUnit.objects.filter(path__in=paths).values_list("path", "id"))


def _unit(structure, level, code, name, short, kind, parent_id, path, lat, lon):
    valid_from, valid_to = (None, END_PRE_2025) if structure == Structure.PRE_2025 else (START_2025, None)
    return AdministrativeUnit(
        structure=structure, level=level, code=code, name=name, short_name=short or "", kind=kind or "",
        parent_id=parent_id, path=path, valid_from=valid_from, valid_to=valid_to,
        latitude=lat, longitude=lon, name_folded=fold(name),
    )


def _kind_of(name: str) -> str:
    for kind in ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Tỉnh", "Huyện", "Quận", "Phường", "Xã"):
        if name.startswith(kind):
            return kind
    return ""


@transaction.atomic
def load_admin_units(province_codes: set[str] | None = None) -> dict[str, int]:
    """Load units; `province_codes` restricts the pre-2025 structure to those provinces (tests, small demos)."""
    legacy = _rows("SELECT * FROM admin_units_legacy")
    new = _rows("SELECT * FROM admin_units")
    if province_codes:
        legacy = [r for r in legacy if r["provinceCode"] in province_codes]
    P = Structure.PRE_2025
    # --- pre-2025: province → district → commune
    provinces = {}
    for r in legacy:
        provinces.setdefault(r["provinceCode"], r)
    ids = _upsert([
        _unit(P, Level.PROVINCE, c, r["province"], r["provinceShort"], _kind_of(r["province"]), None,
              AdministrativeUnit.make_path(P, c), r["provinceLat"], r["provinceLon"])
        for c, r in provinces.items()
    ])
    districts = {}
    for r in legacy:
        districts.setdefault((r["provinceCode"], r["districtCode"]), r)
    ids.update(_upsert([
        _unit(P, Level.DISTRICT, d, r["district"], r["districtShort"], r["districtType"], ids[AdministrativeUnit.make_path(P, p)],
              AdministrativeUnit.make_path(P, p, d), r["districtLat"], r["districtLon"])
        for (p, d), r in districts.items()
    ]))
    ids.update(_upsert([
        _unit(P, Level.COMMUNE, r["wardCode"], r["ward"], r["wardShort"], r["wardType"],
              ids[AdministrativeUnit.make_path(P, r["provinceCode"], r["districtCode"])],
              AdministrativeUnit.make_path(P, r["provinceCode"], r["districtCode"], r["wardCode"]), r["wardLat"], r["wardLon"])
        for r in legacy if r["wardCode"]  # island districts (Bạch Long Vĩ, Hoàng Sa…) have no communes
    ]))
    # --- 2025: province → commune
    N = Structure.FROM_2025
    new_provinces = {}
    for r in new:
        new_provinces.setdefault(r["provinceCode"], r)
    ids.update(_upsert([
        _unit(N, Level.PROVINCE, c, r["province"], r["provinceShort"], _kind_of(r["province"]), None,
              AdministrativeUnit.make_path(N, c), r["provinceLat"], r["provinceLon"])
        for c, r in new_provinces.items()
    ]))
    ids.update(_upsert([
        _unit(N, Level.COMMUNE, r["wardCode"], r["ward"], r["wardShort"], r["wardType"],
              ids[AdministrativeUnit.make_path(N, r["provinceCode"])],
              AdministrativeUnit.make_path(N, r["provinceCode"], r["wardCode"]), r["wardLat"], r["wardLon"])
        for r in new
    ]))
    links = _load_correspondence(legacy, new, ids)
    from .areas import forget_reference

    forget_reference()  # the old → new province memo of geo.areas
    if connection.vendor == "postgresql":
        # Fresh statistics: with stale ones the planner repeats people searches once per commune.
        with connection.cursor() as cur:
            cur.execute("ANALYZE geo_administrativeunit")
            cur.execute("ANALYZE geo_unitcorrespondence")
    return {
        "pre2025_units": len(provinces) + len(districts) + sum(1 for r in legacy if r["wardCode"]),
        "units_2025": len(new_provinces) + len(new),
        "correspondences": links,
    }


def _load_correspondence(legacy, new, ids) -> int:
    conv = json.loads((PKG / "converter_2025.json").read_text())
    old_by_key = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": ids[
            AdministrativeUnit.make_path(Structure.PRE_2025, r["provinceCode"], r["districtCode"], r["wardCode"])
        ]
        for r in legacy if r["wardCode"]
    }
    new_by_key = {
        (r["provinceKey"], r["wardKey"]): ids[AdministrativeUnit.make_path(Structure.FROM_2025, r["provinceCode"], r["wardCode"])]
        for r in new
    }
    pairs: dict[tuple[int, int], bool] = {}
    for prov_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            new_id = new_by_key.get((prov_key, ward_key))
            for old_key in old_keys:
                old_id = old_by_key.get(old_key)
                if new_id and old_id:
                    pairs[(old_id, new_id)] = True
    for prov_key, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds.items():
            old_id = old_by_key.get(old_key)
            for t in targets:
                new_id = new_by_key.get((prov_key, t["newWardKey"]))
                if old_id and new_id:
                    pairs[(old_id, new_id)] = bool(t.get("isDefaultNewWard"))
    old_ids = {o for o, _ in pairs}
    UnitCorrespondence.objects.filter(old_unit_id__in=old_ids).delete()
    UnitCorrespondence.objects.bulk_create(
        [UnitCorrespondence(old_unit_id=o, new_unit_id=n, is_default=d) for (o, n), d in pairs.items()], batch_size=5000
    )
    return len(pairs)
