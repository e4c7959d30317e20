"""Living era of the demo (see core.demo): yesterday's daily situation report of today's province."""
import datetime as dt

from . import services


def build(ctx) -> None:
    by = ctx.users.get("health_dept") or ctx.users.get("sysadmin")
    yesterday = ctx.today - dt.timedelta(days=1)
    services.generate_report(yesterday, by=by)
    ctx.say(f"reports (90 ngày): báo cáo ngày / daily report of {yesterday:%d/%m/%Y}")
