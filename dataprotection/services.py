"""Write functions of the data-protection registers, and the exports they produce. Each write and each export of a
person's data records an audit event in the same transaction."""
import datetime as dt
import io

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.services import record
from core.exports import xlsx_append

from . import catalog, rules
from .models import Breach, DeadlineRule, RequestKind, RetentionRule, SubjectRequest

OPEN = [SubjectRequest.Status.RECEIVED, SubjectRequest.Status.IN_PROGRESS]


# ------------------------------------------------------------------------------------------ data-subject requests
@transaction.atomic
def receive_request(*, by, person, kind: str, requester: str, received_on: dt.date, detail: str = "") -> SubjectRequest:
    """Register a request; its deadline comes from the rule in force on the day it was received."""
    rule = rules.deadline_rule(list(DeadlineRule.objects.all()), kind, received_on)
    if rule is None:
        raise ValidationError("Chưa có quy định thời hạn cho loại yêu cầu này / no deadline rule for this kind of request")
    req = SubjectRequest.objects.create(
        kind=kind, person=person, commune_id=person.commune_id, requester=requester, detail=detail,
        received_on=received_on, due_on=rules.due_on(rule, received_on), deadline_source=rule.source, handler=by,
    )
    record(actor=by, action="create", obj=req, person_id=person.pk, note=req.get_kind_display())
    return req


def _has_health_records(person) -> bool:
    return any(model.objects.filter(**{link: person}).exists()
               for model, link in catalog.person_models()[1:] if model._meta.app_label in catalog.HEALTH_APPS)


@transaction.atomic
def decide(*, by, req: SubjectRequest, decision: str, legal_basis: str, answered_on: dt.date) -> SubjectRequest:
    """Close a request with its decision and legal basis. A request is decided once: a second decision (another
    officer, another tab) is refused, never silently overwritten."""
    if req.status == SubjectRequest.Status.DONE:
        raise ValidationError("Yêu cầu đã được xử lý / this request was already decided")
    legal_basis = (legal_basis or "").strip()
    if not legal_basis:
        raise ValidationError("Cần ghi căn cứ pháp lý của quyết định / the legal basis of the decision is required")
    if decision not in SubjectRequest.Decision.values:
        raise ValidationError("Quyết định không hợp lệ / invalid decision")
    granted = decision in (SubjectRequest.Decision.GRANTED, SubjectRequest.Decision.PARTIAL)
    if req.kind == RequestKind.DELETION and granted and _has_health_records(req.person):
        # Records kept for epidemic control are exempt from erasure until their retention ends (then pseudonymised).
        raise ValidationError(
            "Người này có hồ sơ phòng, chống dịch: không xoá được trước khi hết thời hạn lưu; chọn 'Từ chối: dữ liệu "
            "phải giữ để phòng, chống dịch' hoặc hạn chế xử lý / this person has epidemic-control records, which "
            "cannot be erased before their retention period ends")
    if answered_on < req.received_on:
        raise ValidationError("Ngày trả lời trước ngày nhận / the answer predates the request")
    changed = SubjectRequest.objects.filter(pk=req.pk, status__in=OPEN).update(
        decision=decision, legal_basis=legal_basis, answered_on=answered_on, status=SubjectRequest.Status.DONE,
        handler=by,
    )
    if changed != 1:
        raise ValidationError("Yêu cầu đã được xử lý / this request was already decided")
    req.refresh_from_db()
    record(actor=by, action="update", obj=req, person_id=req.person_id,
           changes={"decision": ("", decision), "legal_basis": ("", legal_basis)})
    return req


@transaction.atomic
def start_request(*, by, req: SubjectRequest) -> None:
    if SubjectRequest.objects.filter(pk=req.pk, status=SubjectRequest.Status.RECEIVED).update(
            status=SubjectRequest.Status.IN_PROGRESS, handler=by):
        record(actor=by, action="update", obj=req, person_id=req.person_id,
               changes={"status": ("received", "in_progress")})


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value  # xlsx_append writes it as a real date shown dd/mm/yyyy (hh:mm)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        return value
    return rules.formula_safe(str(value))


def _display(obj, field):
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        return str(getattr(obj, field.name) or "")
    return getattr(obj, field.attname)


