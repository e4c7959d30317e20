"""Writes of the directives app: register a directive, confirm its tasks, record progress, daily occurrences, reminders."""
from __future__ import annotations

import datetime as dt
import io
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.services import record
from core.concurrency import update_versioned
from core.errors import Invalid
from geo.eras import check_unit_on, wrong_era

from .catalog import STANDARD_AGENCIES, catalog_from_db, province_districts
from .models import Assignment, Directive, Occurrence, ProgressReport, Reminder, Task
from .parser import parse

log = logging.getLogger(__name__)
DUE_SOON_DAYS = 3


# --- reading files -----------------------------------------------------------------------------------------
def read_upload(name: str, data: bytes) -> str:
    """The text of an uploaded directive (.docx, .pdf or .txt); Invalid with a clear message when unreadable."""
    lower = (name or "").lower()
    try:
        if lower.endswith(".docx"):
            import docx

            document = docx.Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:  # headers (issuer | motto) are often laid out in tables
                for row in table.rows:
                    parts.extend(cell.text for cell in row.cells)
            text = "\n".join(parts)
        elif lower.endswith(".pdf"):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise Invalid("Tệp PDF được đặt mật khẩu, không mở được.", "The PDF is password-protected and cannot be opened.")
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        elif lower.endswith((".txt", ".text")):
            text = data.decode("utf-8-sig")
        else:
            raise Invalid("Chỉ nhận tệp DOCX, PDF hoặc TXT.", "Only DOCX, PDF or TXT files are accepted.")
    except Invalid:
        raise
    except UnicodeDecodeError:
        raise Invalid("Tệp văn bản không phải mã UTF-8, không đọc được.", "The text file is not UTF-8 and cannot be read.")
    except Exception as exc:  # python-docx / pypdf raise many kinds of errors on damaged files
        log.info("unreadable upload %s: %s", name, exc)
        raise Invalid(
            f"Không mở được tệp {name}: tệp bị hỏng hoặc không đúng định dạng.",
            f"Cannot open {name}: the file is damaged or not in the stated format.",
        )
    if not text.strip():
        raise Invalid(
            f"Tệp {name} không có chữ đọc được (có thể là bản quét ảnh).",
            f"{name} has no readable text (it may be a scanned image).",
        )
    return text


def parse_text(text: str) -> dict:
    return parse(text, catalog_from_db())


def _date_or_none(value):
    return dt.date.fromisoformat(value) if value else None


# --- registering and confirming ----------------------------------------------------------------------------
@transaction.atomic
def register_directive(*, by, text: str, source_file=None) -> Directive:
    """Keep the original text and the proposed structure; nothing is assigned until the user confirms."""
    if not text or not text.strip():
        raise Invalid("Chưa có nội dung văn bản.", "The directive has no text.")
    parsed = parse_text(text)
    directive = Directive(
        kind=parsed["kind"] or "", number=parsed["number"] or "", issued_on=_date_or_none(parsed["date"]),
        issuer=parsed["issuer"] or "", signer=parsed["signer"] or "", signer_capacity=parsed.get("signer_capacity") or "",
        subject=parsed["subject"] or "", addressees=parsed["addressees"], references=parsed["references"],
        distribution=parsed.get("distribution", []), text=text, parsed=parsed, created_by=by,
    )
    if source_file is not None:
        directive.source_file = source_file
    directive.save()
    record(actor=by, action="create", obj=directive)
    return directive


def _kind_for_new(name: str) -> str:
    low = name.lower()
    if low.startswith(("ủy ban nhân dân", "ubnd")):
        return "peoples_committee"
    if low.startswith(("đoàn", "hội", "liên đoàn", "ủy ban mặt trận")):
        return "mass_organisation"
    if low.startswith(("tiểu ban", "ban chỉ đạo")):
        return "steering_committee"
    if low.startswith(("báo", "đài")):
        return "media"
    return "department"


