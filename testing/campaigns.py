"""Screening campaigns: compliance per school/unit, who is missing, target list import, XLSX export."""
import datetime as dt
import io

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from audit.services import record
from core.errors import Invalid
from core.imports import Column, ImportResult, RowError, RowInvalid, TableImporter
from core.parsing import ParseError, parse_int
from core.text import fold
from geo.eras import check_unit_on

from .models import Campaign, CampaignTarget, Result, Test, TestKind


@transaction.atomic
def create_campaign(*, by, name: str, unit, deadline: dt.date, within_days: int, accepted_kinds: list[str]) -> Campaign:
    if not accepted_kinds or any(k not in TestKind.values for k in accepted_kinds):
        raise Invalid("Chọn loại xét nghiệm được chấp nhận.", "Choose the accepted test kinds.", field="accepted_kinds")
    if within_days < 1:
        raise Invalid("Số ngày phải từ 1 trở lên.", "The number of days must be at least 1.", field="within_days")
    check_unit_on(unit, deadline, field="unit", what_vi="Đợt xét nghiệm sàng lọc", what_en="A screening campaign")
    c = Campaign.objects.create(name=name, unit=unit, deadline=deadline, within_days=within_days, accepted_kinds=accepted_kinds,
                                created_by=by if getattr(by, "pk", None) else None)
    record(actor=by, action="create", obj=c, changes={"name": (None, name)})
    return c


def window(campaign: Campaign) -> tuple[dt.date, dt.date]:
    return campaign.deadline - dt.timedelta(days=campaign.within_days), campaign.deadline


def with_compliance(campaign: Campaign, targets):
    start, end = window(campaign)
    ok = Test.objects.filter(person=OuterRef("person"), result=Result.NEGATIVE, kind__in=campaign.accepted_kinds,
                             taken_on__gte=start, taken_on__lte=end)
    return targets.annotate(compliant=Exists(ok))


def compliance_by_group(campaign: Campaign, targets) -> list[dict]:
    rows = (with_compliance(campaign, targets).values("group")
            .annotate(total=Count("id"), done=Count("id", filter=Q(compliant=True))).order_by("group"))
    return [{**r, "missing": r["total"] - r["done"], "rate": round(100 * r["done"] / r["total"], 1) if r["total"] else 0} for r in rows]


