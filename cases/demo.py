"""Demo data of the cases app: the February 2022 wave in Kon Tum (a few thousand F0, most at home), with twice-daily
checks, the alerts they raised, medicine, transfers and admissions, and beds in the treatment facilities.

Bulk operations only; deterministic for a given seed (ctx.rng). The timeline is relative to ctx.today (14/02/2022):
the wall clock of the running app is not moved, so on a later date every active patient shows as "no check".
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Max, Min

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CASES = 3000


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def build(ctx) -> None:
    from diseases.models import Disease
    from diseases.rules import rule_in_force
    from diseases.seed_covid19 import install
    from facilities.models import BedCapacity, Facility, Team
    from people.models import Person

    from . import rules
    from .models import Admission, Alert, Case, CaseEvent, Check, Dispensing, Transfer

    if Case.objects.exists():
        ctx.say("cases: đã có dữ liệu / already present")
        return
    install()
    rng, today = ctx.rng, ctx.today
    covid = Disease.objects.get(code="covid19")
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    wanted = sorted(set(rng.randint(bounds["lo"], bounds["hi"]) for _ in range(int(CASES * 1.3))))
    people = list(Person.objects.filter(pk__in=wanted, merged_into__isnull=True).values_list("id", "commune_id", "birth_year", "is_pregnant").order_by("id")[:CASES])
    teams = {t.commune_id: t for t in Team.objects.filter(kind=Team.Kind.CARE_TEAM)}
    stations = {f.unit_id: f for f in Facility.objects.filter(kind=Facility.Kind.COMMUNE_HEALTH_STATION)}
    hospital = ctx.facilities.get("provincial_hospital") or Facility.objects.filter(kind=Facility.Kind.PROVINCIAL_HOSPITAL).first()
    centres = list(Facility.objects.filter(kind=Facility.Kind.DISTRICT_HEALTH_CENTRE).order_by("id"))
    sites = []
    for d in ctx.districts[:4]:
        commune = next((c for c in ctx.communes if c.parent_id == d.pk), None)
        if commune:
            sites.append(Facility.objects.get_or_create(name=f"Khu điều trị F0 tập trung {d.name}",
                                                        defaults={"kind": Facility.Kind.CENTRALISED_FACILITY, "unit": commune})[0])
    caps = []
    for f in [hospital, *centres, *sites]:
        if f is None:
            continue
        big = f.kind == Facility.Kind.PROVINCIAL_HOSPITAL
        caps += [BedCapacity(facility=f, bed_type="ordinary", total=200 if big else 60), BedCapacity(facility=f, bed_type="oxygen", total=60 if big else 10)]
        if big or f.kind == Facility.Kind.DISTRICT_HEALTH_CENTRE:
            caps.append(BedCapacity(facility=f, bed_type="icu", total=20 if big else 2))
    BedCapacity.objects.bulk_create(caps, ignore_conflicts=True)

    first_day = dt.date(2022, 2, 1)
    days = [(first_day + dt.timedelta(days=i)) for i in range((today - first_day).days + 1)]
    weights = [1 + i * 0.35 for i in range(len(days))]  # the wave grows through February
    release_rule = rule_in_force(kind="release", on=first_day)
    warn_rule = rule_in_force(kind="warning_signs", on=first_day)
    cases = []
    for pid, commune_id, _birth_year, pregnant in people:
        confirmed = rng.choices(days, weights)[0]
        setting = rng.choices(["home", "centralised", "hospital"], [85, 10, 5])[0]
        vacc = rng.choices(["full", "partial", "none", "unknown"], [80, 8, 7, 5])[0]
        earliest, latest = rules.release_dates(release_rule, confirmed_on=confirmed, fully_vaccinated=vacc == "full")
        recovered = earliest < today and rng.random() < 0.92
        released = min(earliest + dt.timedelta(days=rng.choice([0, 0, 0, 1, 3])), today - dt.timedelta(days=1)) if recovered else None
        team = teams.get(commune_id) if rng.random() < 0.93 else None
        c = Case(
            person_id=pid, disease=covid, commune_id=commune_id, confirmed_on=confirmed,
            test_kind=rng.choices(["rapid_antigen", "rt_pcr"], [75, 25])[0],
            detected_in=rng.choices(["community", "quarantine", "facility"], [65, 30, 5])[0],
            care_setting=setting, status="recovered" if recovered else "active", severity=rng.choices(["asymptomatic", "mild", "moderate"], [40, 55, 5])[0],
            vaccination_status=vacc, is_pregnant=bool(pregnant), team=team, station=stations.get(commune_id),
            facility=(hospital if setting == "hospital" else rng.choice(sites) if setting == "centralised" and sites else None),
            release_due_on=earliest, release_test_on=released if recovered else None,
            release_test_result="negative" if recovered else "", released_on=released,
        )
        c.has_phone = rng.random() < 0.9
        cases.append(c)
    Case.objects.bulk_create(cases, batch_size=2000)
    # bulk_create stamps created_at with the wall clock: put each case back at its confirmation morning.
    for day in days:
        Case.objects.filter(confirmed_on=day).update(created_at=_at(day, 9))
    cases = list(Case.objects.filter(disease=covid).values_list("id", "confirmed_on", "released_on", "status", "care_setting", "person__birth_year", "commune_id"))

    checks, events, dispensings, admissions, transfers = [], [], [], [], []
    last_check, first_med = {}, {}
    end_of_today = _at(today, 16)
    for n, (cid, confirmed, released, status, setting, birth_year, _commune) in enumerate(cases):
        events.append(CaseEvent(case_id=cid, at=_at(confirmed, 9), kind="created", text=f"Xác định F0 ngày {confirmed:%d/%m/%Y}"))
        if rng.random() < 0.96:
            given = _at(confirmed, rng.choice([10, 14, 17, 20]))
            if given <= end_of_today:
                dispensings.append(Dispensing(case_id=cid, item="package_a", quantity=1, given_at=given))
                first_med[cid] = given
        if setting != "home":
            fac = hospital if setting == "hospital" else (sites[n % len(sites)] if sites else hospital)  # by position, not id (same on every db)
            if fac is not None:
                admissions.append(Admission(case_id=cid, facility=fac, bed_type=rng.choices(["ordinary", "oxygen"], [85, 15])[0],
                                            admitted_at=_at(confirmed, 12), discharged_at=_at(released, 10) if released else None))
            continue
        last = released or today
        day = confirmed
        age = 2022 - birth_year
        while day <= last:
            for hour in (8, 16):
                at = _at(day, hour, rng.randint(0, 50))
                if at > end_of_today or (day == confirmed and hour == 8):
                    continue
                if rng.random() < 0.06:  # a missed check
                    continue
                values = {"spo2": rng.choices([98, 97, 96, 95, 93], [60, 37, 1.8, 0.8, 0.4])[0],
                          "respiratory_rate": rng.choices([16, 17, 18, 19, 20, 22], [20, 25, 30, 22, 2, 1])[0],
                          "pulse": rng.randint(68, 104), "temperature": rng.choice([36.6, 36.8, 37.0, 37.5, 38.2]), "systolic": None, "diastolic": None}
                signs = [s.as_dict() for s in rules.warning_signs(warn_rule, age=age, values=values, symptoms=[])]
                checks.append(Check(case_id=cid, taken_at=at, by_patient=rng.random() < 0.3, respiratory_rate=values["respiratory_rate"],
                                    spo2=values["spo2"], pulse=values["pulse"], temperature=values["temperature"], warning_signs=signs,
                                    rule_set=warn_rule, idempotency_key=f"demo-{at:%m%d%H}"))
                last_check[cid] = at
            day += dt.timedelta(days=1)
        if status == "active" and rng.random() < 0.01:
            transfers.append(cid)
    Check.objects.bulk_create(checks, batch_size=5000)
    CaseEvent.objects.bulk_create(events, batch_size=5000)
    Dispensing.objects.bulk_create(dispensings, batch_size=5000)
    Admission.objects.bulk_create(admissions, batch_size=5000)
    alerts = []
    for chk in Check.objects.filter(case__disease=covid).exclude(warning_signs=[]).values_list("id", "case_id", "taken_at", "warning_signs"):
        cid_, taken = chk[1], chk[2]
        ack = taken + dt.timedelta(minutes=rng.randint(5, 50)) if taken < end_of_today - dt.timedelta(hours=2) or rng.random() < 0.7 else None
        alerts.append(Alert(check_record_id=chk[0], case_id=cid_, raised_at=taken, signs=chk[3], message="; ".join(s["message_vi"] for s in chk[3]),
                            acknowledged_at=ack, note="Đã gọi điện tư vấn" if ack else ""))
    Alert.objects.bulk_create(alerts, batch_size=5000)
    _bulk_set(Case, "last_check_at", last_check)
    _bulk_set(Case, "first_medicine_at", first_med)
    for cid in transfers:
        Transfer.objects.create(case_id=cid, at=_at(today, 11), from_setting="home", destination=hospital, reason="SpO2 ≤ 96%")
        Case.objects.filter(pk=cid).update(status="transferred", care_setting="hospital", facility=hospital)
    ctx.say(f"cases: {len(cases)} F0, {len(checks)} phiếu theo dõi, {len(alerts)} cảnh báo, {len(dispensings)} lượt cấp thuốc")
    _other_diseases(ctx)


# Measles and dengue in the same weeks, for the leadership dashboard and the Circular 54 reports: measles mostly in
# children, concentrated in a few communes with one rising sharply in the last week; dengue in clusters by village.
# Hand-foot-mouth (the demo's own pack, diseases/demo_packs) in children under 6, in a few communes like measles.
OTHER = {"measles": ("Sởi", "B05", 240), "dengue": ("Sốt xuất huyết Dengue", "A97", 300),
         "hfmd": ("Tay chân miệng", "B08.4", 120)}
CHILDREN = {"measles": 12, "hfmd": 6}  # the oldest age drawn


def _other_diseases(ctx) -> None:
    from diseases.models import Disease
    from people.models import Person

    from .models import Case

    rng, today = ctx.rng, ctx.today
    made = {}
    for code, (name, icd, n) in OTHER.items():
        disease = Disease.objects.get_or_create(code=code, defaults={"name": name, "icd10": icd})[0]
        taken = set(Case.objects.values_list("person_id", flat=True))
        if code in CHILDREN:
            pool = list(Person.objects.filter(birth_year__gte=today.year - CHILDREN[code], merged_into__isnull=True)
                        .exclude(pk__in=taken).order_by("id").values_list("id", "commune_id", "village_id")[:5000])
        else:
            pool = list(Person.objects.filter(village__isnull=False, merged_into__isnull=True)
                        .exclude(pk__in=taken).order_by("id").values_list("id", "commune_id", "village_id")[:20000])
        if not pool and code in CHILDREN:
            # A small demo's wave took every child: a child who has recovered from COVID-19 can catch another disease.
            pool = list(Person.objects.filter(birth_year__gte=today.year - CHILDREN[code], merged_into__isnull=True)
                        .exclude(cases__status="active").order_by("id").values_list("id", "commune_id", "village_id")[:5000])
        if not pool:
            continue
        communes = sorted({c for _p, c, _v in pool})
        hot = rng.sample(communes, min(6, len(communes)))
        by_place: dict = {}
        for row in pool:
            by_place.setdefault(row[2] if code == "dengue" else row[1], []).append(row)
        places = [p for p in (hot if code in CHILDREN else sorted(k for k in by_place if k)) if by_place.get(p)]
        if code == "dengue":
            places = rng.sample(places, min(10, len(places)))
        rows, used = [], set()
        for i in range(n):
            # The first hot commune gets most of the last week's measles cases: the steepest rise.
            recent = i < n // 4
            place = places[0] if code == "measles" and recent and rng.random() < 0.7 else rng.choice(places)
            candidates = [r for r in by_place[place] if r[0] not in used] or [r for r in pool if r[0] not in used]
            if not candidates:
                break
            pid, commune_id, _village = rng.choice(candidates)
            used.add(pid)
            confirmed = today - dt.timedelta(days=rng.randint(0, 6) if recent else rng.randint(7, 69))
            onset = confirmed - dt.timedelta(days=rng.randint(1, 4))
            old = (today - confirmed).days > 14
            rows.append(Case(person_id=pid, disease=disease, commune_id=commune_id, confirmed_on=confirmed, symptom_onset=onset,
                             test_kind="rt_pcr", care_setting="home" if rng.random() < 0.7 else "hospital",
                             status="recovered" if old else "active", released_on=confirmed + dt.timedelta(days=10) if old else None))
        Case.objects.bulk_create(rows, batch_size=2000)
        made[code] = len(rows)
    ctx.say("cases: " + ", ".join(f"{n} ca {OTHER[c][0]}" for c, n in made.items()))


def _bulk_set(model, field: str, values: dict) -> None:
    """Set one field on many rows in a few statements (CASE WHEN through bulk_update)."""
    objs = [model(pk=pk, **{field: v}) for pk, v in values.items()]
    model.objects.bulk_update(objs, [field], batch_size=1000)