def ensure_agencies(names: list[str], *, by=None, on: dt.date | None = None) -> dict:
    """Agency rows for the given names, creating those confirmed as new (People's Committees get their unit: a
    district's, or the commune's of the structure in force on `on`, the directive's date — geo.eras)."""
    from accounts.models import Agency

    from .catalog import commune_committees_on, district_committee_name

    existing = {a.name: a for a in Agency.objects.filter(name__in=names)}
    districts = {district_committee_name(d.name): d for d in province_districts()}
    if any(n.startswith("Ủy ban nhân dân") and n not in existing and n not in districts for n in names):
        districts.update(commune_committees_on(on))
    standard = {n: (s, k, aliases) for n, s, k, aliases in STANDARD_AGENCIES}
    for name in names:
        if name in existing:
            continue
        if name in districts:
            agency = Agency.objects.create(name=name, kind="peoples_committee", unit=districts[name])
        elif name in standard:
            s, k, aliases = standard[name]
            agency = Agency.objects.create(name=name, short_name=s, kind=k, aliases=aliases)
        else:
            agency = Agency.objects.create(name=name[:200], kind=_kind_for_new(name))
        record(actor=by, action="create", obj=agency, note="Thêm cơ quan nhận nhiệm vụ")
        existing[name] = agency
    return existing


@transaction.atomic
def confirm_directive(directive: Directive, *, by, tasks: list[dict], fields: dict | None = None, expected_version=None) -> Directive:
    """Create the reviewed tasks. Each task: {"ref", "text", "assignees": [names], "lead": [names] (optional),
    "deadline": date|None, "recurrence": dict|None, "milestones": [...]}. Unknown names become new agencies."""
    if directive.status == Directive.Status.CONFIRMED:
        raise Invalid("Văn bản này đã được xác nhận.", "This directive has already been confirmed.")
    kept = [t for t in tasks if (t.get("text") or "").strip()]
    if not kept:
        raise Invalid("Chưa có nhiệm vụ nào để giao.", "There are no tasks to assign.")
    for t in kept:
        if not t.get("assignees"):
            raise Invalid(f"Nhiệm vụ {t.get('ref')}: chưa chọn cơ quan thực hiện.", f"Task {t.get('ref')}: no agency chosen.")
    changes = dict(fields or {})
    # A task goes to the bodies of the directive's date (geo.eras): no district committee after 01/07/2025, no
    # 2025 commune committee before it. The date of issue decides; without one (a conclusion notice often has no
    # "Số … ngày" line), the earliest task deadline; without either the era is unknown and nothing is refused.
    issued = (changes.get("issued_on") or directive.issued_on
              or min((t["deadline"] for t in kept if isinstance(t.get("deadline"), dt.date)), default=None))
    agencies = ensure_agencies(sorted({n for t in kept for n in t["assignees"]}), by=by, on=issued)
    committees = None
    for t in kept:
        for name in dict.fromkeys(t["assignees"]):
            unit = agencies[name].unit
            if unit is not None and unit.level == "commune" and issued is not None and wrong_era(unit.structure, issued):
                # One committee row per name: a commune that kept its name on 01/07/2025 is the same body on both
                # maps, so its namesake commune of the directive's date stands for it.
                from .catalog import commune_committees_on

                committees = commune_committees_on(issued) if committees is None else committees
                unit = committees.get(name, unit)
            check_unit_on(unit, issued, field="assignees", what_vi=f"Nhiệm vụ {t.get('ref') or ''} giao cho {name}",
                          what_en=f"Task {t.get('ref') or ''} for {name}")
    changes.update(status=Directive.Status.CONFIRMED, confirmed_by=by, confirmed_at=timezone.now())
    update_versioned(directive, expected_version=directive.version if expected_version is None else expected_version, changes=changes)
    directive.save(update_fields=["search_folded"])
    for pos, t in enumerate(kept):
        task = Task.objects.create(
            directive=directive, ref=t.get("ref") or str(pos + 1), position=pos, text=t["text"].strip(),
            deadline=t.get("deadline"), recurrence=t.get("recurrence") or None, milestones=t.get("milestones") or [],
        )
        lead = set(t.get("lead") or t["assignees"])
        Assignment.objects.bulk_create([
            Assignment(task=task, agency=agencies[name],
                       role=Assignment.Role.LEAD if name in lead else Assignment.Role.COORDINATING)
            for name in dict.fromkeys(t["assignees"])
        ])
    record(actor=by, action="update", obj=directive, note=f"confirmed with {len(kept)} tasks",
           changes={"status": (Directive.Status.DRAFT, Directive.Status.CONFIRMED)})
    today = timezone.localdate()
    create_occurrences(today)
    return directive


