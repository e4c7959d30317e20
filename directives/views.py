"""Pages: directive registry and search, paste/upload → review → confirm, tasks, progress, scorecard, reminders."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record
from core.concurrency import EditConflict
from core.errors import Invalid
from core.files import serve_file
from core.parsing import ParseError, parse_date
from core.scoping import scope
from core.text import fold
from core.views import role_required, scoped_object

from . import services
from .models import Assignment, Directive, Occurrence, ProgressReport, Reminder
from .roles import ALL_TASKS_READERS, DIRECTIVE_EDITORS, DIRECTIVE_READERS
from .rules import due_soon, overdue, scorecard


@role_required(DIRECTIVE_READERS)
def directive_list(request):
    qs = scope(Directive.objects.all(), request.user)
    q = request.GET.get("q", "").strip()
    if q:
        for word in fold(q).split():
            qs = qs.filter(search_folded__contains=word)
    page = Paginator(qs.order_by("-created_at"), 25).get_page(request.GET.get("page"))
    return render(request, "directives/list.html", {
        "page": page, "q": q, "can_edit": request.user.has_role(DIRECTIVE_EDITORS),
    })


@role_required(DIRECTIVE_EDITORS)
def directive_new(request):
    error = None
    text = request.POST.get("text", "")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                data = upload.read()
                text = services.read_upload(upload.name, data)
                upload.seek(0)
            directive = services.register_directive(by=request.user, text=text, source_file=upload)
            return redirect("directives:review", pk=directive.pk)
        except Invalid as exc:
            error = exc
    return render(request, "directives/new.html", {"text": text, "error": error})


def _task_rows(directive):
    rows = []
    for t in directive.parsed.get("tasks", []):
        rows.append({**t, "assignees_text": "\n".join(t["assignees"]),
                     "deadline_text": dt.date.fromisoformat(t["deadline"]).strftime("%d/%m/%Y") if t.get("deadline") else "",
                     "recurrence_text": (t.get("recurrence") or {}).get("before") or ("" if not t.get("recurrence") else "23:59")})
    # One empty row: a task the parser missed can be added by hand.
    rows.append({"ref": "", "text": "", "assignees": [], "assignees_text": "", "deadline_text": "", "recurrence_text": "",
                 "milestones": [], "blank": True})
    return rows


@role_required(DIRECTIVE_EDITORS)
def directive_review(request, pk):
    directive = scoped_object(request, Directive, pk=pk)
    if directive.status == Directive.Status.CONFIRMED:
        return redirect("directives:detail", pk=pk)
    rows = _task_rows(directive)
    errors = []
    if request.method == "POST":
        tasks = []
        n = int(request.POST.get("task_count", 0))
        for i in range(n):
            if not request.POST.get(f"t{i}-keep"):
                continue
            names = [x.strip() for x in request.POST.get(f"t{i}-assignees", "").replace(";", "\n").splitlines() if x.strip()]
            original = rows[i] if i < len(rows) else {}
            try:
                deadline = parse_date(request.POST.get(f"t{i}-deadline", "").strip())
            except ParseError as exc:
                errors.append(f"{request.POST.get(f't{i}-ref')}: {exc.vi}")
                deadline = None
            before = request.POST.get(f"t{i}-recurrence", "").strip()
            recurrence = None
            if before:
                recurrence = dict(original.get("recurrence") or {"every": "day"})
                recurrence["before"] = before
            lead = [x for x in original.get("lead", []) if x in names] or names
            tasks.append({"ref": request.POST.get(f"t{i}-ref", ""), "text": request.POST.get(f"t{i}-text", ""),
                          "assignees": names, "lead": lead, "deadline": deadline, "recurrence": recurrence,
                          "milestones": original.get("milestones", [])})
        if not errors:
            try:
                services.confirm_directive(directive, by=request.user, tasks=tasks,
                                           expected_version=int(request.POST.get("version", directive.version)))
                messages.success(request, _("Đã xác nhận văn bản và giao %(n)d nhiệm vụ.") % {"n": len(tasks)})
                return redirect("directives:detail", pk=pk)
            except Invalid as exc:
                errors.append(exc.vi)
            except EditConflict:
                errors.append(_("Văn bản đã được người khác xác nhận hoặc sửa trong lúc bạn rà soát."))
    return render(request, "directives/review.html", {
        "d": directive, "rows": rows, "errors": errors, "parsed": directive.parsed,
    })


@role_required(DIRECTIVE_READERS)
def directive_detail(request, pk):
    directive = scoped_object(request, Directive, pk=pk)
    visible = scope(Assignment.objects.filter(task__directive=directive), request.user).select_related("agency", "task")
    by_task = {}
    for a in visible:
        by_task.setdefault(a.task_id, []).append(a)
    tasks = [(t, by_task.get(t.pk, [])) for t in directive.tasks.all() if t.pk in by_task]
    return render(request, "directives/detail.html", {"d": directive, "tasks": tasks, "today": timezone.localdate()})


@role_required(DIRECTIVE_READERS)
def directive_file(request, pk):
    """The directive's original file, for those who may read the directive (no public /media/ link)."""
    directive = scoped_object(request, Directive, pk=pk)
    if not directive.source_file:
        raise Http404
    record(actor=request.user, action="export", obj=directive, records=[directive.pk], note="source file")
    return serve_file(directive.source_file)


