"""Living era of the demo (see core.demo): today's province assessed on its 2025 communes for the last two completed
weeks, the older one published, the last completed week proposed for the demo user to decide."""
import datetime as dt

from . import services
from .demo import assess_weeks


def close_history(ctx) -> None:
    """Before the re-homing (the demo command): the history's last proposals were decided as proposed and published
    the day they were made, so none waits for a decision today."""
    from django.utils import timezone

    from core.demo import LIVING_DAYS

    from .models import LevelDecision

    start = ctx.today - dt.timedelta(days=LIVING_DAYS - 1)
    leader = ctx.users.get("leadership")
    rows = list(LevelDecision.objects.filter(status=LevelDecision.Status.PROPOSED, week_start__lt=start).order_by("pk"))
    for d in rows:
        at = d.proposed_at or timezone.make_aware(dt.datetime.combine(d.week_start + dt.timedelta(days=7), dt.time(9)))
        d.status, d.decided_level, d.decision_date = LevelDecision.Status.PUBLISHED, d.proposed_level, timezone.localdate(at)
        d.decision_number = f"{110 + d.week_start.isocalendar().week}/QĐ-UBND"
        d.effective_from = at + services.RAISE_NOTICE
        d.decided_by = d.published_by = leader
        d.decided_at = d.published_at = at
    LevelDecision.objects.bulk_update(rows, ["status", "decided_level", "decision_date", "decision_number", "effective_from",
                                             "decided_by", "decided_at", "published_by", "published_at"])
    ctx.say(f"levels: {len(rows)} đề xuất cấp độ của giai đoạn 2021–2022 đã công bố / history proposals published")


def build(ctx) -> None:
    last = services.week_start_of(ctx.today) - dt.timedelta(days=7)
    from .models import Assessment

    if Assessment.objects.filter(unit=ctx.province, week_start=last).exists():
        ctx.say("levels (90 ngày): đã có dữ liệu / already present")
        return
    assess_weeks(ctx, ctx.province, [last - dt.timedelta(days=7), last])
    ctx.say(f"levels (90 ngày): {ctx.province.name}, tuần {last:%d/%m/%Y} và tuần trước / last completed week and the one before")