# --- progress ----------------------------------------------------------------------------------------------
def can_report(user, assignment: Assignment) -> bool:
    if user.sees_everything:
        return True
    if getattr(user, "agency_id", None) and user.agency_id == assignment.agency_id:
        return True
    agency_unit = assignment.agency.unit
    if agency_unit is None or user.role not in ("district_health", "regional_health"):
        return False
    from core.scoping import visible_units

    # District (or health region) staff report for the People's Committees of their area.
    return visible_units(user).filter(pk=agency_unit.pk).exists()


@transaction.atomic
def record_progress(assignment: Assignment, *, by, text: str, progress: int | None = None, figures: dict | None = None,
                    attachment=None, done: bool = False, expected_version: int | None = None, now=None) -> ProgressReport:
    if not can_report(by, assignment):
        raise Invalid("Chỉ cơ quan được giao mới báo cáo được nhiệm vụ này.", "Only the assigned agency can report on this task.")
    if not (text or "").strip():
        raise Invalid("Chưa nhập kết quả thực hiện.", "Please describe what was done.")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    progress = 100 if done else max(0, min(100, int(progress if progress is not None else assignment.progress)))
    occurrence = None
    if assignment.task.recurrence:
        occurrence = _occurrence_for(assignment, today)
        if occurrence and occurrence.reported_at is None:
            occurrence.reported_at = now
            occurrence.save(update_fields=["reported_at", "updated_at"])
    report = ProgressReport.objects.create(
        assignment=assignment, occurrence=occurrence, author=by, text=text.strip(), figures=figures or {},
        progress=progress, marks_done=done, **({"attachment": attachment} if attachment else {}),
    )
    changes = {"progress": progress}
    if done and not assignment.task.recurrence:
        changes.update(status=Assignment.Status.DONE, completed_on=today)
    elif assignment.status == Assignment.Status.OPEN:
        changes["status"] = Assignment.Status.IN_PROGRESS
    old = {k: getattr(assignment, k) for k in changes}
    update_versioned(assignment, expected_version=assignment.version if expected_version is None else expected_version, changes=changes)
    record(actor=by, action="update", obj=assignment, changes={k: (old[k], v) for k, v in changes.items() if old[k] != v},
           note="Báo cáo tiến độ")
    return report


# --- recurring occurrences and reminders (scheduled) -------------------------------------------------------
def _due_at(day: dt.date, recurrence: dict) -> dt.datetime:
    before = recurrence.get("before") or "23:59"
    h, m = (int(x) for x in before.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=ZoneInfo(settings.TIME_ZONE))


_WEEKDAY = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


def _due_on(day: dt.date, recurrence: dict) -> bool:
    if recurrence.get("every") == "week":
        return day.weekday() == _WEEKDAY.get(recurrence.get("day"), 4)
    if recurrence.get("every") == "month":
        # "trước ngày 31 hằng tháng" falls on the month's last day in a shorter month.
        import calendar

        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(int(recurrence.get("day") or last), last)
    return recurrence.get("every") == "day"


def _occurrence_for(assignment: Assignment, day: dt.date) -> Occurrence | None:
    rec = assignment.task.recurrence or {}
    if not _due_on(day, rec):
        return None
    occ, _ = Occurrence.objects.get_or_create(assignment=assignment, day=day, defaults={"due_at": _due_at(day, rec)})
    return occ


