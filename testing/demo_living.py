"""Living era of the demo (see core.demo): tests of the last 90 days on today's residents, RT-PCR results still awaited
for samples of today and yesterday. The history era is closed first, before the re-homing (`close_history`: its
pending results reported)."""
import datetime as dt

from django.db.models import F, Max, Min

from core.dataversion import bump
from core.demo import LIVING_DAYS


def close_history(ctx) -> None:
    """Before the re-homing (the demo command): the history's samples still awaiting a result are reported, the
    members of its positive pools had their single sample taken (negative), its variant alerts were read."""
    from .models import LineageAlert, PoolMember, Test

    start = ctx.today - dt.timedelta(days=LIVING_DAYS - 1)
    closed = Test.objects.filter(taken_on__lt=start, result="pending").update(result="negative", reported_on=F("taken_on"))
    PoolMember.objects.filter(pool__taken_on__lt=start, follow_up=PoolMember.FollowUp.AWAITING).update(
        follow_up=PoolMember.FollowUp.NEGATIVE)
    reader = ctx.users.get("health_dept")
    if reader is not None:
        LineageAlert.objects.filter(acknowledged_by__isnull=True, sequencing__requested_on__lt=start).update(acknowledged_by=reader)
    ctx.say(f"testing: {closed} mẫu của giai đoạn 2021–2022 đã có kết quả / history samples reported")


def build(ctx) -> None:
    from people.models import Person

    from .models import Test

    rng, today = ctx.rng, ctx.today
    start = today - dt.timedelta(days=LIVING_DAYS - 1)
    if Test.objects.filter(taken_on__gte=start).exists():
        ctx.say("testing (90 ngày): đã có dữ liệu / already present")
        return
    bounds = Person.objects.filter(commune__in=ctx.communes).aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    total = max(150, ctx.people_count // 300)
    wanted = sorted({rng.randint(bounds["lo"], bounds["hi"]) for _ in range(int(total * 1.3))})
    people = list(Person.objects.filter(pk__in=wanted, merged_into__isnull=True).values_list("id", flat=True).order_by("id")[:total])
    lab = ctx.facilities.get("cdc") or ctx.facilities.get("provincial_hospital")
    tests = []
    for i, pid in enumerate(people):
        kind = rng.choices(["rapid_antigen", "rt_pcr", "self_test"], [55, 35, 10])[0]
        # The last days weigh more: samples of today and yesterday are on the lab's desk.
        taken = today - dt.timedelta(days=min(rng.randint(0, LIVING_DAYS - 1), rng.randint(0, LIVING_DAYS - 1)))
        pending = kind == "rt_pcr" and taken >= today - dt.timedelta(days=1) and rng.random() < 0.7
        result = "pending" if pending else ("positive" if rng.random() < 0.08 else "negative")
        reported = None if pending else min(taken + dt.timedelta(days=1 if kind == "rt_pcr" else 0), today)
        tests.append(Test(person_id=pid, kind=kind, sample_code=f"QN{today:%y}-{i + 1:06d}", lab=lab if kind == "rt_pcr" else None,
                          taken_on=taken, reported_on=reported, result=result, reason="Giám sát" if kind != "self_test" else ""))
    # Today's and yesterday's RT-PCR samples still at the lab, two of them from the demo accounts' commune.
    commune_id = ctx.focus_commune_id()
    local = list(Person.objects.filter(commune_id=commune_id).values_list("id", flat=True).order_by("id")[:50]) if commune_id else []
    for j, pid in enumerate(rng.sample(local, min(2, len(local))) + people[: max(8, total // 20)]):
        tests.append(Test(person_id=pid, kind="rt_pcr", sample_code=f"QN{today:%y}-P{j + 1:05d}", lab=lab,
                          taken_on=today - dt.timedelta(days=j % 2), result="pending", reason="Giám sát"))
    Test.objects.bulk_create(tests, batch_size=2000)
    bump("testing")  # the tests list's cached total (core.dataversion)
    pending = sum(1 for t in tests if t.result == "pending")
    ctx.say(f"testing (90 ngày): {len(tests)} xét nghiệm, {pending} chờ kết quả / awaiting results")
