"""Demo data of the testing app (runs before cases and contacts): February 2022 tests in Kon Tum — rapid tests,
RT-PCR with CT values, self-tests, pooled samples (one positive pool still being followed up), sequencing with a
new-lineage alert, and the post-Tết screening of teachers and school staff. Bulk operations, ctx.rng only."""
import datetime as dt
from decimal import Decimal

from django.db.models import Max, Min

from core.dataversion import bump

TESTS = 6000
SCHOOLS = ["THPT Kon Tum", "THPT Lê Lợi", "THCS Nguyễn Huệ", "TH Quang Trung", "Mầm non Hoa Hồng", "THCS Thắng Lợi",
           "TH Lê Văn Tám", "THPT Trần Quốc Tuấn"]


def build(ctx) -> None:
    from people.models import Person

    from .models import Campaign, CampaignTarget, LineageAlert, Pool, PoolMember, Sequencing, Test

    if Test.objects.exists():
        ctx.say("testing: đã có dữ liệu / already present")
        return
    rng, today = ctx.rng, ctx.today
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    wanted = sorted(set(rng.randint(bounds["lo"], bounds["hi"]) for _ in range(int(TESTS * 1.4))))
    people = list(Person.objects.filter(pk__in=wanted, merged_into__isnull=True).values_list("id", "commune_id").order_by("id")[:TESTS])
    lab = ctx.facilities.get("cdc") or ctx.facilities.get("provincial_hospital")
    first = dt.date(2022, 2, 1)
    tests = []
    for i, (pid, _commune) in enumerate(people):
        kind = rng.choices(["rapid_antigen", "rt_pcr", "self_test"], [60, 25, 15])[0]
        taken = first + dt.timedelta(days=rng.randint(0, (today - first).days))
        positive = rng.random() < 0.12
        pending = kind == "rt_pcr" and taken >= today - dt.timedelta(days=1) and rng.random() < 0.5
        result = "pending" if pending else ("positive" if positive else "negative")
        reported = None if pending else (taken + dt.timedelta(days=1 if kind == "rt_pcr" else 0))
        reported = min(reported, today) if reported else None
        ct = Decimal(f"{rng.uniform(14, 34):.1f}") if kind == "rt_pcr" and result == "positive" else None
        tests.append(Test(person_id=pid, kind=kind, sample_code=f"KT22-{i + 1:06d}", lab=lab if kind == "rt_pcr" else None,
                          taken_on=taken, reported_on=reported, result=result, ct_value=ct, reason="Sàng lọc" if kind != "self_test" else ""))
    Test.objects.bulk_create(tests, batch_size=2000)
    bump("testing")  # the tests list's cached total (core.dataversion)

    # Pooled RT-PCR: 30 pools of 10 in the province city; the last one positive and still followed up.
    communes = [c for c in ctx.communes if c.path.startswith("/62/608/")] or ctx.communes
    pool_people = list(Person.objects.filter(commune__in=communes[:3]).values_list("id", flat=True).order_by("id")[:300])
    pools = [Pool(code=f"GOP-{i + 1:04d}", size=10, commune=communes[i % min(3, len(communes))], lab=lab,
                  taken_on=today - dt.timedelta(days=2), reported_on=today - dt.timedelta(days=1), status="negative")
             for i in range(len(pool_people) // 10)]
    if pools:
        pools[-1].status, pools[-1].ct_value = "follow_up", Decimal("27.5")
        Pool.objects.bulk_create(pools)
        pools = list(Pool.objects.order_by("id"))
        members = [PoolMember(pool=pools[i // 10], person_id=pid, position=i % 10 + 1,
                              follow_up="awaiting" if pools[i // 10].status == "follow_up" else "none")
                   for i, pid in enumerate(pool_people[: len(pools) * 10])]
        PoolMember.objects.bulk_create(members)

    # Sequencing: Delta (AY.57) known since 2021, Omicron BA.1 in February, BA.2 new → an alert.
    positives = list(Test.objects.filter(result="positive", kind="rt_pcr").order_by("id")[:12])
    province = ctx.province
    seqs = []
    for i, t in enumerate(positives):
        lineage = "BA.2" if i == len(positives) - 1 else "AY.57" if i < len(positives) // 3 else "BA.1"
        seqs.append(Sequencing(test=t, person_id=t.person_id, requested_on=t.taken_on, lab_name="Viện Vệ sinh Dịch tễ Tây Nguyên",
                               lineage=lineage, reported_on=min(t.taken_on + dt.timedelta(days=5), today)))
    Sequencing.objects.bulk_create(seqs)
    if seqs and province is not None:
        last = Sequencing.objects.filter(lineage="BA.2").first()
        if last:
            LineageAlert.objects.create(province=province, lineage="BA.2", sequencing=last)

    # Post-Tết 2022 screening of teachers and school staff (seed directive 002, item 10).
    if province is not None:
        campaign = Campaign.objects.create(name="Giáo viên, nhân viên trường học sau Tết Nhâm Dần 2022", unit=province,
                                           deadline=today, within_days=3, accepted_kinds=["rapid_antigen", "rt_pcr"])
        staff = list(Person.objects.filter(commune__in=communes, birth_year__range=(1965, 1998)).values_list("id", flat=True).order_by("id")[:600])
        CampaignTarget.objects.bulk_create([CampaignTarget(campaign=campaign, person_id=pid, group=SCHOOLS[i % len(SCHOOLS)])
                                            for i, pid in enumerate(staff)])
        n = Test.objects.count()
        Test.objects.bulk_create([
            Test(person_id=pid, kind="rapid_antigen", sample_code=f"GV22-{i + 1:05d}", taken_on=today - dt.timedelta(days=rng.randint(0, 3)),
                 reported_on=today, result="negative", reason="Sàng lọc giáo viên sau Tết")
            for i, pid in enumerate(staff) if rng.random() < 0.86
        ])
        bump("testing")  # the tests list's cached total (core.dataversion)
        ctx.say(f"testing: {n} xét nghiệm, {len(pools)} mẫu gộp, đợt sàng lọc giáo viên {len(staff)} người")
