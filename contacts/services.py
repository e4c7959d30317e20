"""Write functions of contact tracing. Views, API, imports and jobs all go through here; each runs in one
transaction with its audit rows."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from audit.services import diff, record
from core.concurrency import touched, update_versioned
from core.errors import Invalid
from diseases.selectors import NoRuleInForce, default_disease_pk, rule_in_force, value
from geo.eras import check_unit_on
from vaccination import selectors as vaccination_selectors

from . import chains
from .models import Arrival, Contact, ContactCheck, Generation, Outbreak, VaccinationSource
from .rules import Schedule, VaccinationFacts, find_cycle, schedule_for


def today() -> dt.date:
    return timezone.localdate()


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Schedules -------------------------------------------------------------------------------------
def schedule(*, last_exposure: dt.date, facts: VaccinationFacts, disease=None) -> Schedule:
    """The follow-up of a contact under the disease's contact rule (kind f1_quarantine) in force on the last exposure;
    `disease` is the source case's (None: the installation's default disease)."""
    try:
        rule = rule_in_force(disease=disease, kind="f1_quarantine", on=last_exposure)
    except NoRuleInForce as exc:
        raise Invalid(exc.vi, exc.en, field="last_exposure_on")
    return schedule_for(rule, last_exposure=last_exposure, facts=facts)


def vaccination_prefill(person, on: dt.date, disease=None) -> bool | None:
    """Fully vaccinated on `on` according to the vaccination registry (advisory: the worker can still enter the
    fact). For a disease other than the default one: the person has the doses its vaccination schedule counts as
    full (e.g. measles: 2)."""
    if disease is not None and getattr(disease, "pk", disease) != default_disease_pk():
        try:
            full = value(disease, "vaccination_schedule", "full_doses", on, default=None)
            return None if full is None else vaccination_selectors.doses_against(person, disease, on) >= int(full)
        except (Invalid, ValueError):  # advisory: no schedule rule in force (NoRuleInForce is an Invalid) or a bad value
            return None
    return vaccination_selectors.is_fully_vaccinated(person, on)


def _schedule_fields(s: Schedule) -> dict:
    return {
        "rule_set_id": s.rule_id, "protected": s.protected, "quarantine_days": s.quarantine_days,
        "quarantine_end": s.quarantine_end, "test_dates": [d.isoformat() for d in s.test_dates], "follow_up_end": s.follow_up_end,
    }


# --- Checks shared by the write functions ----------------------------------------------------------
def _active_case_at(person, day: dt.date):
    from cases.models import Case

    return (Case.objects.filter(person=person, confirmed_on__lt=day)
            .filter(Q(released_on__isnull=True) | Q(released_on__gte=day)).filter(died_on__isnull=True)
            .order_by("confirmed_on").first())


def _check_exposure(person, source_case, first: dt.date, last: dt.date) -> None:
    if first is None or last is None:
        raise Invalid("Cần ngày tiếp xúc.", "The exposure date is required.", field="last_exposure_on")
    if last < first:
        raise Invalid("Ngày tiếp xúc cuối trước ngày tiếp xúc đầu.", "The last exposure is before the first.", field="last_exposure_on")
    if last > today():
        raise Invalid(f"Ngày tiếp xúc {_d(last)} ở tương lai.", f"The exposure date {_d(last)} is in the future.", field="last_exposure_on")
    if source_case.person_id == person.pk:
        raise Invalid("Một người không thể là người tiếp xúc của chính ca bệnh của mình.",
                      "A person cannot be a contact of his own case.", field="person")
    own = _active_case_at(person, first)
    if own is not None:
        raise Invalid(
            f"{person.full_name} đã là F0 (xác định ngày {_d(own.confirmed_on)}) trước ngày tiếp xúc {_d(first)}: "
            "không thể ghi nhận là người tiếp xúc.",
            f"{person.full_name} was already a confirmed case (confirmed {_d(own.confirmed_on)}) before the exposure on "
            f"{_d(first)}: cannot be recorded as a contact.", field="first_exposure_on",
        )


def _check_no_cycle(infector_case, infected_case) -> None:
    """Linking infector → infected must not close a loop in the chain."""
    below = chains.descendants(infected_case.pk)
    if infector_case.pk not in below:
        return
    edges: dict[int, set[int]] = {}
    for s, t in Contact.objects.filter(source_case_id__in=list(below), converted_case_id__isnull=False).values_list("source_case_id", "converted_case_id"):
        edges.setdefault(s, set()).add(t)
    path = find_cycle(edges, infector_case.pk, infected_case.pk) or [infected_case.pk, infector_case.pk]
    from cases.models import Case

    names = dict(Case.objects.filter(pk__in=path).values_list("pk", "person__full_name"))
    text = " → ".join(f"F0 #{pk} {names.get(pk, '')}".strip() for pk in path)
    raise Invalid(
        f"Không thể ghi nhận F0 #{infector_case.pk} lây cho F0 #{infected_case.pk}: chuỗi lây đã có {text}, "
        "liên kết này sẽ tạo thành vòng lặp.",
        f"Cannot record case #{infector_case.pk} as infecting case #{infected_case.pk}: the chain already has {text}; "
        "this link would create a cycle.",
    )


# --- Contacts --------------------------------------------------------------------------------------
@transaction.atomic
def add_contact(*, by, source_case, person, last_exposure_on: dt.date, first_exposure_on: dt.date | None = None,
                setting: str = "household", place: str = "", generation: str = Generation.F1, source_contact=None,
                fully_vaccinated: bool | None = None, last_dose_on=None, recovered_on=None,
                vaccination_source: str | None = None, outbreak=None, note: str = "",
                identified_on: dt.date | None = None) -> Contact:
    first_exposure_on = first_exposure_on or last_exposure_on
    _check_exposure(person, source_case, first_exposure_on, last_exposure_on)
    if generation == Generation.F2:
        if source_contact is None or source_contact.source_case_id != source_case.pk:
            raise Invalid("F2 cần F1 nguồn thuộc cùng ca bệnh.", "An F2 needs its source F1 of the same case.", field="source_contact")
    if Contact.objects.filter(person=person, source_case=source_case).exists():
        raise Invalid("Người này đã được ghi nhận là người tiếp xúc của ca bệnh này.",
                      "This person is already recorded as a contact of this case.", field="person")
    if fully_vaccinated is None:
        prefilled = vaccination_prefill(person, last_exposure_on, source_case.disease)
        if prefilled is not None:
            fully_vaccinated, vaccination_source = prefilled, VaccinationSource.REGISTRY
    if vaccination_source is None:
        vaccination_source = VaccinationSource.UNKNOWN if fully_vaccinated is None else VaccinationSource.DECLARED
    facts = VaccinationFacts(fully_vaccinated, last_dose_on, recovered_on)
    s = schedule(last_exposure=last_exposure_on, facts=facts, disease=source_case.disease_id and source_case.disease)
    if generation == Generation.F2:
        from diseases.models import RuleSet

        tracked = RuleSet.objects.get(pk=s.rule_id).value("generations", ["F1"])
        if "F2" not in tracked:
            raise Invalid(
                f"Quy định áp dụng ngày {_d(last_exposure_on)} ({s.rule_source}) không theo dõi F2.",
                f"The rule in force on {_d(last_exposure_on)} ({s.rule_source}) does not trace F2 contacts.", field="source_contact",
            )
    contact = Contact.objects.create(
        person=person, source_case=source_case, source_contact=source_contact, generation=generation, setting=setting,
        place=place, first_exposure_on=first_exposure_on, last_exposure_on=last_exposure_on,
        identified_on=identified_on or today(),
        fully_vaccinated=fully_vaccinated, last_dose_on=last_dose_on, recovered_on=recovered_on,
        vaccination_source=vaccination_source, outbreak=outbreak, note=note, disease_id=source_case.disease_id,
        created_by=by if getattr(by, "pk", None) else None, **_schedule_fields(s),
    )
    record(actor=by, action="create", obj=contact, person_id=person.pk, changes={
        "source_case": (None, source_case.pk), "last_exposure_on": (None, _d(last_exposure_on)),
        "rule": (None, s.rule_source), "follow_up_end": (None, _d(s.follow_up_end)),
    })
    return contact


EDITABLE = ["setting", "place", "first_exposure_on", "last_exposure_on", "fully_vaccinated", "last_dose_on", "recovered_on", "note", "outbreak"]


@transaction.atomic
def update_contact(*, by, contact: Contact, data: dict, expected_version: int) -> Contact:
    data = {k: v for k, v in data.items() if k in EDITABLE}
    merged = {k: data.get(k, getattr(contact, k)) for k in EDITABLE}
    _check_exposure(contact.person, contact.source_case, merged["first_exposure_on"], merged["last_exposure_on"])
    if {"fully_vaccinated", "last_dose_on", "recovered_on"} & {k for k, v in diff(contact, data).items()}:
        data["vaccination_source"] = VaccinationSource.DECLARED
    facts = VaccinationFacts(merged["fully_vaccinated"], merged["last_dose_on"], merged["recovered_on"])
    s = schedule(last_exposure=merged["last_exposure_on"], facts=facts, disease=contact.disease_id and contact.disease)
    fields = _schedule_fields(s)
    fields["rule_set"] = fields.pop("rule_set_id")
    from diseases.models import RuleSet

    fields["rule_set"] = RuleSet.objects.get(pk=fields["rule_set"])
    changes = diff(contact, {**data, **fields})
    if not changes:
        return contact
    update_versioned(contact, expected_version=expected_version, changes={k: new for k, (old, new) in changes.items()})
    record(actor=by, action="update", obj=contact, person_id=contact.person_id, changes=changes)
    return contact


@transaction.atomic
def link_cases(*, by, infector_case, infected_case, last_exposure_on: dt.date, setting: str = "household", place: str = "") -> Contact:
    """Record that an existing case was infected by another (a contact already converted). Refuses cycles."""
    _check_no_cycle(infector_case, infected_case)
    if last_exposure_on > infected_case.confirmed_on:
        raise Invalid("Ngày tiếp xúc sau ngày xác định F0 của người bị lây.",
                      "The exposure is after the infected person's confirmation.", field="last_exposure_on")
    if infector_case.person_id == infected_case.person_id:
        raise Invalid("Không thể liên kết một người với chính mình.", "A person cannot infect himself.")
    s = schedule(last_exposure=last_exposure_on, facts=VaccinationFacts(), disease=infector_case.disease)
    contact, created = Contact.objects.get_or_create(
        person_id=infected_case.person_id, source_case=infector_case,
        defaults={"first_exposure_on": last_exposure_on, "last_exposure_on": last_exposure_on, "setting": setting, "place": place,
                  "disease_id": infector_case.disease_id, "status": Contact.Status.CONVERTED, "converted_case": infected_case, "converted_on": infected_case.confirmed_on,
                  "created_by": by if getattr(by, "pk", None) else None, **_schedule_fields(s)},
    )
    if not created:
        Contact.objects.filter(pk=contact.pk).update(converted_case=infected_case, status=Contact.Status.CONVERTED,
                                                     converted_on=infected_case.confirmed_on, **touched(Contact))
    record(actor=by, action="create" if created else "update", obj=contact, person_id=infected_case.person_id,
           note=f"F0 #{infector_case.pk} → F0 #{infected_case.pk}")
    return contact


@transaction.atomic
def convert_to_case(*, by, contact: Contact, confirmed_on: dt.date, test_kind: str = "rt_pcr", test=None, **case_fields):
    """A positive contact becomes a case in one step; the contact keeps the link (converted_case)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.converted_case_id:
        raise Invalid("Người tiếp xúc này đã được chuyển thành F0.", "This contact was already converted to a case.")
    if confirmed_on < contact.first_exposure_on:
        raise Invalid(
            f"Ngày xác định {_d(confirmed_on)} trước ngày tiếp xúc {_d(contact.first_exposure_on)}.",
            f"The confirmation date {_d(confirmed_on)} is before the exposure on {_d(contact.first_exposure_on)}.",
            field="confirmed_on",
        )
    from cases.services import open_case

    in_quarantine = contact.quarantine_end is not None and contact.last_exposure_on <= confirmed_on <= contact.quarantine_end
    if test is not None:
        # A case is confirmed by RT-PCR or by a rapid test (a self-test counts as a rapid test once staff confirm it).
        test_kind = "rt_pcr" if test.kind == "rt_pcr" else "rapid_antigen"
    case = open_case(by=by, person=contact.person, confirmed_on=confirmed_on, test_kind=test_kind,
                     detected_in="quarantine" if in_quarantine else "community", source_contact=contact, source=test,
                     **case_fields)
    changes = {"status": Contact.Status.CONVERTED, "converted_case": case, "converted_on": confirmed_on}
    old = {k: getattr(contact, k) for k in changes}
    update_versioned(contact, expected_version=contact.version, changes=changes)
    # The same person's other open contact records end with the conversion.
    Contact.objects.filter(person=contact.person, status=Contact.Status.FOLLOWING).exclude(pk=contact.pk).update(status=Contact.Status.RELEASED, **touched(Contact))
    record(actor=by, action="update", obj=contact, person_id=contact.person_id,
           changes={k: (old[k], v) for k, v in changes.items()}, note=f"test #{test.pk}" if test else "")
    return case


