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


def generate_report(day: dt.date | None = None, *, by=None, structure: str | None = None) -> SituationReport:
    """Build the day's report from the system's data, render DOCX, PDF and XLSX, and archive them; per-commune
    tables on `structure` (default: the installation's, today's map)."""
    start = time.perf_counter()
    day = day or timezone.localdate()
    setup = ReportSetup.current()
    cut_at = _cut_at(day, setup)
    # Figures for the day are those recorded up to the cut (new cases of the previous 24 hours are dated the day before).
    data = builder.build(day, cut_at, structure)
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


# --- Circular 54 -------------------------------------------------------------------------------------------------
def generate_circular54(*, kind: str, unit, anchor: dt.date, by=None, submit: bool = False, structure: str | None = None):
    """Build the weekly/monthly summary report of `unit` for the period containing `anchor`, render PDF and XLSX
    and archive them. `submit`: the commune sends its report (counts for timeliness; only a commune's own report).
    `structure`: the communes its table is broken into ("Theo địa giới", default: the unit's own structure)."""
    from . import circular54
    from .models import Circular54Report

    if kind not in Circular54Report.Kind.values:
        raise Invalid("Loại báo cáo không hợp lệ.", "Unknown report kind.", field="kind")
    start_t = time.perf_counter()
    start, end = circular54.period_bounds(kind, anchor)
    today = timezone.localdate()
    if start > today:
        raise Invalid("Kỳ báo cáo chưa bắt đầu.", "The reporting period has not started yet.", field="anchor")
    if submit and unit.level != "commune":
        raise Invalid("Chỉ xã, phường gửi báo cáo; báo cáo tỉnh được tổng hợp.", "Only a commune sends its report; the province's is compiled.")
    if submit and end >= today:
        raise Invalid(f"Kỳ báo cáo kết thúc ngày {end:%d/%m/%Y}; gửi sau ngày đó.",
                      f"The period ends on {end:%d/%m/%Y}; send the report after that day.")
    data = circular54.build(kind, unit, start, end, structure)
    report = Circular54Report(kind=kind, unit=unit, period_start=start, period_end=end, data=data, created_by=by,
                              submitted=submit)
    report.created_at = timezone.now()
    setup = ReportSetup.current()
    content, header = circular54.blocks(data), circular54.header_fields(report, setup)
    stem = f"tt54-{kind}-{unit.code}-{start:%Y%m%d}-{int(time.time())}"
    report.pdf.save(f"{stem}.pdf", ContentFile(render.to_pdf(report, setup, content=content, header=header)), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(render.to_xlsx(report, setup, content=content, header=header)), save=False)
    report.seconds = round(time.perf_counter() - start_t, 3)
    report.save()
    record(actor=by, action="create", obj=report, actor_label="" if by else "scheduler", note=f"{kind} {start:%d/%m/%Y}")
    return report


def circular54_weekly_job() -> None:
    """Monday: the province's report of the week just ended."""
    from . import circular54

    prov = circular54.province()
    if prov is not None:
        start, _end = circular54.previous_period("weekly", timezone.localdate())
        generate_circular54(kind="weekly", unit=prov, anchor=start)


def circular54_monthly_job() -> None:
    """First of the month: the province's report of the month just ended."""
    from . import circular54

    prov = circular54.province()
    if prov is not None:
        start, _end = circular54.previous_period("monthly", timezone.localdate())
        generate_circular54(kind="monthly", unit=prov, anchor=start)