@role_required(DIRECTIVE_READERS)
def progress_attachment(request, pk):
    """A progress report's attachment, for those who may see that report (its assignment's scope)."""
    report = scoped_object(request, ProgressReport.objects.select_related("assignment"), pk=pk)
    if not report.attachment:
        raise Http404
    record(actor=request.user, action="export", obj=report, records=[report.pk], note="attachment")
    return serve_file(report.attachment)


@role_required(DIRECTIVE_READERS)
def task_list(request):
    today = timezone.localdate()
    qs = scope(Assignment.objects.all(), request.user).select_related("agency", "task", "task__directive")
    qs = qs.filter(task__directive__status=Directive.Status.CONFIRMED)
    which = request.GET.get("loc", "")
    if which == "quahan":
        qs = overdue(qs, today)
    elif which == "saphan":
        qs = due_soon(qs, today)
    elif which == "xong":
        qs = qs.filter(status=Assignment.Status.DONE)
    elif which == "dinhky":
        qs = qs.exclude(task__recurrence=None)
    agency = request.GET.get("co_quan")
    if agency:
        qs = qs.filter(agency_id=agency)
    # Dated tasks first (soonest first), then those without a deadline.
    qs = qs.order_by(F("task__deadline").asc(nulls_last=True), "-task__directive_id", "task__position", "agency__name")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "directives/tasks.html", {"page": page, "which": which, "today": today})


@role_required(DIRECTIVE_READERS)
def assignment_detail(request, pk):
    assignment = scoped_object(request, Assignment.objects.select_related("task", "task__directive", "agency"), pk=pk)
    can_report = services.can_report(request.user, assignment)
    error = None
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        figures = {}
        for line in request.POST.get("figures", "").splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                figures[k.strip()] = v.strip()
        try:
            services.record_progress(
                assignment, by=request.user, text=request.POST.get("text", ""),
                progress=int(request.POST.get("progress") or 0), figures=figures,
                attachment=request.FILES.get("attachment"), done=bool(request.POST.get("done")),
                expected_version=int(request.POST.get("version", assignment.version)),
            )
            messages.success(request, _("Đã ghi nhận báo cáo tiến độ."))
            return redirect("directives:assignment", pk=pk)
        except Invalid as exc:
            error = exc.vi
        except EditConflict:
            error = _("Nhiệm vụ vừa được cập nhật bởi người khác; hãy xem lại trước khi gửi.")
            assignment.refresh_from_db()
        except ValueError:
            error = _("Tiến độ phải là số từ 0 đến 100.")
    reports = scope(ProgressReport.objects.filter(assignment=assignment), request.user).select_related("author")
    occurrences = scope(Occurrence.objects.filter(assignment=assignment), request.user)[:30]
    now = timezone.now()
    return render(request, "directives/assignment.html", {
        "a": assignment, "reports": reports, "can_report": can_report, "error": error,
        "occurrences": [(o, o.state(now)) for o in occurrences], "today": timezone.localdate(),
    })


@role_required(ALL_TASKS_READERS)
def scorecard_view(request):
    assignments = scope(Assignment.objects.filter(task__directive__status=Directive.Status.CONFIRMED), request.user)
    occurrences = scope(Occurrence.objects.all(), request.user)
    return render(request, "directives/scorecard.html", {"rows": scorecard(assignments, occurrences), "today": timezone.localdate()})


@role_required(DIRECTIVE_READERS)
def occurrence_grid(request):
    """Recurring reports of the last 14 days: one row per agency and task, one cell per day (on time/late/missing)."""
    today = timezone.localdate()
    days = [today - dt.timedelta(days=i) for i in range(13, -1, -1)]
    occs = scope(Occurrence.objects.filter(day__gte=days[0], day__lte=today), request.user).select_related(
        "assignment__agency", "assignment__task")
    now = timezone.now()
    rows: dict = {}
    for o in occs:
        key = o.assignment_id
        row = rows.setdefault(key, {"assignment": o.assignment, "cells": {}})
        row["cells"][o.day] = o.state(now)
    table = [{"assignment": r["assignment"], "cells": [r["cells"].get(d, "") for d in days]}
             for r in sorted(rows.values(), key=lambda r: (r["assignment"].agency.name, r["assignment"].task.ref))]
    return render(request, "directives/occurrences.html", {"days": days, "rows": table})


@role_required(DIRECTIVE_READERS)
def reminder_list(request):
    qs = scope(Reminder.objects.all(), request.user).select_related("assignment__task", "assignment__agency")[:200]
    return render(request, "directives/reminders.html", {"reminders": qs})


@login_required
@require_POST
def reminder_read(request, pk):
    reminder = scoped_object(request, Reminder, pk=pk)
    services.mark_reminder_read(reminder, by=request.user)
    return redirect("directives:reminders")