def open_contact_for_test(test) -> Contact | None:
    """The contact record a positive test should convert (the person's most recent open one)."""
    return Contact.objects.filter(person_id=test.person_id, status=Contact.Status.FOLLOWING).order_by("-last_exposure_on").first()


# --- Daily follow-up -------------------------------------------------------------------------------
@transaction.atomic
def open_case_from_test(*, by, test):
    """A positive test opens the person's case: converts his open contact record, or opens a new case. The page
    and the API both call this."""
    from testing.models import Result

    if test.result != Result.POSITIVE:
        raise Invalid("Chỉ mở ca bệnh từ xét nghiệm dương tính.", "Only a positive test opens a case.", field="test")
    confirmed_on = test.reported_on or test.taken_on
    contact = open_contact_for_test(test)
    if contact is not None:
        return convert_to_case(by=by, contact=contact, confirmed_on=confirmed_on, test=test)
    from cases.services import open_case

    if test.kind in ("igm", "ns1"):
        # A lab test of another disease (measles IgM, dengue NS1) confirms under that disease's case definition.
        return open_case(by=by, person=test.person, confirmed_on=confirmed_on, test_kind=test.kind, disease=test.disease_id,
                         source=test)
    return open_case(by=by, person=test.person, confirmed_on=confirmed_on,
                     test_kind="rt_pcr" if test.kind == "rt_pcr" else "rapid_antigen", source=test)


