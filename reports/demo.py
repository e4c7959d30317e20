"""Demo data of the reports app, called by `phongdich demo` (see core.demo).

Outside figures as in the opening of seed 000 (Ministry of Health figures), a few pieces of feedback from
citizens and businesses in different states, and the day's situation report.
"""
from . import services
from .models import Feedback

FEEDBACK = [
    ("business", "business", "Đề nghị hướng dẫn cụ thể việc xét nghiệm cho công nhân khi có ca F0 trong nhà máy."),
    ("citizen", "measures", "Chợ đêm ở phường đông người, nhiều người không đeo khẩu trang."),
    ("citizen", "vaccination", "Người cao tuổi nằm liệt giường cần được tiêm tại nhà."),
    ("citizen", "care", "F0 cách ly tại nhà chưa được cấp thuốc sau 2 ngày."),
    ("business", "business", "Đề nghị cho phép nhà hàng phục vụ tại chỗ đến 22 giờ."),
    ("citizen", "support", "Gia đình có F0 là lao động tự do, đề nghị hỗ trợ."),
]


def build(ctx) -> None:
    from accounts.models import Agency

    by = ctx.users.get("health_dept") or ctx.users.get("sysadmin")
    services.save_outside_figures(by=by, day=ctx.today, values={
        "national_cases": 11_000_000, "national_deaths": 43_000, "national_population": 98_510_000, "world_rank": 13,
        "world_rank_per_million": 121, "countries": 230, "province_population": 580_000,
        "source": "Bộ Y tế (suckhoedoisong.vn)"})
    agencies = {a.name: a for a in Agency.objects.filter(name__in=["Sở Y tế", "Sở Công Thương", "Sở Lao động - Thương binh và Xã hội"])}
    route = {"business": "Sở Công Thương", "care": "Sở Y tế", "vaccination": "Sở Y tế", "support": "Sở Lao động - Thương binh và Xã hội"}
    for i, (sender, topic, text) in enumerate(FEEDBACK):
        district = ctx.districts[ctx.rng.randrange(len(ctx.districts))] if ctx.districts else None
        fb = services.submit_feedback(text=text, topic=topic, sender_kind=sender, unit=district)
        agency = agencies.get(route.get(topic, ""))
        if agency and i % 3 != 0:
            services.triage_feedback(fb, by=by, agency=agency, expected_version=fb.version)
            if i % 2 == 0:
                services.triage_feedback(fb, by=by, answer="Đã tiếp nhận, chỉ đạo đơn vị liên quan xử lý.", expected_version=fb.version)
    services.generate_report(ctx.today, by=by)
    _circular54(ctx, by)
    ctx.say(f"  reports: {Feedback.objects.count()} feedback, daily report of {ctx.today:%d/%m/%Y}")


def _circular54(ctx, by) -> None:
    """The reporting rules (Circular 54), last week's province report, and some communes' sendings (on time, late)."""
    import datetime as dt

    from . import circular54
    from .seed_rules import install

    install()
    prov = circular54.province()
    if prov is None:
        return
    start, end = circular54.previous_period("weekly", ctx.today)
    services.generate_circular54(kind="weekly", unit=prov, anchor=start, by=by)
    sent = 0
    for i, commune in enumerate(ctx.communes[:12]):
        if i % 4 == 3:
            continue  # some communes have not sent theirs
        report = services.generate_circular54(kind="weekly", unit=commune, anchor=start, by=by, submit=True)
        late = i % 4 == 2
        report.created_at = dt.datetime.combine(end + dt.timedelta(days=4 if late else 1), dt.time(9), tzinfo=dt.UTC)
        report.save(update_fields=["created_at"])
        sent += 1
    ctx.say(f"  reports: Circular 54 weekly report {start:%d/%m/%Y}, {sent} communes sent theirs")
