"""Writes of the reports app: generate and archive the daily report, outside figures, feedback triage."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.services import record
from core.concurrency import update_versioned
from core.errors import Invalid

from . import builder, render
from .models import Feedback, OutsideFigures, ReportSetup, SituationReport


def _cut_at(day: dt.date, setup: ReportSetup) -> dt.datetime:
    cut = setup.cut_time if isinstance(setup.cut_time, dt.time) else dt.time.fromisoformat(str(setup.cut_time))
    return dt.datetime.combine(day, cut, tzinfo=ZoneInfo(settings.TIME_ZONE))


def generate_report(day: dt.date | None = None, *, by=None) -> SituationReport:
    """Build the day's report from the system's data, render DOCX, PDF and XLSX, and archive them."""
    start = time.perf_counter()
    day = day or timezone.localdate()
    setup = ReportSetup.current()
    cut_at = _cut_at(day, setup)
    # Figures for the day are those recorded up to the cut (new cases of the previous 24 hours are dated the day before).
    data = builder.build(day, cut_at)
    seq = SituationReport.objects.filter(day__year=day.year).values("day").distinct().count() + 1
    report = SituationReport(day=day, cut_at=cut_at, data=data, created_by=by, number=f"{seq}/{setup.symbol}")
    stem = f"bao-cao-{day:%Y%m%d}-{int(time.time())}"
    report.docx.save(f"{stem}.docx", ContentFile(render.to_docx(report, setup)), save=False)
    report.pdf.save(f"{stem}.pdf", ContentFile(render.to_pdf(report, setup)), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(render.to_xlsx(report, setup)), save=False)
    report.seconds = round(time.perf_counter() - start, 3)
    report.save()
    record(actor=by, action="create", obj=report, actor_label="" if by else "scheduler")
    return report


def daily_job() -> None:
    generate_report()


@transaction.atomic
def save_outside_figures(*, by, day: dt.date, values: dict) -> OutsideFigures:
    fields = {"national_cases", "national_deaths", "national_population", "world_rank", "world_rank_per_million",
              "countries", "province_population", "source"}
    clean = {k: v for k, v in values.items() if k in fields}
    if clean.get("national_deaths") and clean.get("national_cases") and clean["national_deaths"] > clean["national_cases"]:
        raise Invalid("Số ca tử vong lớn hơn số ca mắc.", "Deaths exceed cases.")
    obj = OutsideFigures.objects.filter(day=day).first()
    if obj is None:
        obj = OutsideFigures.objects.create(day=day, entered_by=by, **clean)
        record(actor=by, action="create", obj=obj)
    else:
        update_versioned(obj, expected_version=obj.version, changes={**clean, "entered_by": by})
        record(actor=by, action="update", obj=obj)
    return obj


# --- feedback ------------------------------------------------------------------------------------------------
@transaction.atomic
def submit_feedback(*, text: str, topic: str, sender_kind: str, unit=None, name: str = "", contact: str = "") -> Feedback:
    if not (text or "").strip():
        raise Invalid("Chưa nhập nội dung phản ánh.", "Please write your feedback.")
    if len(text) > 5000:
        raise Invalid("Nội dung quá dài (tối đa 5.000 ký tự).", "Text too long (5,000 characters at most).")
    fb = Feedback.objects.create(text=text.strip(), topic=topic, sender_kind=sender_kind, unit=unit, name=name.strip(), contact=contact.strip())
    record(actor=None, action="create", obj=fb, actor_label="public")
    return fb


@transaction.atomic
def triage_feedback(fb: Feedback, *, by, agency=None, answer: str | None = None, close: bool = False, expected_version: int) -> Feedback:
    changes = {}
    if agency is not None and agency.pk != fb.agency_id:
        changes.update(agency=agency, status=Feedback.Status.ASSIGNED)
    if answer is not None and answer.strip() and answer.strip() != fb.answer:
        changes.update(answer=answer.strip(), status=Feedback.Status.ANSWERED, answered_at=timezone.now(), answered_by=by)
    if close:
        changes["status"] = Feedback.Status.CLOSED
    if not changes:
        return fb
    old = {k: getattr(fb, k) for k in changes}
    update_versioned(fb, expected_version=expected_version, changes=changes)
    record(actor=by, action="update", obj=fb, changes={k: (old[k], v) for k, v in changes.items()})
    return fb