def record_check(*, by, contact: Contact, day: dt.date, has_symptoms: bool = False, symptoms: str = "",
                 temperature=None, test=None, note: str = "") -> ContactCheck:
    if day > today():
        raise Invalid("Ngày theo dõi ở tương lai.", "The follow-up day is in the future.", field="day")
    if day < contact.first_exposure_on:
        raise Invalid("Ngày theo dõi trước ngày tiếp xúc.", "The follow-up day is before the exposure.", field="day")
    if ContactCheck.objects.filter(contact=contact, day=day).exists():
        raise Invalid(f"Đã có phiếu theo dõi ngày {_d(day)}.", f"There is already a follow-up for {_d(day)}.", field="day")
    check = ContactCheck.objects.create(contact=contact, day=day, has_symptoms=has_symptoms or bool(symptoms), symptoms=symptoms,
                                        temperature=temperature, test=test, note=note, by=by if getattr(by, "pk", None) else None)
    # Conditional update: a later check recorded first is never overwritten by an earlier day.
    Contact.objects.filter(pk=contact.pk).filter(Q(last_check_on__isnull=True) | Q(last_check_on__lt=day)).update(last_check_on=day)
    record(actor=by, action="create", obj=check, person_id=contact.person_id, note=f"follow-up {_d(day)}")
    return check


