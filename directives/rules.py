"""Pure evaluation: the agencies' scorecard and task lists over querysets the caller has already scoped."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Assignment, Occurrence

OPEN = [Assignment.Status.OPEN, Assignment.Status.IN_PROGRESS]


def due_soon(assignments, today: dt.date, days: int = 3):
    return assignments.filter(status__in=OPEN, task__deadline__gte=today, task__deadline__lte=today + dt.timedelta(days=days))


def overdue(assignments, today: dt.date):
    return assignments.filter(status__in=OPEN, task__deadline__lt=today)


def scorecard(assignments, occurrences, today: dt.date | None = None, now=None) -> list[dict]:
    """One row per agency: tasks assigned, done (on time / late), open, overdue; recurring reports on time, late,
    missing; and an on-time rate over everything that has fallen due."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    rows = {}
    agg = assignments.values("agency_id", "agency__name").annotate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Assignment.Status.DONE)),
        done_on_time=Count("id", filter=Q(status=Assignment.Status.DONE) & (Q(task__deadline__isnull=True) | Q(completed_on__lte=F("task__deadline")))),
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=Q(status__in=OPEN, task__deadline__lt=today)),
    )
    for r in agg:
        rows[r["agency_id"]] = {"agency_id": r["agency_id"], "agency": r["agency__name"], "total": r["total"], "done": r["done"],
                                "done_on_time": r["done_on_time"], "open": r["open"], "overdue": r["overdue"],
                                "reports_on_time": 0, "reports_late": 0, "reports_missing": 0}
    occ = occurrences.filter(due_at__lte=now) | occurrences.filter(reported_at__isnull=False)
    oagg = occ.values("assignment__agency_id", "assignment__agency__name").annotate(
        on_time=Count("id", filter=Q(reported_at__isnull=False, reported_at__lte=F("due_at"))),
        late=Count("id", filter=Q(reported_at__isnull=False, reported_at__gt=F("due_at"))),
        missing=Count("id", filter=Q(reported_at__isnull=True)),
    )
    for r in oagg:
        row = rows.setdefault(r["assignment__agency_id"], {
            "agency_id": r["assignment__agency_id"], "agency": r["assignment__agency__name"], "total": 0, "done": 0,
            "done_on_time": 0, "open": 0, "overdue": 0})
        row.update(reports_on_time=r["on_time"], reports_late=r["late"], reports_missing=r["missing"])
    for row in rows.values():
        fell_due = row["done"] + row["overdue"] + row["reports_on_time"] + row["reports_late"] + row["reports_missing"]
        good = row["done_on_time"] + row["reports_on_time"]
        row["on_time_rate"] = round(100 * good / fell_due) if fell_due else None
    return sorted(rows.values(), key=lambda r: (-(r["overdue"] + r["reports_missing"]), r["agency"]))


def occurrence_states(occurrences, now=None) -> dict:
    now = now or timezone.now()
    out = {"on_time": 0, "late": 0, "missing": 0, "pending": 0}
    for o in occurrences:
        out[o.state(now)] += 1
    return out


__all__ = ["due_soon", "overdue", "scorecard", "occurrence_states", "Occurrence"]
