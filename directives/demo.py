"""Demo data of the directives app, called by `phongdich demo` (see core.demo).

Registers the five seed directives (directives/demo_data/, public administrative documents): 001, 004 and 002
are confirmed as proposed; 000 and 003 stay drafts for the demo user to review. Then deterministic follow-up:
progress reports (some done on time, some late, some overdue and silent) and two weeks of the 14:00 daily
report of seed 001, with late and missing days.
"""
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from . import services
from .models import Assignment, Occurrence, ProgressReport

DATA = Path(__file__).parent / "demo_data"


def _tasks(directive):
    return [{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in directive.parsed["tasks"]]


def build(ctx) -> None:
    from accounts.models import Agency

    by = ctx.users.get("health_dept") or ctx.users.get("sysadmin")
    rng = ctx.rng
    tz = ZoneInfo(settings.TIME_ZONE)
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(DATA.glob("0*.txt"))}
    confirmed = []
    for key in ("001", "004", "002", "000", "003"):
        d = services.register_directive(by=by, text=texts[key])
        if key in ("001", "004", "002"):
            services.confirm_directive(d, by=by, tasks=_tasks(d))
            confirmed.append(d)
    today = ctx.today
    # Follow-up: earlier directives mostly done, the latest in progress.
    reports, updates = [], []
    for a in Assignment.objects.filter(task__directive__in=confirmed).select_related("task", "task__directive").order_by("pk"):
        if a.task.recurrence:
            continue
        deadline = a.task.deadline
        roll = rng.random()
        is_latest = a.task.directive_id == confirmed[-1].pk
        if (not is_latest and roll < 0.75) or (is_latest and roll < 0.2):
            if deadline:
                late = roll < 0.15
                done_on = deadline + dt.timedelta(days=rng.randint(1, 5)) if late else deadline - dt.timedelta(days=rng.randint(0, 3))
            else:
                done_on = today - dt.timedelta(days=rng.randint(1, 20))
            done_on = min(done_on, today)
            a.status, a.progress, a.completed_on = Assignment.Status.DONE, 100, done_on
            text = "Đã triển khai thực hiện, báo cáo kết quả."
            done = True
        elif roll < 0.9:
            a.status, a.progress = Assignment.Status.IN_PROGRESS, rng.choice([20, 40, 60, 80])
            done_on, text, done = today - dt.timedelta(days=rng.randint(0, 6)), "Đang triển khai.", False
        else:
            continue  # silent: no report at all
        updates.append(a)
        reports.append(ProgressReport(assignment=a, author=by, text=text, progress=a.progress, marks_done=done,
                                      figures={"Số lượt kiểm tra": str(rng.randint(3, 60))} if rng.random() < 0.5 else {}))
        reports[-1].created_at = dt.datetime.combine(done_on, dt.time(9, 0), tzinfo=tz)
    Assignment.objects.bulk_update(updates, ["status", "progress", "completed_on"])
    ProgressReport.objects.bulk_create(reports)
    # Two weeks of the 14:00 daily report (seed 001): mostly on time, some late, some missing.
    for i in range(14, -1, -1):
        services.create_occurrences(today - dt.timedelta(days=i))
    occs = list(Occurrence.objects.filter(day__lt=today).order_by("day", "pk"))
    for i, o in enumerate(occs):
        if i % 7 == 6:
            continue  # missing
        late = i % 5 == 3
        o.reported_at = o.due_at + dt.timedelta(minutes=rng.randint(10, 300) * (1 if late else -1))
    Occurrence.objects.bulk_update(occs, ["reported_at"])
    services.send_reminders(today)
    ctx.say(f"  directives: {len(confirmed)} confirmed + 2 drafts, {Assignment.objects.count()} assignments, "
            f"{Agency.objects.count()} agencies")