def under_follow_up(qs, on: dt.date):
    return qs.filter(status=Contact.Status.FOLLOWING, last_exposure_on__lte=on, follow_up_end__gte=on)


def unmonitored(qs, on: dt.date, missed_days: int = 1):
    """Contacts under follow-up without a check for more than `missed_days` days (nobody left unmonitored)."""
    limit = on - dt.timedelta(days=missed_days)
    return under_follow_up(qs, on).filter(
        Q(last_check_on__lt=limit) | Q(last_check_on__isnull=True, last_exposure_on__lt=limit)
    )


def tests_due(qs, on: dt.date):
    """Contacts whose schedule has a test on `on` (test_dates holds ISO dates; a text match works on both databases)."""
    return qs.filter(status=Contact.Status.FOLLOWING, test_dates__icontains=on.isoformat())


def release_finished(on: dt.date | None = None) -> int:
    """Daily job: contacts whose follow-up ended are released."""
    on = on or today()
    return Contact.objects.filter(status=Contact.Status.FOLLOWING, follow_up_end__lt=on).update(status=Contact.Status.RELEASED, **touched(Contact))


# --- Outbreaks -------------------------------------------------------------------------------------
@transaction.atomic
def create_outbreak(*, by, name: str, commune, started_on: dt.date, place_kind: str = "village", place_name: str = "",
                    village=None, facility=None, latitude=None, longitude=None, disease=None) -> Outbreak:
    """`disease` (a Disease or its code; None: the installation's default disease) chooses the outbreak rule it
    closes under (e.g. dengue: 14 days without a new case)."""
    from diseases.selectors import get_disease

    disease = get_disease(disease)
    if started_on > today():
        raise Invalid("Ngày bắt đầu ở tương lai.", "The start date is in the future.", field="started_on")
    if village is not None and village.commune_id != commune.pk:
        raise Invalid("Thôn/làng không thuộc xã đã chọn.", "The village is not in the chosen commune.", field="village")
    check_unit_on(commune, started_on, what_vi="Ổ dịch", what_en="An outbreak")
    if latitude is None and commune.latitude is not None:
        latitude, longitude = commune.latitude, commune.longitude
    ob = Outbreak.objects.create(name=name, commune=commune, started_on=started_on, place_kind=place_kind, place_name=place_name,
                                 village=village, facility=facility, latitude=latitude, longitude=longitude, disease=disease,
                                 created_by=by if getattr(by, "pk", None) else None)
    record(actor=by, action="create", obj=ob, changes={"name": (None, name), "disease": (None, disease.code)})
    return ob


