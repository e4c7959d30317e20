"""Living era of the demo (see core.demo): today's province assessed on its 2025 communes for the last two completed
weeks, the older one published, the last completed week proposed for the demo user to decide."""
import datetime as dt

from . import services
from .demo import assess_weeks


def build(ctx) -> None:
    last = services.week_start_of(ctx.today) - dt.timedelta(days=7)
    from .models import Assessment

    if Assessment.objects.filter(unit=ctx.province, week_start=last).exists():
        ctx.say("levels (90 ngày): đã có dữ liệu / already present")
        return
    assess_weeks(ctx, ctx.province, [last - dt.timedelta(days=7), last])
    ctx.say(f"levels (90 ngày): {ctx.province.name}, tuần {last:%d/%m/%Y} và tuần trước / last completed week and the one before")
