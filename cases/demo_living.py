"""Living era of the demo (see core.demo): the last LIVING_DAYS days of every disease in the diseases table, on the 2025
communes, up to ctx.now.

Disease-generic: how long a case stays open, how often a home patient is checked, what a warning sign is and whether
medicine is given are read from the rule versions in force (diseases.rules), never constants; a disease with no
release rule in force gets no open cases (said on the console). The history era is closed first, before the residents
are re-homed (`close_history`, called by the demo command): a 2022 case still open on the history's last day recovered
on its release date, so it keeps its pre-2025 commune and today's boards show today's patients.

Home patients are checked at the monitoring rule's cadence, the last check a few hours ago, so the next ones fall due
in the coming hours; a few patients are overdue and a few warnings are still waiting to be acknowledged.
Counts depend only on --seed, --people and --today (timestamps are placed relative to the moment the demo runs).
"""
import datetime as dt

from django.db.models import DateField, ExpressionWrapper, F, Max, Min

from core.demo import LIVING_DAYS


def _case_count(ctx, first: bool) -> int:
    # About one case per 1,000 residents over 90 days for the first disease, half that for the others; never so few
    # that a small demo shows empty boards.
    return max(60 if first else 30, ctx.people_count // (1000 if first else 2000))


# Diseases whose patients are mostly young children: the oldest age drawn (measles: 72.7 % of 2025 cases were 9 months
# to under 15 years, shared/domain/today.md §2; hand-foot-mouth: a disease of children under 5, taken to 6 here).
YOUNG_PATIENTS = {"measles": 14, "hfmd": 6}


FOCUS_PATIENTS = 3  # per disease, open home patients in the demo accounts' commune (ctx.focus_commune_id)


def _focus_patients(ctx, code: str, taken: set, n: int) -> list:
    from people.models import Person

    commune_id = ctx.focus_commune_id()
    if commune_id is None:
        return []
    qs = Person.objects.filter(commune_id=commune_id, merged_into__isnull=True)
    if code in YOUNG_PATIENTS:
        qs = qs.filter(birth_year__gte=ctx.today.year - YOUNG_PATIENTS[code])
    rows = [r for r in qs.values_list("id", "commune_id", "birth_year", "is_pregnant").order_by("id")[:500] if r[0] not in taken]
    return ctx.rng.sample(rows, min(n, len(rows)))


def close_history(ctx) -> None:
    """The history era ends as it did: its cases still open recovered on their release date (run before the
    re-homing, so that only the living era's cases would follow their person to the 2025 commune)."""
    closed = _close_cases(ctx.today - dt.timedelta(days=LIVING_DAYS - 1))
    ctx.say(f"cases: đóng {closed} ca của giai đoạn 2021–2022 / history cases closed")


def _close_cases(before: dt.date) -> int:
    """Cases of the history era still open: recovered on their release date (set-based)."""
    from .models import Alert, Case

    open_ = Case.objects.filter(confirmed_on__lt=before, status__in=[Case.Status.ACTIVE, Case.Status.TRANSFERRED])
    n = open_.count()
    open_.filter(release_due_on__isnull=False).update(status=Case.Status.RECOVERED, released_on=F("release_due_on"),
                                                      release_test_on=F("release_due_on"), release_test_result="negative")
    open_.update(status=Case.Status.RECOVERED,
                 released_on=ExpressionWrapper(F("confirmed_on") + dt.timedelta(days=14), output_field=DateField()))
    Alert.objects.filter(acknowledged_at__isnull=True, case__confirmed_on__lt=before).update(
        acknowledged_at=F("raised_at") + dt.timedelta(minutes=45), note="Đã gọi điện tư vấn")
    return n


def _rule(code, kind, on):
    from diseases.rules import NoRuleInForce, rule_in_force

    try:
        return rule_in_force(disease=code, kind=kind, on=on)
    except NoRuleInForce:
        return None


def build(ctx) -> None:
    from diseases.models import Disease
    from facilities.models import Facility, Team
    from people.models import Person

    from . import rules
    from .models import Alert, Case, CaseEvent, Check, Dispensing

    start = ctx.today - dt.timedelta(days=LIVING_DAYS - 1)
    if Case.objects.filter(confirmed_on__gte=start, commune__in=ctx.communes).exists():
        ctx.say("cases (90 ngày): đã có dữ liệu / already present")
        return
    rng, today, now = ctx.rng, ctx.today, ctx.now
    tz = now.tzinfo
    bounds = Person.objects.filter(commune__in=ctx.communes).aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    teams = {t.commune_id: t for t in Team.objects.filter(kind=Team.Kind.CARE_TEAM, commune__in=ctx.communes)}
    stations = {f.unit_id: f for f in Facility.objects.filter(kind=Facility.Kind.COMMUNE_HEALTH_STATION, unit__in=ctx.communes)}
    hospital = ctx.facilities.get("provincial_hospital")
    days = [start + dt.timedelta(days=i) for i in range(LIVING_DAYS)]
    used: set[int] = set(Case.objects.filter(status=Case.Status.ACTIVE).values_list("person_id", flat=True))
    summary = []
    for n_disease, disease in enumerate(Disease.objects.order_by("id")):
        code = disease.code
        release_rule = _rule(code, "release", today)
        if release_rule is None or release_rule.value("min_days") is None:
            ctx.say(f"cases: {disease.name}: không có quy định khỏi bệnh hiệu lực / no release rule in force, skipped")
            continue
        monitoring, warn, medicine = _rule(code, "monitoring", today), _rule(code, "warning_signs", today), _rule(code, "medicine", today)
        per_day = int(monitoring.value("checks_per_day") or 0) if monitoring else 0
        min_days = int(release_rule.value("min_days"))
        total = _case_count(ctx, n_disease == 0)
        # 70 % spread over the 90 days, 30 % a current cluster within the isolation period: open cases today.
        recent = [d for d in days if d > today - dt.timedelta(days=min_days)]
        if code in YOUNG_PATIENTS:
            # Children's diseases fall on children: drawn among the residents young enough.
            young = [pid for pid in Person.objects.filter(commune__in=ctx.communes, merged_into__isnull=True,
                                                          birth_year__gte=today.year - YOUNG_PATIENTS[code])
                     .values_list("id", flat=True).order_by("id") if pid not in used]
            wanted = sorted(rng.sample(young, min(len(young), total)))
        else:
            wanted = sorted({rng.randint(bounds["lo"], bounds["hi"]) for _ in range(int(total * 1.5))} - used)
        people = list(Person.objects.filter(pk__in=wanted, merged_into__isnull=True)
                      .values_list("id", "commune_id", "birth_year", "is_pregnant").order_by("id")[:total])
        rng.shuffle(people)
        # A few of the current cluster in the demo accounts' commune, so its home page has patients at any --people.
        focus = _focus_patients(ctx, code, used | {p[0] for p in people}, FOCUS_PATIENTS)
        people = (focus + people)[:total]
        home_first = len(focus)
        cases = []
        for i, (pid, commune_id, _by, pregnant) in enumerate(people):
            used.add(pid)
            confirmed = rng.choice(recent) if i < total * 0.3 else rng.choice(days)
            setting = "home" if i < home_first else rng.choices(["home", "hospital"], [88, 12])[0]
            vacc = rng.choices(["full", "partial", "none", "unknown"], [70, 10, 12, 8])[0]
            earliest, _latest = rules.release_dates(release_rule, confirmed_on=confirmed, fully_vaccinated=vacc == "full")
            recovered = earliest < today
            released = earliest + dt.timedelta(days=rng.choice([0, 0, 1, 2])) if recovered else None
            if released and released >= today:
                released = today - dt.timedelta(days=1)
            c = Case(
                person_id=pid, disease=disease, commune_id=commune_id, confirmed_on=confirmed,
                test_kind=rng.choices(["rapid_antigen", "rt_pcr"], [60, 40])[0],
                detected_in=rng.choices(["community", "quarantine", "facility"], [70, 20, 10])[0],
                care_setting=setting, status="recovered" if recovered else "active",
                severity=rng.choices(["asymptomatic", "mild", "moderate"], [30, 60, 10])[0], vaccination_status=vacc,
                is_pregnant=bool(pregnant), team=teams.get(commune_id) if rng.random() < 0.95 else None,
                station=stations.get(commune_id), facility=hospital if setting == "hospital" else None,
                release_due_on=earliest, release_test_on=released, release_test_result="negative" if recovered else "",
                released_on=released,
            )
            c.has_phone = rng.random() < 0.92
            cases.append(c)
        Case.objects.bulk_create(cases, batch_size=2000)
        rows = list(Case.objects.filter(disease=disease, confirmed_on__gte=start, commune__in=ctx.communes)
                    .values_list("id", "confirmed_on", "released_on", "status", "care_setting", "person__birth_year").order_by("id"))
        created, checks, events, dispensings, last_check, first_med = {}, [], [], [], {}, {}
        interval = dt.timedelta(hours=24 / per_day) if per_day else None
        item = Dispensing._meta.get_field("item").choices[0][0]
        for cid, confirmed, released, status, setting, birth_year in rows:
            at = min(dt.datetime.combine(confirmed, dt.time(9, 0), tzinfo=tz), now - dt.timedelta(minutes=30))
            created[cid] = at
            events.append(CaseEvent(case_id=cid, at=at, kind="created", text=f"Xác định ca bệnh ngày {confirmed:%d/%m/%Y}"))
            if medicine is not None and rng.random() < 0.95 and at + dt.timedelta(hours=2) <= now:
                first_med[cid] = at + dt.timedelta(hours=rng.choice([1, 2, 5]))
                dispensings.append(Dispensing(case_id=cid, item=item, quantity=1, given_at=min(first_med[cid], now)))
                first_med[cid] = min(first_med[cid], now)
            if setting != "home" or interval is None:
                continue
            end_day = released or today
            k = max(0, (end_day - confirmed).days * per_day)
            if status == "active":
                # Checked a few hours ago: the next check falls due in the coming hours. ~6 % are overdue.
                overdue = rng.random() < 0.06
                last = now - (interval + dt.timedelta(hours=rng.randint(1, 6)) if overdue else dt.timedelta(minutes=rng.randint(20, int(interval.total_seconds() // 60) - 40)))
            else:
                last = dt.datetime.combine(released, dt.time(8, 0), tzinfo=tz)
            age = today.year - birth_year if birth_year else None
            for j in range(k):
                taken = last - j * interval
                if taken <= at:
                    break
                values = {"spo2": rng.choices([98, 97, 96, 95, 93], [60, 36, 2, 1.4, 0.6])[0],
                          "respiratory_rate": rng.choices([16, 17, 18, 19, 20, 22], [20, 25, 30, 22, 2, 1])[0],
                          "pulse": rng.randint(68, 104), "temperature": rng.choice([36.6, 36.8, 37.0, 37.5, 38.2])}
                if j == 0 and status == "active" and rng.random() < 0.15:
                    values.update(spo2=94, respiratory_rate=24)  # the latest check of a few patients raised a warning
                signs = [s.as_dict() for s in rules.warning_signs(warn, age=age, values={**values, "systolic": None, "diastolic": None},
                                                                  symptoms=[])] if warn else []
                checks.append(Check(case_id=cid, taken_at=taken, by_patient=rng.random() < 0.4, respiratory_rate=values["respiratory_rate"],
                                    spo2=values["spo2"], pulse=values["pulse"], temperature=values["temperature"], warning_signs=signs,
                                    rule_set=warn, idempotency_key=f"demo-living-{j}"))
                last_check.setdefault(cid, taken)
        Check.objects.bulk_create(checks, batch_size=5000)
        CaseEvent.objects.bulk_create(events, batch_size=5000)
        Dispensing.objects.bulk_create(dispensings, batch_size=5000)
        alerts = []
        for chk_id, cid, taken, signs in (Check.objects.filter(case__disease=disease, case__confirmed_on__gte=start, case__commune__in=ctx.communes)
                                          .exclude(warning_signs=[]).values_list("id", "case_id", "taken_at", "warning_signs").order_by("id")):
            # Warnings of a patient's latest check wait for the team; older ones were answered within the hour.
            ack = None if last_check.get(cid) == taken and rng.random() < 0.7 else taken + dt.timedelta(minutes=rng.randint(5, 50))
            alerts.append(Alert(check_record_id=chk_id, case_id=cid, raised_at=taken, signs=signs,
                                message="; ".join(s["message_vi"] for s in signs), acknowledged_at=ack if ack is None or ack <= now else now,
                                note="Đã gọi điện tư vấn" if ack else ""))
        Alert.objects.bulk_create(alerts, batch_size=5000)
        for field, values in (("created_at", created), ("last_check_at", last_check), ("first_medicine_at", first_med)):
            Case.objects.bulk_update([Case(pk=pk, **{field: v}) for pk, v in values.items()], [field], batch_size=1000)
        active = sum(1 for r in rows if r[3] == "active")
        summary.append(f"{disease.name}: {len(rows)} ca, {active} đang điều trị, {len(checks)} phiếu theo dõi, {len(alerts)} cảnh báo")
    ctx.say(f"cases (90 ngày): {'; '.join(summary) or '—'}")