@transaction.atomic
def add_case_to_outbreak(*, by, outbreak: Outbreak, case) -> None:
    if outbreak.status == Outbreak.Status.CLOSED:
        raise Invalid("Ổ dịch đã kết thúc; hãy mở ổ dịch mới.", "The outbreak is closed; open a new one.")
    if case.disease_id and case.disease.code != outbreak.disease_code:
        # A measles case in a dengue outbreak would keep it open under the wrong disease's quiet period.
        raise Invalid(f"Ca bệnh {case.disease.name} không thuộc ổ dịch của bệnh khác.",
                      f"A {case.disease.code} case cannot join an outbreak of another disease.", field="case")
    outbreak.cases.add(case)
    # The case's open contacts belong to the outbreak too.
    Contact.objects.filter(source_case=case, outbreak__isnull=True).update(outbreak=outbreak, **touched(Contact))
    record(actor=by, action="update", obj=outbreak, person_id=case.person_id, note=f"+ F0 #{case.pk}")


def closing_state(outbreak: Outbreak, on: dt.date) -> dict:
    """When the outbreak may close: N days (the outbreak rule of its disease in force) after its last case, counted
    from the last case's onset when the rule says so (dengue: "count_from": "onset"), else from its confirmation."""
    try:
        rule = rule_in_force(disease=outbreak.disease_code, kind="outbreak", on=on)
    except NoRuleInForce:
        return {"rule": None, "days": None, "last_case_on": None, "closable_on": None, "closable": False}
    days = int(rule.value("close_after_days_without_case"))
    if rule.value("count_from") == "onset":
        from cases.selectors import last_case_day

        last = last_case_day(outbreak.cases.all(), "onset") or outbreak.started_on
    else:
        last = outbreak.cases.aggregate(m=Max("confirmed_on"))["m"] or outbreak.started_on
    closable_on = last + dt.timedelta(days=days)
    return {"rule": rule, "days": days, "last_case_on": last, "closable_on": closable_on, "closable": on >= closable_on}


