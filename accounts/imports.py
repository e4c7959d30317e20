"""Users from a staff list (XLSX or CSV): one row per person, validated like the user form, all or nothing."""

from core.imports import Column, ImportResult, RowError, RowInvalid, TableImporter
from core.text import fold

from .models import Agency, User
from .roles import Role

COLUMNS = [
    Column("username", ("Tên đăng nhập", "username"), required=True),
    Column("full_name", ("Họ và tên", "full name", "name"), required=True),
    Column("role", ("Vai trò", "role"), required=True),
    Column("unit", ("Địa bàn", "Mã địa bàn", "unit", "unit code")),
    Column("agency", ("Cơ quan", "agency")),
    Column("region", ("Khu vực y tế", "Khu vực", "health region", "region")),
    Column("phone", ("Điện thoại", "Số điện thoại", "phone")),
    Column("email", ("Email", "Thư điện tử")),
]

# A role is written as its Vietnamese name (as on screen), its English name or its code.
_ROLE_NAMES: dict[str, str] = {}
for _value, _label in Role.choices:
    _ROLE_NAMES[fold(_value)] = _value
    _ROLE_NAMES[fold(str(_label))] = _value


class UserImporter(TableImporter):
    columns = COLUMNS
    audit_label = "users"

    def __init__(self, *, by, **kw):
        super().__init__(by=by, mode="all", **kw)
        from core.scoping import visible_units

        # The units this administrator may give, by GSO code and by name (bulk: two queries for the whole file).
        from geo.areas import installation_units_q

        units = list(visible_units(by).filter(installation_units_q()).only("id", "code", "name", "path", "level", "structure"))
        self.units_by_code = {u.code: u for u in units}
        self.units_by_name: dict[str, list] = {}
        for u in units:
            self.units_by_name.setdefault(fold(u.name), []).append(u)
        self.agencies = {fold(a.name): a for a in Agency.objects.all()} | {fold(a.short_name): a for a in Agency.objects.exclude(short_name="")}
        from core.scoping import scope
        from geo.models import HealthRegion

        self.regions = {fold(r.name): r for r in scope(HealthRegion.objects.all(), by)}
        self.created: list = []

    def clean_row(self, values: dict, line: int) -> dict:
        from core.errors import Invalid

        from .services import check_assignment

        errors = []
        username = str(values.get("username") or "").strip()
        if not username or len(username) > 150 or any(c.isspace() for c in username):
            errors.append(("username", "Tên đăng nhập trống, quá dài hoặc có dấu cách.", "The username is empty, too long or has spaces."))
        full_name = str(values.get("full_name") or "").strip()
        if not full_name or len(full_name) > 150:
            errors.append(("full_name", "Thiếu họ và tên (hoặc quá 150 ký tự).", "The full name is missing (or over 150 characters)."))
        role = _ROLE_NAMES.get(fold(str(values.get("role") or "")))
        if role is None:
            errors.append(("role", f"Vai trò không rõ: “{values.get('role') or ''}”.", f"Unknown role: “{values.get('role') or ''}”."))
        unit = agency = None
        unit_text = str(values.get("unit") or "").strip()
        if unit_text:
            # A spreadsheet drops the leading zeros of a numeric code (GSO commune codes have five digits).
            unit = self.units_by_code.get(unit_text) or self.units_by_code.get(unit_text.zfill(5))
            if unit is None:
                found = self.units_by_name.get(fold(unit_text), [])
                if len(found) == 1:
                    unit = found[0]
                elif len(found) > 1:
                    errors.append(("unit", f"Có nhiều địa bàn tên “{unit_text}”: hãy ghi mã địa bàn.",
                                   f"Several units are named “{unit_text}”: write the unit code."))
                else:
                    errors.append(("unit", f"Không có địa bàn “{unit_text}” trong phạm vi quản lý của bạn.",
                                   f"No unit “{unit_text}” within your jurisdiction."))
        agency_text = str(values.get("agency") or "").strip()
        if agency_text:
            agency = self.agencies.get(fold(agency_text))
            if agency is None:
                errors.append(("agency", f"Không có cơ quan “{agency_text}”.", f"No agency “{agency_text}”."))
        region = None
        region_text = str(values.get("region") or "").strip()
        if region_text:
            region = self.regions.get(fold(region_text))
            if region is None:
                errors.append(("region", f"Không có khu vực y tế “{region_text}”.", f"No health region “{region_text}”."))
        if not errors:
            try:
                check_assignment(by=self.by, role=role, unit=unit, agency=agency, region=region)
            except Invalid as exc:
                errors.append((exc.field, exc.vi, exc.en))
        if errors:
            raise RowInvalid(errors)
        return {"username": username, "full_name": full_name, "role": role, "unit": unit, "agency": agency,
                "region": region, "phone": str(values.get("phone") or "").strip()[:20], "email": str(values.get("email") or "").strip()[:254]}

    def check_rows(self, rows):
        errors, seen = [], {}
        for line, v in rows:
            key = v["username"].lower()
            if key in seen:
                errors.append(RowError(line, "username", f"Tên đăng nhập trùng với dòng {seen[key]}.",
                                       f"The username repeats line {seen[key]}."))
            seen.setdefault(key, line)
        # One query for every username of the file.
        taken = {u.lower() for u in User.objects.filter(username__in=[v["username"] for _l, v in rows]).values_list("username", flat=True)}
        errors += [RowError(line, "username", f"Tên đăng nhập “{v['username']}” đã có.", f"The username “{v['username']}” is taken.")
                   for line, v in rows if v["username"].lower() in taken]
        return errors

    def save_rows(self, rows, result: ImportResult) -> None:
        from .services import CreatedUser, create_user

        for _line, v in rows:
            user, password = create_user(by=self.by, **v)
            self.created.append(CreatedUser(user, password))
        result.imported = len(rows)


def bulk_create_users(*, by, data: bytes, filename: str):
    """Users from a staff list (XLSX or CSV): every row validated (line and reason in vi/en), all or nothing.
    Answers (ImportResult, [CreatedUser]) — the initial passwords are shown once. Each user is created by
    accounts.services.create_user (with its audit row); this module sits above services, never the reverse."""
    importer = UserImporter(by=by)
    result = importer.run(data, filename)
    return result, importer.created