def export_xlsx(*, by, campaign: Campaign, targets, missing_only: bool = True, structure: str | None = None) -> bytes:
    """The campaign's targets (the missing ones by default) as XLSX. Each person's commune is named on `structure`
    ("Theo địa giới", default today's map: "Xã A (nay: Phường B)" for a person still on a pre-2025 commune)."""
    from openpyxl import Workbook

    from core.exports import xlsx_append
    from geo import areas

    rows = with_compliance(campaign, targets).select_related("person", "person__commune").order_by("group", "person__name_folded")
    if missing_only:
        rows = rows.filter(compliant=False)
    wb = Workbook()
    ws = wb.active
    ws.title = "Chua xet nghiem" if missing_only else "Danh sach"
    start, end = window(campaign)
    xlsx_append(ws, [campaign.name, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"])
    xlsx_append(ws, ["Trường / đơn vị", "Họ và tên", "Năm sinh", "Điện thoại", "Xã/phường", "Đã có kết quả âm tính"])
    ids = []
    rows = list(rows)
    labels = areas.unit_labels({t.person.commune for t in rows}, structure)  # one query for the whole file
    for t in rows:
        p = t.person
        ids.append(p.pk)
        xlsx_append(ws, [t.group, p.full_name, p.birth_year, p.phone, labels.get(p.commune_id, p.commune.name),
                         "Có" if t.compliant else "Chưa"])
    buf = io.BytesIO()
    wb.save(buf)
    record(actor=by, action="export", obj=campaign, records=ids, note=f"{len(ids)} rows, missing_only={missing_only}")
    return buf.getvalue()


class TargetImporter(TableImporter):
    """Target list: Họ và tên | Năm sinh | Giới tính | CCCD | Điện thoại | Trường/đơn vị | Mã xã (or Xã/phường)."""

    audit_label = "testing.campaign_targets"
    columns = [
        Column("full_name", ("Họ và tên", "Họ tên", "Full name"), required=True),
        Column("birth_year", ("Năm sinh", "Birth year"), required=True),
        Column("sex", ("Giới tính", "Sex")),
        Column("id_number", ("CCCD", "CCCD/CMND", "Số CCCD", "ID number")),
        Column("phone", ("Điện thoại", "Số điện thoại", "Phone")),
        Column("group", ("Trường/đơn vị", "Trường", "Đơn vị", "Unit", "School"), required=True),
        Column("commune", ("Mã xã", "Xã/phường", "Xã", "Commune"), required=True),
    ]

    def __init__(self, *, campaign: Campaign, communes, **kw):
        super().__init__(**kw)
        self.campaign = campaign
        self.communes = {}
        for u in communes:
            self.communes[u.code] = u
            self.communes.setdefault(fold(u.name), u)

    def clean_row(self, values, line):
        errors = []
        name = str(values.get("full_name") or "").strip()
        if not name:
            errors.append(("Họ và tên", "Thiếu họ tên.", "Full name is missing."))
        try:
            year = parse_int(values.get("birth_year"))
            if year is None or not 1900 <= year <= dt.date.today().year:
                errors.append(("Năm sinh", "Năm sinh không hợp lệ.", "Invalid birth year."))
        except ParseError as exc:
            year = None
            errors.append(("Năm sinh", exc.vi, exc.en))
        sex_text = fold(str(values.get("sex") or ""))
        sex = "F" if sex_text in ("nu", "f", "female") else "M"
        key = str(values.get("commune") or "").strip()
        commune = self.communes.get(key) or self.communes.get(fold(key))
        if commune is None:
            errors.append(("Xã/phường", f"Không tìm thấy xã “{key}” trong địa bàn.", f"Commune “{key}” not found in your area."))
        group = str(values.get("group") or "").strip()
        if not group:
            errors.append(("Trường/đơn vị", "Thiếu trường/đơn vị.", "Unit is missing."))
        if not errors:
            from people.services import clean_person_data

            try:
                clean_person_data({"full_name": name, "birth_year": year, "sex": sex, "commune": commune,
                                   "id_number": str(values.get("id_number") or "").strip(), "phone": str(values.get("phone") or "").strip()})
            except Invalid as exc:
                errors.append((exc.field, exc.vi, exc.en))
        if errors:
            raise RowInvalid(errors)
        return {"full_name": name, "birth_year": year, "sex": sex, "id_number": str(values.get("id_number") or "").strip(),
                "phone": str(values.get("phone") or "").strip(), "group": group, "commune": commune}

    def save_rows(self, rows, result):
        """Match each row to the people registry (ID number, else same name/birth year/commune), else create."""
        from people import services as people
        from people.models import Person

        existing = set(self.campaign.targets.values_list("person_id", flat=True))
        ids = [r["id_number"] for _, r in rows if r["id_number"]]
        by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids, merged_into__isnull=True)}
        new_targets = []
        for line, r in rows:
            person = by_id.get(r["id_number"]) if r["id_number"] else None
            if person is None:
                person = people.possible_duplicates(full_name=r["full_name"], birth_year=r["birth_year"], commune=r["commune"]).first()
            if person is None:
                data = {k: r[k] for k in ("full_name", "birth_year", "sex", "phone", "commune")}
                if r["id_number"]:
                    data.update(id_number=r["id_number"], id_kind="cccd" if len(r["id_number"]) == 12 else "cmnd")
                try:
                    person = people.create_person(by=self.by, data=data)
                except Invalid as exc:
                    invalid = RowInvalid([(None, f"Dòng {line}: {exc.vi}", f"Line {line}: {exc.en}")])
                    invalid.line = line  # for the batch's report
                    raise invalid
            if person.pk in existing:
                result.skipped_duplicates += 1
                continue
            existing.add(person.pk)
            new_targets.append(CampaignTarget(campaign=self.campaign, person=person, group=r["group"]))
        CampaignTarget.objects.bulk_create(new_targets)
        result.imported = len(new_targets)


def run_target_batch(batch, data: bytes, progress) -> ImportResult:
    """core.batches runner for kind "campaign_targets" (options: campaign): the campaign and the communes are those
    the uploader may see (core.scoping), as on the page. A row the registry refuses while saving rolls the whole file
    back and is reported as the batch's row error."""
    from core.scoping import get_for_user, visible_units
    from geo.models import Level

    from .models import Campaign

    user = batch.created_by
    campaign = get_for_user(Campaign.objects.all(), user, pk=batch.options["campaign"])
    communes = visible_units(user).filter(level=Level.COMMUNE)
    try:
        return TargetImporter(by=user, campaign=campaign, communes=communes, progress=progress).run(data, batch.file_name)
    except RowInvalid as exc:
        errors = [RowError(getattr(exc, "line", 0), col, vi, en) for col, vi, en in exc.errors]
        return ImportResult(errors=errors, saved=False)
