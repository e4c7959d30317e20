"""Reads of directives and tasks for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

from django.db.models import QuerySet

from .models import Assignment, Directive


def overdue_assignments(day: dt.date) -> QuerySet:
    """Assignments of confirmed directives still open or in progress whose task's deadline is before `day`, with
    agency, task and directive loaded, most overdue first (the daily report's overdue tasks)."""
    return (Assignment.objects.filter(status__in=[Assignment.Status.OPEN, Assignment.Status.IN_PROGRESS],
                                      task__deadline__lt=day, task__directive__status=Directive.Status.CONFIRMED)
            .select_related("agency", "task", "task__directive").order_by("task__deadline", "agency__name"))
