"""Living era of the demo (see core.demo): contacts of the last 90 days' cases under the contact rule of each case's
disease in force on the exposure date (diseases.rules; a disease without one gets no contacts), daily follow-up up to
today with a few contacts not yet checked today. The history era is closed first (its contacts' follow-up ended)."""
import datetime as dt

from django.db.models import Max, Min

from core.demo import LIVING_DAYS


def build(ctx) -> None:
    from cases.models import Case
    from diseases.rules import NoRuleInForce, rule_in_force
    from people.models import Person

    from .models import Contact, ContactCheck, Outbreak
    from .rules import VaccinationFacts, schedule_for

    rng, today = ctx.rng, ctx.today
    start = today - dt.timedelta(days=LIVING_DAYS - 1)
    if Contact.objects.filter(last_exposure_on__gte=start).exists():
        ctx.say("contacts (90 ngày): đã có dữ liệu / already present")
        return
    cases = list(Case.objects.filter(confirmed_on__gte=start, commune__in=ctx.communes)
                 .values_list("id", "person_id", "confirmed_on", "disease__code", "disease_id").order_by("id"))
    bounds = Person.objects.filter(commune__in=ctx.communes).aggregate(lo=Min("id"), hi=Max("id"))
    if not cases or bounds["lo"] is None:
        return
    rules: dict = {}

    def rule(code, day):
        if (code, day) not in rules:
            try:
                rules[(code, day)] = rule_in_force(disease=code, kind="f1_quarantine", on=day)
            except NoRuleInForce:
                rules[(code, day)] = None
        return rules[(code, day)]

    case_people = set(Case.objects.filter(status=Case.Status.ACTIVE).values_list("person_id", flat=True)) | {c[1] for c in cases}
    contacts, pairs = [], set()
    # A contact is of its source case's disease (when contacts record a disease: the diseases rule base).
    has_disease = any(f.name == "disease" for f in Contact._meta.fields)
    for cid, _person, confirmed, code, disease_id in cases:
        for _ in range(rng.randint(2, 5)):
            pid = rng.randint(bounds["lo"], bounds["hi"])
            last = confirmed - dt.timedelta(days=rng.randint(0, 2))
            r = rule(code, last)
            if r is None or pid in case_people or (pid, cid) in pairs:
                continue
            pairs.add((pid, cid))
            vaccinated = rng.random() < 0.8
            s = schedule_for(r, last_exposure=last, facts=VaccinationFacts(fully_vaccinated=vaccinated))
            contacts.append(Contact(
                person_id=pid, source_case_id=cid, setting=rng.choices(["household", "workplace", "school", "community"], [60, 20, 10, 10])[0],
                first_exposure_on=last - dt.timedelta(days=rng.randint(0, 2)), last_exposure_on=last, fully_vaccinated=vaccinated,
                identified_on=max(last, confirmed), vaccination_source="declared", rule_set_id=s.rule_id, protected=s.protected,
                quarantine_days=s.quarantine_days, quarantine_end=s.quarantine_end, test_dates=[d.isoformat() for d in s.test_dates],
                follow_up_end=s.follow_up_end, status="following" if s.follow_up_end >= today else "released",
                **({"disease_id": disease_id} if has_disease else {})))
    existing = set(Person.objects.filter(pk__in={c.person_id for c in contacts}).values_list("id", flat=True))
    Contact.objects.bulk_create([c for c in contacts if c.person_id in existing], batch_size=2000)
    checks, last_check = [], {}
    for cid, first, end_on, status in (Contact.objects.filter(last_exposure_on__gte=start, person__commune__in=ctx.communes)
                                       .values_list("id", "identified_on", "follow_up_end", "status").order_by("id")):
        # Followed daily from the day they were traced; those still followed: ~25 % not yet checked today.
        end = min(end_on, today) if status != "following" else (today if rng.random() < 0.75 else today - dt.timedelta(days=1))
        day = first
        while day <= end:
            checks.append(ContactCheck(contact_id=cid, day=day, has_symptoms=rng.random() < 0.03))
            day += dt.timedelta(days=1)
        if end >= first:
            last_check[cid] = end
    ContactCheck.objects.bulk_create(checks, batch_size=5000)
    Contact.objects.bulk_update([Contact(pk=k, last_check_on=v) for k, v in last_check.items()], ["last_check_on"], batch_size=1000)
    # Today's outbreak: the commune with the most open cases, its cases and their contacts.
    open_cases = list(Case.objects.filter(confirmed_on__gte=start, commune__in=ctx.communes, status=Case.Status.ACTIVE)
                      .values_list("id", "commune_id", "confirmed_on").order_by("confirmed_on", "id"))
    if open_cases:
        from collections import Counter

        commune_id = Counter(c[1] for c in open_cases).most_common(1)[0][0]
        unit = next(c for c in ctx.communes if c.pk == commune_id)
        ids = [c[0] for c in open_cases if c[1] == commune_id]
        ob = Outbreak.objects.create(name=f"Ổ dịch {unit.name}", commune=unit, place_kind="village", place_name="Thôn 1",
                                     started_on=min(c[2] for c in open_cases if c[1] == commune_id),
                                     latitude=unit.latitude, longitude=unit.longitude)
        ob.cases.add(*ids)
        Contact.objects.filter(source_case_id__in=ids).update(outbreak=ob)
    following = Contact.objects.filter(last_exposure_on__gte=start, status="following").count()
    ctx.say(f"contacts (90 ngày): {len(contacts)} người tiếp xúc, {following} đang theo dõi / under follow-up")


def close_history(ctx) -> None:
    """Before the re-homing (the demo command): the history's contacts end their follow-up, its outbreaks close."""
    from .models import Contact

    start = ctx.today - dt.timedelta(days=LIVING_DAYS - 1)
    closed = Contact.objects.filter(last_exposure_on__lt=start, status=Contact.Status.FOLLOWING).update(status=Contact.Status.RELEASED)
    _close_history_outbreaks(start)
    ctx.say(f"contacts: kết thúc theo dõi {closed} người tiếp xúc của giai đoạn 2021–2022 / history follow-ups ended")


def _close_history_outbreaks(before: dt.date) -> None:
    """Outbreaks of the history era end once their last case is older than the outbreak rule's quiet period."""
    from diseases.rules import NoRuleInForce, rule_in_force

    from .models import Outbreak

    updates = []
    for ob in Outbreak.objects.filter(status=Outbreak.Status.ACTIVE, started_on__lt=before).prefetch_related("cases"):
        last = max([c.confirmed_on for c in ob.cases.all()] or [ob.started_on])
        try:
            quiet = rule_in_force(kind="outbreak", on=last).value("close_after_days_without_case")
        except NoRuleInForce:
            continue
        ob.status, ob.closed_on = Outbreak.Status.CLOSED, last + dt.timedelta(days=int(quiet))
        updates.append(ob)
    Outbreak.objects.bulk_update(updates, ["status", "closed_on"])