@transaction.atomic
def close_outbreak(*, by, outbreak: Outbreak, on: dt.date) -> Outbreak:
    state = closing_state(outbreak, on)
    if outbreak.status == Outbreak.Status.CLOSED:
        raise Invalid("Ổ dịch đã kết thúc.", "The outbreak is already closed.")
    if not state["closable"]:
        when = _d(state["closable_on"]) if state["closable_on"] else "?"
        raise Invalid(
            f"Chưa đủ {state['days']} ngày không có ca mới (ca cuối {_d(state['last_case_on'])}); có thể kết thúc từ {when}.",
            f"Not yet {state['days']} days without a new case (last case {_d(state['last_case_on'])}); it may close from {when}.",
        )
    update_versioned(outbreak, expected_version=outbreak.version,
                     changes={"status": Outbreak.Status.CLOSED, "closed_on": on, "closing_rule": state["rule"]})
    record(actor=by, action="update", obj=outbreak, changes={"status": ("active", "closed")}, note=state["rule"].source_document,
           actor_label="" if by else "scheduler")
    return outbreak


# --- Outbreaks from case clusters (dengue) and their vector control ------------------------------------------
@transaction.atomic
def detect_clusters(*, by=None, disease: str = "dengue", on: dt.date | None = None) -> dict:
    """Open an outbreak for every village with the rule's number of cases within its window (by onset), or add the
    new cases of such a village to its active outbreak. Cluster size and window come from the disease's outbreak
    rule in force on `on`; a disease without those values (COVID-19) is left alone. Returns what was done."""
    from cases.selectors import cases_by_ids, village_cases
    from diseases.models import Disease
    from geo.models import Village

    on = on or today()
    try:
        rule = rule_in_force(disease=disease, kind="outbreak", on=on)
    except NoRuleInForce:
        return {"opened": [], "extended": [], "rule": None}
    min_cases, window = rule.value("cluster_min_cases"), rule.value("cluster_window_days")
    if not min_cases or not window:
        return {"opened": [], "extended": [], "rule": rule}
    window, min_cases = int(window), int(min_cases)
    # Look back two windows: a cluster is `min_cases` cases whose onsets lie within `window` days of each other,
    # the latest of them within the last window.
    start = on - dt.timedelta(days=2 * window - 1)
    recent = on - dt.timedelta(days=window - 1)
    clusters = []
    for v in village_cases(disease=disease, start=start, end=on, min_cases=min_cases):
        days = [d for d, _pk in v["cases"]]
        hit = any(days[i + min_cases - 1] >= recent and (days[i + min_cases - 1] - days[i]).days < window
                  for i in range(len(days) - min_cases + 1))
        if hit:
            clusters.append({**v, "case_ids": [pk for _d, pk in v["cases"]]})
    if not clusters:
        return {"opened": [], "extended": [], "rule": rule}
    dis = Disease.objects.get(code=disease)
    active = {ob.village_id: ob for ob in Outbreak.objects.filter(disease=dis, status=Outbreak.Status.ACTIVE,
                                                                  village_id__in=[c["village_id"] for c in clusters])}
    villages = Village.objects.in_bulk([c["village_id"] for c in clusters])
    opened, extended = [], []
    for cl in clusters:
        ob = active.get(cl["village_id"])
        if ob is None:
            village = villages[cl["village_id"]]
            cases = list(cases_by_ids(cl["case_ids"]).order_by("confirmed_on"))
            first = min((c.symptom_onset or c.confirmed_on) for c in cases)
            ob = Outbreak.objects.create(
                name=f"Ổ dịch {dis.name} – {village.name}", disease=dis, detected=True, commune_id=cl["commune_id"],
                place_kind=Outbreak.PlaceKind.VILLAGE, village=village, started_on=first,
                created_by=by if getattr(by, "pk", None) else None)
            ob.cases.add(*cases)
            record(actor=by, action="create", obj=ob, actor_label="" if by else "scheduler",
                   changes={"name": (None, ob.name)}, note=f"{len(cases)} ca / {rule.source_document}"[:200])
            opened.append(ob)
        else:
            have = set(ob.cases.values_list("pk", flat=True))
            new_ids = [pk for pk in cl["case_ids"] if pk not in have]
            if new_ids:
                ob.cases.add(*new_ids)
                record(actor=by, action="update", obj=ob, actor_label="" if by else "scheduler",
                       note=("+ F0 " + ", ".join(f"#{pk}" for pk in new_ids))[:200])
                extended.append(ob)
    return {"opened": opened, "extended": extended, "rule": rule}