def export_person_data(*, by, person, req: SubjectRequest | None = None) -> bytes:
    """An XLSX of everything the system holds on one person: the person's record, then one sheet per kind of linked
    record (cases, tests, contacts, doses...). The caller has already scoped `person` to the user's jurisdiction."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for model, link in catalog.person_models():
        fields = [f for f in model._meta.concrete_fields
                  if f.name not in catalog.SKIP_FIELDS and f.name != link and not f.primary_key]
        qs = model.objects.filter(pk=person.pk) if link is None else model.objects.filter(**{link: person})
        relations = [f.name for f in fields if f.is_relation]
        objs = list(qs.select_related(*relations).order_by("pk")[:10000])
        if link is not None and not objs:
            continue
        sheet = wb.create_sheet(str(model._meta.verbose_name_plural)[:31])
        xlsx_append(sheet, ["#"] + [str(f.verbose_name) for f in fields])
        for obj in objs:
            xlsx_append(sheet, [obj.pk] + [_cell(_display(obj, f)) for f in fields])
    buffer = io.BytesIO()
    wb.save(buffer)
    record(actor=by, action="export", obj=person,
           note=f"Cung cấp dữ liệu cho chủ thể (yêu cầu #{req.pk}) / subject access export" if req
           else "Cung cấp dữ liệu cho chủ thể / subject access export")
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ breaches
BREACH_FIELDS = ["title", "description", "detected_at", "categories", "affected_people", "affected_records", "measures"]


@transaction.atomic
def record_breach(*, by, data: dict) -> Breach:
    if data["detected_at"] > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError("Thời điểm phát hiện ở tương lai / detection time is in the future")
    breach = Breach.objects.create(reported_by=by, **{k: data[k] for k in BREACH_FIELDS if k in data})
    record(actor=by, action="create", obj=breach, note=f"{breach.affected_people} người / people")
    return breach


@transaction.atomic
def mark_notified(*, by, breach: Breach, notified_at: dt.datetime, reference: str) -> Breach:
    if notified_at < breach.detected_at:
        raise ValidationError("Thời điểm thông báo trước khi phát hiện / notification predates detection")
    if notified_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError("Thời điểm thông báo ở tương lai / notification time is in the future")
    if Breach.objects.filter(pk=breach.pk, notified_at__isnull=True).update(
            notified_at=notified_at, notification_ref=reference.strip()) != 1:
        raise ValidationError("Sự cố đã được ghi nhận thông báo / notification already recorded")
    breach.refresh_from_db()
    record(actor=by, action="update", obj=breach, changes={"notified_at": (None, notified_at)})
    return breach


# ------------------------------------------------------------------------------------------ retention
def current_retention_rules(today: dt.date) -> list[RetentionRule]:
    """The rule in force today for each record type."""
    out: dict[str, RetentionRule] = {}
    for rule in RetentionRule.objects.filter(effective_from__lte=today).order_by("record_type", "-effective_from"):
        out.setdefault(rule.record_type, rule)
    return list(out.values())


def _person_candidates(cutoff: dt.date):
    """People last changed before the cut-off, with no linked record changed since, no open request, and not
    already pseudonymised. Set-based: one query with NOT EXISTS per linked model."""
    from people.models import Person
    from people.services import PSEUDONYM_PREFIX

    since = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    qs = Person.objects.filter(updated_at__lt=since).exclude(full_name__startswith=PSEUDONYM_PREFIX)
    for model, link in catalog.person_models()[1:]:
        names = {f.name for f in model._meta.concrete_fields}
        stamp = "updated_at" if "updated_at" in names else "created_at" if "created_at" in names else None
        if stamp:
            qs = qs.exclude(Exists(model.objects.filter(**{link: OuterRef("pk"), f"{stamp}__gte": since})))
    open_requests = SubjectRequest.objects.filter(person=OuterRef("pk"), status__in=OPEN)
    return qs.exclude(Exists(open_requests))


def _rows_past(rule: RetentionRule, cutoff: dt.date):
    if rule.record_type == "people.person" and rule.action == RetentionRule.Action.PSEUDONYMISE:
        return _person_candidates(cutoff)
    model = apps.get_model(rule.record_type)  # the rule names its record type as data ("cases.case")
    field = model._meta.get_field(rule.date_field)
    bound = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min)) if field.get_internal_type() == "DateTimeField" else cutoff
    return model.objects.filter(Q(**{f"{rule.date_field}__lt": bound}))


def retention_report(today: dt.date | None = None) -> list[dict]:
    """The dry run: per record type, how many records are past retention and what would happen to them."""
    today = today or timezone.localdate()
    report = []
    for rule in current_retention_rules(today):
        cutoff = rules.retention_cutoff(today, rule.years)
        report.append({"rule": rule, "cutoff": cutoff, "count": _rows_past(rule, cutoff).count()})
    return report


BATCH = 5000


def apply_retention(*, by=None, today: dt.date | None = None) -> dict[str, int]:
    """Pseudonymise the people past retention (in batches: bounded memory, short transactions). Other record
    types are only reported: they are pseudonymised through the person they belong to."""
    from people.services import pseudonymise_people

    today = today or timezone.localdate()
    done: dict[str, int] = {}
    for rule in current_retention_rules(today):
        if rule.action != RetentionRule.Action.PSEUDONYMISE or rule.record_type != "people.person":
            continue
        cutoff = rules.retention_cutoff(today, rule.years)
        total = 0
        while ids := list(_person_candidates(cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH]):
            total += pseudonymise_people(by=by, ids=ids, note=f"Hết thời hạn lưu ({rule.years} năm, {rule.source})")
        done[rule.record_type] = total
    return done


def retention_job() -> dict[str, int]:
    """The weekly scheduled run (dataprotection.apps)."""
    return apply_retention(by=None)


# ------------------------------------------------------------------------------------------ research export
RESEARCH_COLUMNS = ["ma_an_danh", "gioi_tinh", "nhom_tuoi", "ma_xa", "xa"]


def research_rows(*, by, qs, on: dt.date | None = None):
    """Pseudonymised rows for research: a stable keyed code instead of the identity, no name, ID or phone, age as
    a band, commune kept, and the number of each kind of linked record. Yields the header, then rows in chunks;
    the export (count of people) is audited first."""
    from django.db.models import Count, IntegerField, Subquery
    from django.db.models.functions import Coalesce

    on = on or timezone.localdate()
    key = rules.pseudonym_key()
    linked = [(m, link) for m, link in catalog.person_models()[1:] if m._meta.app_label in catalog.HEALTH_APPS]
    annotations = {}
    for model, link in linked:
        counts = model.objects.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
        annotations[f"n_{model._meta.model_name}"] = Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    qs = qs.annotate(**annotations).select_related("commune").order_by("pk")
    record(actor=by, action="export", target_label="people.person", note=f"Xuất dữ liệu ẩn danh cho nghiên cứu: "
           f"{qs.count()} người")
    yield RESEARCH_COLUMNS + list(annotations)
    for p in qs.only("pk", "sex", "birth_year", "commune__code", "commune__name").iterator(chunk_size=2000):
        yield [rules.pseudonym(p.pk, key), p.sex, rules.age_band(p.birth_year, on), p.commune.code, p.commune.name] + \
            [getattr(p, name) for name in annotations]


# ------------------------------------------------------------------------------------------ impact assessment
def dpia_workbook(*, by) -> bytes:
    """The impact-assessment facts (hồ sơ đánh giá tác động): categories, purposes, recipients, retention, security."""
    from django.conf import settings
    from openpyxl import Workbook

    from accounts.roles import Role

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Loại dữ liệu")
    xlsx_append(sheet, ["Bản ghi", "Mã bản ghi", "Trường dữ liệu", "Loại", "Định danh trực tiếp"])
    for row in catalog.categories():
        xlsx_append(sheet, [row["record"], row["record_type"], row["field"], str(row["category"]),
                      "Có" if row["identifying"] else ""])
    sheet = wb.create_sheet("Mục đích")
    xlsx_append(sheet, ["Mục đích xử lý", "Căn cứ"])
    for purpose, basis in catalog.PURPOSES:
        xlsx_append(sheet, [str(purpose), str(basis)])
    sheet = wb.create_sheet("Bên nhận")
    xlsx_append(sheet, ["Bên nhận / vai trò", "Phạm vi"])
    for who, what in catalog.RECIPIENTS:
        xlsx_append(sheet, [str(who), str(what)])
    xlsx_append(sheet, [])
    xlsx_append(sheet, ["Vai trò trong hệ thống"])
    for _value, label in Role.choices:
        xlsx_append(sheet, [str(label)])
    sheet = wb.create_sheet("Thời hạn lưu")
    xlsx_append(sheet, ["Loại bản ghi", "Tính từ", "Số năm", "Khi hết hạn", "Áp dụng từ", "Căn cứ"])
    for rule in RetentionRule.objects.order_by("record_type", "-effective_from"):
        xlsx_append(sheet, [rule.record_type, rule.date_field, rule.years, rule.get_action_display(),
                      rule.effective_from, rule.source])
    sheet = wb.create_sheet("Biện pháp bảo vệ")
    xlsx_append(sheet, ["Biện pháp"])
    for measure in catalog.SECURITY_MEASURES:
        xlsx_append(sheet, [str(measure)])
    xlsx_append(sheet, [f"Sao lưu mã hoá: {'bật' if (settings.BACKUP_ENCRYPTION_KEY or settings.BACKUP_ENCRYPTION_KEY_FILE) else 'chưa bật'}; "
                  f"bản sao ngoài máy: {'có' if settings.BACKUP_COPY_TO else 'chưa cấu hình'}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    record(actor=by, action="export", target_label="dataprotection.dpia", note="Hồ sơ đánh giá tác động / DPIA facts")
    return buffer.getvalue()