def create_occurrences(day: dt.date | None = None) -> int:
    """Create the day's occurrence of every open recurring assignment (scheduled every morning)."""
    day = day or timezone.localdate()
    rows = []
    qs = Assignment.objects.filter(task__recurrence__isnull=False, task__directive__status=Directive.Status.CONFIRMED,
                                   status__in=[Assignment.Status.OPEN, Assignment.Status.IN_PROGRESS]).select_related("task")
    existing = set(Occurrence.objects.filter(day=day).values_list("assignment_id", flat=True))
    for a in qs:
        rec = a.task.recurrence or {}
        if not rec or a.pk in existing or not _due_on(day, rec):
            continue
        if a.task.deadline and day > a.task.deadline:
            continue
        rows.append(Occurrence(assignment=a, day=day, due_at=_due_at(day, rec)))
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def send_reminders(today: dt.date | None = None) -> int:
    """In-app reminders for tasks due soon, overdue, and today's missing recurring reports; e-mail when the
    agency's officers have an address (and e-mail is configured)."""
    from accounts.models import User

    today = today or timezone.localdate()
    now = timezone.now()
    made: list[Reminder] = []
    open_ = Assignment.objects.filter(status__in=[Assignment.Status.OPEN, Assignment.Status.IN_PROGRESS],
                                      task__directive__status=Directive.Status.CONFIRMED).select_related("task", "agency")
    for a in open_.filter(task__deadline__isnull=False, task__deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS)):
        if a.task.deadline < today:
            made.append(Reminder(assignment=a, kind=Reminder.Kind.OVERDUE, day=today,
                                 message=f"Quá hạn từ {a.task.deadline:%d/%m/%Y}: nhiệm vụ {a.task.ref} — {a.task.text[:150]}"))
        else:
            made.append(Reminder(assignment=a, kind=Reminder.Kind.DUE_SOON, day=today,
                                 message=f"Hạn {a.task.deadline:%d/%m/%Y}: nhiệm vụ {a.task.ref} — {a.task.text[:150]}"))
    for occ in Occurrence.objects.filter(day=today, reported_at__isnull=True, due_at__gt=now).select_related("assignment__task"):
        made.append(Reminder(assignment=occ.assignment, kind=Reminder.Kind.OCCURRENCE, day=today,
                             message=f"Báo cáo trước {timezone.localtime(occ.due_at):%H:%M} hôm nay: nhiệm vụ {occ.assignment.task.ref}"))
    Reminder.objects.bulk_create(made, ignore_conflicts=True)
    _email(today, User)
    return len(made)


def _email(today, User) -> None:
    # "When configured": the default console/dummy backends mean no mail server has been set up.
    if settings.EMAIL_BACKEND.rsplit(".", 2)[-2] in ("console", "dummy") or not getattr(settings, "EMAIL_HOST", None):
        return
    pending = Reminder.objects.filter(day=today, emailed=False).select_related("assignment")
    by_agency: dict[int, list[Reminder]] = {}
    for r in pending:
        by_agency.setdefault(r.assignment.agency_id, []).append(r)
    for agency_id, reminders in by_agency.items():
        emails = list(User.objects.filter(agency_id=agency_id, is_active=True).exclude(email="").values_list("email", flat=True))
        if not emails:
            continue
        body = "\n".join(f"- {r.message}" for r in reminders)
        try:
            send_mail("[phongdich] Nhắc việc / Task reminders", body, settings.DEFAULT_FROM_EMAIL, emails)
        except Exception:  # a mail server outage must not stop the in-app reminders
            log.exception("reminder e-mail failed")
            continue
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(emailed=True)


def daily_job() -> None:
    """Scheduled every morning: today's occurrences, then reminders."""
    create_occurrences()
    send_reminders()


@transaction.atomic
def mark_reminder_read(reminder: Reminder, *, by) -> None:
    Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