def detect_clusters_job() -> None:
    """Daily: every disease whose outbreak rule defines clusters (the rule decides, not this code)."""
    from diseases.models import RuleSet

    for code in RuleSet.objects.filter(kind="outbreak", values__has_key="cluster_min_cases").values_list(
            "disease__code", flat=True).distinct():
        detect_clusters(disease=code)


def close_quiet_outbreaks(on: dt.date | None = None) -> int:
    """Daily: close every active detected outbreak whose rule's quiet period has passed."""
    on = on or today()
    n = 0
    for ob in Outbreak.objects.filter(status=Outbreak.Status.ACTIVE, detected=True).select_related("disease"):
        if closing_state(ob, on)["closable"]:
            close_outbreak(by=None, outbreak=ob, on=on)
            n += 1
    return n


@transaction.atomic
def record_vector_action(*, by, outbreak: Outbreak, kind: str, started_on: dt.date, ended_on: dt.date,
                         households_targeted: int, households_covered: int, round_number: int = 1, note: str = ""):
    from .models import VectorControlAction

    if kind not in VectorControlAction.Kind.values:
        raise Invalid("Biện pháp không hợp lệ.", "Unknown vector-control action.", field="kind")
    if ended_on < started_on:
        raise Invalid("Ngày kết thúc trước ngày bắt đầu.", "The end date is before the start date.", field="ended_on")
    if ended_on > today():
        raise Invalid("Ngày kết thúc ở tương lai.", "The end date is in the future.", field="ended_on")
    if started_on < outbreak.started_on - dt.timedelta(days=7):
        raise Invalid(f"Biện pháp bắt đầu trước ổ dịch ({_d(outbreak.started_on)}) hơn 7 ngày.",
                      f"The action starts more than 7 days before the outbreak ({_d(outbreak.started_on)}).", field="started_on")
    if households_targeted <= 0:
        raise Invalid("Số hộ cần xử lý phải lớn hơn 0.", "Households targeted must be above 0.", field="households_targeted")
    if not 0 <= households_covered <= households_targeted:
        raise Invalid("Số hộ đã xử lý phải từ 0 đến số hộ cần xử lý.",
                      "Households covered must be between 0 and households targeted.", field="households_covered")
    action = VectorControlAction.objects.create(
        outbreak=outbreak, kind=kind, started_on=started_on, ended_on=ended_on, households_targeted=households_targeted,
        households_covered=households_covered, round_number=round_number, note=note.strip(),
        by=by if getattr(by, "pk", None) else None)
    record(actor=by, action="create", obj=action, changes={"kind": (None, kind), "households_covered": (None, households_covered)})
    return action


# --- Arrivals --------------------------------------------------------------------------------------
@transaction.atomic
def record_arrival(*, by, person, origin: str, arrived_on: dt.date, means: str = "car", has_symptoms: bool = False,
                   symptoms: str = "", fully_vaccinated: bool | None = None, via: str = Arrival.Via.STAFF) -> Arrival:
    if arrived_on > today():
        raise Invalid("Ngày đến ở tương lai.", "The arrival date is in the future.", field="arrived_on")
    if not origin.strip():
        raise Invalid("Cần nơi đi.", "The place of origin is required.", field="origin")
    if fully_vaccinated is None:
        fully_vaccinated = vaccination_prefill(person, arrived_on)
    # Monitored like a contact under the rule of the time (day 0 = arrival).
    s = schedule(last_exposure=arrived_on, facts=VaccinationFacts(fully_vaccinated))
    arrival = Arrival.objects.create(
        person=person, origin=origin.strip(), arrived_on=arrived_on, means=means, has_symptoms=has_symptoms or bool(symptoms),
        symptoms=symptoms, fully_vaccinated=fully_vaccinated, rule_set_id=s.rule_id, follow_up_end=s.follow_up_end,
        test_dates=[d.isoformat() for d in s.test_dates], via=via, created_by=by if getattr(by, "pk", None) else None,
    )
    record(actor=by, action="create", obj=arrival, person_id=person.pk, actor_label="" if getattr(by, "pk", None) else "public form")
    return arrival


