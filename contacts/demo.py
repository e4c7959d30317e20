"""Demo data of the contacts app (runs after cases): F1 of the February 2022 cases with their quarantine under the rule
of the exposure date, chains of transmission (later cases infected by earlier ones in the same commune), daily
follow-up with a few contacts left unmonitored, three outbreaks, and arrivals (some through the public form).
Bulk operations, ctx.rng only."""
import datetime as dt

from django.db.models import Max, Min

ORIGINS = ["TP Hồ Chí Minh", "Hà Nội", "Đà Nẵng", "Gia Lai", "Đắk Lắk", "Bình Dương", "Quảng Ngãi"]


def build(ctx) -> None:
    from cases.models import Case
    from diseases.rules import rule_in_force
    from people.models import Person

    from .models import Arrival, Contact, ContactCheck, Outbreak
    from .rules import VaccinationFacts, schedule_for
    from .seed_rules import install

    if Contact.objects.exists():
        ctx.say("contacts: đã có dữ liệu / already present")
        return
    install()
    rng, today = ctx.rng, ctx.today
    cases = list(Case.objects.filter(disease__code="covid19").order_by("confirmed_on", "id").values_list("id", "person_id", "commune_id", "confirmed_on"))
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if not cases or bounds["lo"] is None:
        return
    rules: dict = {}

    def sched(day, vaccinated):
        if day not in rules:
            rules[day] = rule_in_force(kind="f1_quarantine", on=day)
        return schedule_for(rules[day], last_exposure=day, facts=VaccinationFacts(fully_vaccinated=vaccinated))

    case_people = {c[1] for c in cases}
    by_commune: dict[int, list] = {}
    for c in cases:
        by_commune.setdefault(c[2], []).append(c)
    contacts, pairs = [], set()

    def add(person_id, source, last, status="following", converted=None):
        if (person_id, source[0]) in pairs or person_id == source[1]:
            return
        pairs.add((person_id, source[0]))
        vaccinated = rng.random() < 0.8
        s = sched(last, vaccinated)
        contacts.append(Contact(
            person_id=person_id, source_case_id=source[0], setting=rng.choices(["household", "workplace", "school", "community"], [60, 20, 10, 10])[0],
            first_exposure_on=last - dt.timedelta(days=rng.randint(0, 2)), last_exposure_on=last, fully_vaccinated=vaccinated,
            # Traced once the source case is confirmed, never before the exposure, never after the demo's today.
            identified_on=min(today, max(last, source[3])),
            vaccination_source="declared", rule_set_id=s.rule_id, protected=s.protected, quarantine_days=s.quarantine_days,
            quarantine_end=s.quarantine_end, test_dates=[d.isoformat() for d in s.test_dates], follow_up_end=s.follow_up_end,
            status=status, converted_case_id=converted[0] if converted else None, converted_on=converted[3] if converted else None,
        ))

    # Chains: a later case of the same commune was an F1 of an earlier one (edges only go forward in time: no cycle).
    for commune_cases in by_commune.values():
        for i, c in enumerate(commune_cases):
            earlier = [e for e in commune_cases[max(0, i - 6):i] if e[3] < c[3]]
            if earlier and rng.random() < 0.45:
                src = rng.choice(earlier)
                add(c[1], src, max(src[3], c[3] - dt.timedelta(days=rng.randint(1, 3))), status="converted", converted=c)
    # Open contacts: 2–5 per case among the residents (not themselves cases).
    for c in cases:
        for _ in range(rng.randint(2, 5)):
            pid = rng.randint(bounds["lo"], bounds["hi"])
            if pid in case_people:
                continue
            last = min(c[3], today)
            s_end = sched(last, True).follow_up_end
            add(pid, c, last, status="following" if s_end >= today else "released")
    existing = set(Person.objects.filter(pk__in={c.person_id for c in contacts}).values_list("id", flat=True))
    Contact.objects.bulk_create([c for c in contacts if c.person_id in existing], batch_size=2000)

    # Daily follow-up: the following contacts checked every day up to yesterday or today, ~6 % forgotten.
    checks, last_check = [], {}
    for cid, start in Contact.objects.filter(status="following").values_list("id", "last_exposure_on"):
        if rng.random() < 0.06:
            continue
        end = today if rng.random() < 0.7 else today - dt.timedelta(days=1)
        day = start + dt.timedelta(days=1)
        while day <= end:
            checks.append(ContactCheck(contact_id=cid, day=day, has_symptoms=rng.random() < 0.03))
            day += dt.timedelta(days=1)
        if end > start:
            last_check[cid] = end
    ContactCheck.objects.bulk_create(checks, batch_size=5000)
    for day in set(last_check.values()):
        Contact.objects.filter(pk__in=[k for k, v in last_check.items() if v == day]).update(last_check_on=day)

    # Outbreaks: the three communes with the most cases.
    busiest = sorted(by_commune.items(), key=lambda kv: -len(kv[1]))[:3]
    from geo.models import AdministrativeUnit

    units = AdministrativeUnit.objects.in_bulk([k for k, _ in busiest])
    for n, (commune_id, commune_cases) in enumerate(busiest):
        unit = units[commune_id]
        ob = Outbreak.objects.create(name=f"Ổ dịch {unit.name}", commune=unit, place_kind=["village", "school", "industrial_park"][n],
                                     place_name=["Thôn 1", "Trường THCS", "KCN Hòa Bình"][n], started_on=commune_cases[0][3],
                                     latitude=unit.latitude, longitude=unit.longitude)
        ob.cases.add(*[c[0] for c in commune_cases[:40]])
        Contact.objects.filter(source_case_id__in=[c[0] for c in commune_cases[:40]]).update(outbreak=ob)

    # Arrivals from outbreak areas.
    arrivals = []
    for _ in range(300):
        pid = rng.randint(bounds["lo"], bounds["hi"])
        day = today - dt.timedelta(days=rng.randint(0, 13))
        s = sched(day, rng.random() < 0.85)
        arrivals.append(Arrival(person_id=pid, origin=rng.choice(ORIGINS), arrived_on=day, means=rng.choice(["car", "bus", "plane", "motorbike"]),
                                fully_vaccinated=s.protected or None, rule_set_id=s.rule_id, follow_up_end=s.follow_up_end,
                                test_dates=[d.isoformat() for d in s.test_dates], via=rng.choice(["staff", "public_form"])))
    existing = set(Person.objects.filter(pk__in={a.person_id for a in arrivals}).values_list("id", flat=True))
    Arrival.objects.bulk_create([a for a in arrivals if a.person_id in existing])
    ctx.say(f"contacts: {Contact.objects.count()} người tiếp xúc, {len(checks)} phiếu theo dõi, {len(busiest)} ổ dịch")
    _dengue(ctx)


def _dengue(ctx) -> None:
    """Dengue outbreaks detected from the demo's dengue cases (cases.demo) by village, with vector control."""
    from cases.models import Case

    from . import services
    from .seed_rules import install_dengue

    if not Case.objects.filter(disease__code="dengue").exists():
        return
    install_dengue()
    by = ctx.users.get("commune_health") or ctx.users.get("health_dept")
    opened = []
    for back in (35, 21, 7, 0):
        opened += services.detect_clusters(by=by, disease="dengue", on=ctx.today - dt.timedelta(days=back))["opened"]
    for ob in opened:
        day = max(ob.started_on + dt.timedelta(days=2), ob.started_on)
        if day <= ctx.today:
            services.record_vector_action(by=by, outbreak=ob, kind="larval", started_on=day, ended_on=day, households_targeted=80,
                                          households_covered=ctx.rng.randint(60, 80), note="Chiến dịch diệt lăng quăng")
    ctx.say(f"contacts: {len(opened)} ổ dịch sốt xuất huyết phát hiện từ chùm ca bệnh")