# --- People met in the field (contacts, arrivals, public declarations) ------------------------------
def find_or_create_person(*, by, data: dict, existing=None, accept_new: bool = False, visible=None):
    """The person a tracer or a declarant means: an existing record chosen, or the one with the same ID number,
    or a new record. Returns (person, duplicates); when proposed duplicates exist and the user has neither chosen
    one nor accepted a new record, person is None and the duplicates are returned for the user to choose.
    `visible` (a queryset) limits proposed duplicates to what the user may see (nothing is shown on public pages).
    """
    from people import services as people

    if existing is not None:
        return existing, []
    id_number = (data.get("id_number") or "").strip()
    if id_number and by is None:
        # Public forms: the declarant is linked to the record with his ID, and nothing about it is shown.
        from people.models import Person

        same = Person.objects.filter(id_number=id_number, merged_into__isnull=True).first()
        if same is not None:
            return same, []
    elif id_number:
        from core.scoping import ID_FOUND, ID_OUTSIDE, OUTSIDE_JURISDICTION
        from people.selectors import lookup_person_by_national_id

        found, same = lookup_person_by_national_id(by, id_number)
        if found == ID_FOUND:
            return same, []
        if found == ID_OUTSIDE:  # no name, no record: a link is made only within the user's jurisdiction
            raise Invalid(*OUTSIDE_JURISDICTION, field="id_number")
    dups = people.possible_duplicates(full_name=data["full_name"], birth_year=data["birth_year"], commune=data["commune"],
                                      date_of_birth=data.get("date_of_birth"))
    if visible is not None:
        dups = dups.filter(pk__in=visible.values("pk"))
    dups = list(dups[:10])
    if dups and not accept_new:
        return None, dups
    clean = {k: v for k, v in data.items() if k in ("full_name", "birth_year", "date_of_birth", "sex", "phone", "id_number", "id_kind", "commune", "village", "street")}
    if clean.get("id_number") and not clean.get("id_kind"):
        clean["id_kind"] = "cccd" if len(clean["id_number"]) == 12 else "cmnd" if len(clean["id_number"]) == 9 else "passport"
    return people.create_person(by=by, data=clean), []


@transaction.atomic
def record_arrival_check(*, by, arrival: Arrival, day: dt.date, has_symptoms: bool = False, note: str = "") -> Arrival:
    """Arrivals are followed like contacts: one check a day until the follow-up ends."""
    if day > today():
        raise Invalid("Ngày theo dõi ở tương lai.", "The follow-up day is in the future.", field="day")
    if day < arrival.arrived_on:
        raise Invalid("Ngày theo dõi trước ngày đến.", "The follow-up day is before the arrival.", field="day")
    text = ("Có triệu chứng. " if has_symptoms else "") + note
    Arrival.objects.filter(pk=arrival.pk).filter(Q(last_check_on__isnull=True) | Q(last_check_on__lte=day)).update(
        last_check_on=day, last_check_note=text[:300], has_symptoms=has_symptoms or arrival.has_symptoms)
    record(actor=by, action="update", obj=arrival, person_id=arrival.person_id, note=f"follow-up {_d(day)}: {text}"[:300])
    arrival.refresh_from_db()
    return arrival


def arrivals_under_follow_up(qs, on: dt.date):
    return qs.filter(arrived_on__lte=on, follow_up_end__gte=on)


def unmonitored_arrivals(qs, on: dt.date, missed_days: int = 1):
    limit = on - dt.timedelta(days=missed_days)
    return arrivals_under_follow_up(qs, on).filter(Q(last_check_on__lt=limit) | Q(last_check_on__isnull=True, arrived_on__lt=limit))
