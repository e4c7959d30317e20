"""Campaigns against deadlines and door-to-door lists ("đi từng ngõ, gõ từng nhà, rà từng người")."""
import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from audit.services import record
from core.errors import Invalid
from geo.eras import check_unit_during, unit_of_person_on
from geo.models import AGE_BAND_BOUNDS

from . import services
from .models import Campaign, Injection, RoutineDose, Visit

MILESTONE = {"dose1": "first_on", "full": "primary_done_on", "booster": "booster1_on"}
RATE_WINDOW_DAYS = 14  # the "recent daily rate": mean of the last two weeks (documented in docs/vaccination.md)


def _cut(on: dt.date, years: int) -> dt.date:
    return services._years_before(on, years)


# A projection after the deadline always reads "không đạt đến hạn"; its date is kept (shown beside it, "at this
# pace") only up to PROJECTION_HORIZON past the deadline. Beyond (a slow campaign once read "2518") there is no date,
# and none is computed (no overflow past the year 9999).
PROJECTION_HORIZON = dt.timedelta(days=365)
PROJECTION_TEXT = {
    "reached": ("Đã đạt chỉ tiêu", "Target reached"),
    "on_track": ("Dự kiến đạt trước hạn", "Expected by the deadline"),
    "will_miss": ("Không đạt đến hạn (theo tốc độ 14 ngày qua)", "Will not be reached by the deadline (at the pace of the last 14 days)"),
    "no_pace": ("Không đạt đến hạn (không có mũi nào trong 14 ngày qua)", "Will not be reached by the deadline (no dose in the last 14 days)"),
    "deadline_passed": ("Không đạt đến hạn (đã quá hạn)", "Not reached by the deadline (the deadline has passed)"),
    "no_target": ("Chưa có đối tượng", "No target population"),
}
# Why a campaign's figure can pass 100 %: its numerator is the registry's doses, its denominator the population.
OVER_100_REASON = ("Số người đã tiêm vượt mẫu số (dân số ước tính hoặc số người trong độ tuổi): người ngoài địa bàn "
                   "tiêm tại đây, người chuyển đến chưa có trong ước tính, hoặc ước tính thấp hơn thực tế.",
                   "More people vaccinated than the denominator (population estimate or people of that age): people "
                   "from elsewhere vaccinated here, newcomers not in the estimate, or an estimate below reality.")


@dataclass
class Progress:
    campaign: Campaign
    on: dt.date
    achieved: int
    target_count: int
    denominator: int
    percentage: float | None
    daily_rate: float
    projected_on: dt.date | None  # None: never at this pace or over a year late (`status` says which)
    red_flag: bool
    status: str = ""  # PROJECTION_TEXT's keys
    denominator_source: str = "population"  # "population" (the estimate at the date) or "registry"
    registry: int | None = None  # people of the age range in the registry, shown beside the population

    @property
    def remaining(self) -> int:
        return max(0, self.target_count - self.achieved)

    @property
    def over(self) -> bool:
        """The figure exceeds 100 %: shown with its reason (OVER_100_REASON), never as a plain number."""
        return bool(self.denominator) and self.achieved > self.denominator

    @property
    def projection_vi(self) -> str:
        return PROJECTION_TEXT.get(self.status, ("", ""))[0]

    @property
    def projection_en(self) -> str:
        return PROJECTION_TEXT.get(self.status, ("", ""))[1]


def project(*, remaining: int, recent: int, on: dt.date, deadline: dt.date) -> tuple[str, dt.date | None]:
    """(status, date) of a campaign's completion at the pace of its last RATE_WINDOW_DAYS. "on_track": the date is on
    or before the deadline; "will_miss" (too slow), "no_pace" (no dose in the window) and "deadline_passed" read
    "không đạt đến hạn" (PROJECTION_TEXT); a late date is kept only within PROJECTION_HORIZON of the deadline."""
    if remaining <= 0:
        return "reached", on
    if on > deadline:
        return "deadline_passed", None
    if recent <= 0:
        return "no_pace", None
    days = -(-remaining * RATE_WINDOW_DAYS // recent)  # ceil, in integers; compared before any date is built
    if days <= (deadline - on).days:
        return "on_track", on + dt.timedelta(days=days)
    if days > (deadline - on).days + PROJECTION_HORIZON.days:
        return "will_miss", None
    return "will_miss", on + dt.timedelta(days=days)


def _denominator(campaign: Campaign, ids: list[int], on: dt.date) -> tuple[int, str, int]:
    """(denominator, which one: "population" | "registry", people of the range in the registry): the population
    estimate at the date when the age range matches whole bands, else the people registered in that range. Both are
    given so that the page shows them side by side and says which is divided by."""
    registry = people_in_range(campaign, ids, on).count()
    bands = [b for b, (lo, hi) in AGE_BAND_BOUNDS.items()
             if lo >= campaign.age_min and (campaign.age_below is None or hi < campaign.age_below)]
    covered = {lo for b, (lo, hi) in AGE_BAND_BOUNDS.items() if b in bands}
    aligned = bands and min(covered) == campaign.age_min
    if aligned:
        pop, year = services.population(campaign.unit, on)
        total = sum(pop[b] for b in bands)
        if total:
            return total, "population", registry
    return registry, "registry", registry


def _people_of(campaign: Campaign, ids):
    """The registry's people of the campaign's communes: on a pre-2025 unit (a campaign started before 01/07/2025),
    the people of its time, re-homed since or not (docs/geo.md, re-homing)."""
    from people import selectors as people_selectors
    from people.models import Person

    q = people_selectors.people_of_communes_q(ids, of_their_time=people_selectors.of_their_time(campaign.unit))
    return Person.objects.filter(q, merged_into__isnull=True)


def people_in_range(campaign: Campaign, ids: list[int], on: dt.date):
    qs = _people_of(campaign, ids)
    return qs.filter(_age_q(on, campaign.age_min, campaign.age_below, min_months=campaign.age_min_months))


def _months_before(on: dt.date, months: int) -> dt.date:
    y, m = divmod(on.year * 12 + on.month - 1 - months, 12)
    m += 1
    day = min(on.day, [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])
    return dt.date(y, m, day)


def _age_q(on: dt.date, age_min: int, age_below: int | None, *, min_months: int | None = None) -> Q:
    def born_on_or_before(cut: dt.date) -> Q:
        july = dt.date(cut.year, 7, 1)
        year_only = Q(birth_year__lt=cut.year) | (Q(birth_year=cut.year) if cut >= july else Q(pk__in=[]))
        return Q(date_of_birth__lte=cut) | (Q(date_of_birth__isnull=True) & year_only)

    q = born_on_or_before(_months_before(on, min_months) if min_months is not None else _cut(on, age_min))
    if age_below is not None:
        q &= ~born_on_or_before(_cut(on, age_below))
    return q


# --- catch-up campaigns (e.g. measles 2025: children 1–10 years without two doses) --------------------------------
def catch_up_policy(disease, on: dt.date) -> dict:
    """The age range and doses a new catch-up campaign starts from: the disease's vaccination policy in force
    (kind vaccination_policy), refused naming the rule when none covers the day."""
    from diseases.selectors import in_force

    rule = in_force(disease, "vaccination_policy", on, field="starts_on")
    months = rule.value("catch_up_age_min_months")
    return {"age_min_months": months, "age_min": (months or 0) // 12, "age_below": (rule.value("catch_up_age_max_years") or 0) + 1 or None,
            "target_doses": rule.value("catch_up_target_doses"), "target_pct": rule.value("coverage_target_percent") or 100,
            "source": rule.source_document, "rule": rule}


def _dose_counts(disease_id: int, on: dt.date):
    return (RoutineDose.objects.filter(person_id=OuterRef("pk"), disease_id=disease_id, given_on__lte=on)
            .order_by().values("person_id").annotate(n=Count("id")).values("n"))


def _reached(campaign: Campaign, on: dt.date):
    """Ids of the people with the campaign's doses by `on`: one grouped scan of the disease's doses (the NOT IN of
    the target list is a hashed anti-join, not a probe per person)."""
    return (RoutineDose.objects.filter(disease_id=campaign.disease_id, given_on__lte=on).order_by().values("person_id")
            .annotate(n=Count("id")).filter(n__gte=campaign.target_doses or 1).values("person_id"))


def catch_up_people(campaign: Campaign, on: dt.date, *, village=None, commune_ids: list[int] | None = None):
    """Everyone of the campaign's age range in its units (the registry)."""
    ids = commune_ids if commune_ids is not None else services.communes_of(campaign.unit)
    qs = _people_of(campaign, ids)
    if village is not None:
        qs = qs.filter(village=village)
    return qs.filter(_age_q(on, campaign.age_min, campaign.age_below, min_months=campaign.age_min_months))


def with_doses(qs, campaign: Campaign, on: dt.date):
    """`doses` = each person's doses against the campaign's disease by `on` (for the rows shown)."""
    return qs.annotate(doses=Coalesce(Subquery(_dose_counts(campaign.disease_id, on), output_field=IntegerField()), Value(0)))


def catch_up_targets(campaign: Campaign, on: dt.date, **kw):
    """The target list: people of the age range with fewer doses than the campaign asks (set-based, one query;
    `doses` on each row)."""
    people = catch_up_people(campaign, on, **kw)
    if kw.get("village") is not None:  # a village's hundred people: a probe of the (disease, person) index each
        return with_doses(people, campaign, on).filter(doses__lt=campaign.target_doses or 1)
    return with_doses(people.exclude(pk__in=_reached(campaign, on)), campaign, on)


def _catch_up_counts(campaign: Campaign, on: dt.date) -> tuple[int, int, int, str, int]:
    """A catch-up campaign's (people reached by `on`, doses of the last RATE_WINDOW_DAYS, its target people, "registry",
    the same): its denominator is always the registry."""
    ids = services.communes_of(campaign.unit)
    counts = catch_up_people(campaign, on, commune_ids=ids).aggregate(
        den=Count("id"), achieved=Count("id", filter=Q(pk__in=_reached(campaign, on))))
    start = on - dt.timedelta(days=RATE_WINDOW_DAYS - 1)
    recent = RoutineDose.objects.filter(disease_id=campaign.disease_id, commune_id__in=ids, given_on__range=(start, on),
                                        dose_number=campaign.target_doses or 1).count()
    return counts["achieved"], recent, counts["den"], "registry", counts["den"]


def catch_up_door_to_door(campaign: Campaign, village, on: dt.date, user=None) -> list["DoorEntry"]:
    """The door-to-door list of a catch-up campaign for one village: who lacks doses, youngest unvaccinated first;
    contraindicated and moved-away people excluded, refusals shown (the visits of the vaccination app)."""
    from core.scoping import scope

    qs = catch_up_targets(campaign, on, village=village)
    if user is not None:
        qs = scope(qs, user)
    return _catch_up_entries(campaign, list(qs), on)


def _catch_up_entries(campaign: Campaign, people: list, on: dt.date) -> list["DoorEntry"]:
    """Door-to-door entries of catch-up targets (each with `doses` annotated, catch_up_targets): one query."""
    last_visit: dict[int, Visit] = {}
    for v in Visit.objects.filter(person__in=[p.pk for p in people]).order_by("person_id", "visited_on", "id"):
        last_visit[v.person_id] = v
    disease_name = campaign.disease.name.lower() if campaign.disease_id else ""
    out = []
    for p in people:
        v = last_visit.get(p.pk)
        if v and v.outcome in (Visit.Outcome.CONTRAINDICATED, Visit.Outcome.MOVED):
            continue
        state = "unvaccinated" if p.doses == 0 else "due"
        refusal = v.reason or "—" if v and v.outcome == Visit.Outcome.REFUSED else None
        out.append(DoorEntry(p, p.age_on(on), state, f"Mũi {p.doses + 1} vắc xin phòng {disease_name}".strip(), 0, [], refusal,
                             "routine", p.doses + 1))
    order = {"unvaccinated": 0, "due": 1, "overdue": 0}
    out.sort(key=lambda e: (order[e.state], e.age if e.age is not None else 99, e.person.name_folded))
    return out


def progress(campaign: Campaign, on: dt.date) -> Progress:
    from core.dataversion import cached

    # Two counts over the dose summary and a denominator: cached under the versions of the data they read (the page
    # lists every campaign; a province campaign's counts scan 800,000 summary rows).
    key = ("campaign-den", campaign.pk, campaign.unit_id, campaign.target, campaign.age_min, campaign.age_below, on.isoformat())
    if campaign.target == Campaign.Target.CATCH_UP:
        achieved, recent, den, den_source, registry = _catch_up_counts(campaign, on)  # routine doses: not versioned
    else:
        achieved, recent, den, den_source, registry = cached(key, versions=("vaccination", "population", "people"),
                                       compute=lambda: _progress_counts(campaign, on))
    target_count = int(round(den * float(campaign.target_pct) / 100))
    rate = recent / RATE_WINDOW_DAYS
    remaining = max(0, target_count - achieved)
    status, projected = project(remaining=remaining, recent=recent, on=on, deadline=campaign.deadline)
    if not den:
        status, projected = "no_target", None
    red = remaining > 0 and status != "on_track"
    pct = round(100.0 * achieved / den, 2) if den else None
    return Progress(campaign, on, achieved, target_count, den, pct, round(rate, 2), projected, red, status, den_source, registry)


def _progress_counts(campaign: Campaign, on: dt.date) -> tuple[int, int, int, str, int]:
    """(people with the campaign's target dose by `on`, of them in the last RATE_WINDOW_DAYS, the denominator, which
    one it is, the people of the range in the registry)."""
    ids = services.communes_of(campaign.unit)
    field = MILESTONE[campaign.target]
    params = [_cut(on, campaign.age_min)]
    age_sql = "birth_date <= %s"
    if campaign.age_below is not None:
        age_sql += " AND birth_date > %s"
        params.append(_cut(on, campaign.age_below))
    start = on - dt.timedelta(days=RATE_WINDOW_DAYS - 1)
    from people import selectors as people_selectors

    rows = people_selectors.summary_rows_sql("vaccination_personvaccination", ids,
                                             of_their_time=people_selectors.of_their_time(campaign.unit))
    with connection.cursor() as cur:
        cur.execute(f"""SELECT COUNT(CASE WHEN {field} <= %s THEN 1 END),
                               COUNT(CASE WHEN {field} BETWEEN %s AND %s THEN 1 END)
                        FROM {rows} s WHERE {age_sql}""",
                    [on, start, on, *params])
        achieved, recent = cur.fetchone()
    return (achieved, recent, *_denominator(campaign, ids, on))


def missing_people(campaign: Campaign, on: dt.date):
    """People of the target age in the campaign's units without the target dose by `on`."""
    if campaign.target == Campaign.Target.CATCH_UP:
        return catch_up_targets(campaign, on)
    ids = services.communes_of(campaign.unit)
    field = MILESTONE[campaign.target]
    from .models import PersonVaccination

    done = PersonVaccination.objects.filter(**{f"{field}__lte": on}).values("person_id")
    return people_in_range(campaign, ids, on).exclude(pk__in=done)


@transaction.atomic
def create_campaign(*, by, data: dict) -> Campaign:
    if data["deadline"] < data["starts_on"]:
        raise Invalid("Hạn hoàn thành trước ngày bắt đầu.", "The deadline is before the start.")
    # A campaign lies on a unit of a structure in force during its period (geo.eras): one running across
    # 01/07/2025 may be on the old province or on today's.
    check_unit_during(data.get("unit"), data["starts_on"], data["deadline"], field="unit",
                      what_vi="Chiến dịch tiêm chủng", what_en="A vaccination campaign")
    if isinstance(data.get("disease"), str) or data.get("disease") is None:
        from diseases.selectors import get_disease

        data = dict(data)
        data["disease"] = get_disease(data.get("disease") or None)
    if data.get("target") == Campaign.Target.CATCH_UP:
        # The age range is chosen at creation; what is not given comes from the disease's policy in force.
        from diseases.selectors import get_disease

        data = dict(data)
        data["disease"] = get_disease(data.get("disease"))
        policy = catch_up_policy(data["disease"], data["starts_on"])
        for key in ("age_min_months", "age_below", "target_doses", "source"):
            if data.get(key) in (None, ""):
                data[key] = policy[key]
        if data.get("age_min") is None:
            data["age_min"] = (data["age_min_months"] or 0) // 12
        if not data.get("target_doses"):
            raise Invalid("Chiến dịch tiêm bù cần số mũi phải đủ.", "A catch-up campaign needs the number of doses to reach.",
                          field="target_doses")
    campaign = Campaign.objects.create(created_by=by if getattr(by, "pk", None) else None, **data)
    record(actor=by, action="create", obj=campaign)
    return campaign


# --- door-to-door ------------------------------------------------------------------------------------------------
@dataclass
class DoorEntry:
    person: object
    age: int | None
    state: str  # "unvaccinated" | "due" | "overdue"
    next_label: str
    risk: int
    risk_labels: list
    refusal: str | None
    # The dose to give next (the field app's dose form starts from it): ("primary", 1), ("booster", 1)…
    dose_kind: str = ""
    dose_number: int | None = None


STATE_LABELS = {"unvaccinated": "Chưa tiêm", "due": "Đến hạn", "overdue": "Quá hạn"}


def _risk(person, age: int | None) -> tuple[int, list[str]]:
    """65+ first, then 50+, comorbidities, immunocompromised, pregnant (directive 000: high-risk groups first)."""
    score, labels = 0, []
    if age is not None and age >= 65:
        score, labels = score + 100, [*labels, "≥ 65 tuổi"]
    elif age is not None and age >= 50:
        score, labels = score + 60, [*labels, "≥ 50 tuổi"]
    if person.comorbidities:
        score, labels = score + 40, [*labels, "Bệnh nền"]
    if person.is_immunocompromised:
        score, labels = score + 40, [*labels, "Suy giảm miễn dịch"]
    if person.is_pregnant:
        score, labels = score + 30, [*labels, "Mang thai"]
    return score, labels


def door_to_door(village, on: dt.date, user=None) -> list[DoorEntry]:
    """Who in the village is unvaccinated, due or overdue on `on`, most at risk first; contraindicated and
    moved-away people excluded (their latest visit), refusals shown with the reason."""
    from core.scoping import scope
    from people.models import Person

    qs = Person.objects.filter(village=village, merged_into__isnull=True)
    if user is not None:
        qs = scope(qs, user)
    return due_entries(list(qs), on)


def due_entries(people: list, on: dt.date) -> list[DoorEntry]:
    """Of these people, who is unvaccinated, due or overdue on `on` by the schedules and dose policy in force, most
    at risk first; contraindicated and moved-away people excluded (their latest visit). Four queries for the list."""
    from .models import PersonVaccination

    summaries = {s.person_id: s for s in PersonVaccination.objects.filter(person_id__in=[p.pk for p in people])}
    last_primary = {}  # the schedule of the last primary dose gives the interval to the next one
    for inj in (Injection.objects.filter(person_id__in=[pid for pid, s in summaries.items() if s.primary_done_on is None or s.primary_done_on > on],
                                         dose_kind="primary", given_on__lte=on).select_related("schedule").order_by("person_id", "given_on", "id")):
        last_primary[inj.person_id] = inj
    last_visit: dict[int, Visit] = {}
    for v in Visit.objects.filter(person__in=[p.pk for p in people]).order_by("person_id", "visited_on", "id"):
        last_visit[v.person_id] = v
    in_force = services.all_schedules_in_force(on)
    min_age = min((s.age_min for s in in_force), default=None)
    policy = services.policy_in_force(on)
    out = []
    for p in people:
        v = last_visit.get(p.pk)
        if v and v.outcome in (Visit.Outcome.CONTRAINDICATED, Visit.Outcome.MOVED):
            continue
        age = p.age_on(on)
        pv = summaries.get(p.pk)
        state, label, nxt = None, "", ("", None)
        if pv is None or pv.first_on is None or pv.first_on > on:
            if min_age is not None and age is not None and age >= min_age:
                state, label, nxt = "unvaccinated", "Mũi 1", ("primary", 1)
        elif pv.primary_done_on is None or pv.primary_done_on > on:
            last = last_primary.get(p.pk)
            sched = last.schedule if last else None
            if sched is None:
                state, label = "due", "Mũi cơ bản tiếp theo"
                nxt = ("primary", None)
            else:
                due = last.given_on + dt.timedelta(days=sched.recommended_interval_days or sched.min_interval_days)
                if due > on:
                    continue  # not yet due
                state, label, nxt = "due", f"Mũi cơ bản {last.dose_number + 1}", ("primary", last.dose_number + 1)
                if policy and on > due + dt.timedelta(days=policy.overdue_after_days):
                    state = "overdue"
        elif policy and (pv.booster1_on is None or pv.booster1_on > on) and age is not None and age >= policy.booster_age_min:
            base = max(d for d in (pv.primary_done_on, pv.additional_on) if d and d <= on)
            due = base + dt.timedelta(days=policy.booster_min_days)
            if due <= on:
                state, label = ("overdue" if on > due + dt.timedelta(days=policy.overdue_after_days) else "due"), "Mũi nhắc lại 1"
                nxt = ("booster", 1)
        if state is None:
            continue
        risk, labels = _risk(p, age)
        refusal = v.reason or "—" if v and v.outcome == Visit.Outcome.REFUSED else None
        out.append(DoorEntry(p, age, state, label, risk, labels, refusal, *nxt))
    order = {"overdue": 0, "due": 1, "unvaccinated": 2}
    out.sort(key=lambda e: (-e.risk, order[e.state], -(e.age or 0), e.person.name_folded))
    return out


def session_list(commune, on: dt.date, user=None) -> list[tuple[Campaign, DoorEntry]]:
    """Today's vaccination session list of a commune: its people who are targets of a vaccination campaign in
    progress on `on` (the commune's own, or its district's or province's) and due a dose on `on` by the schedules
    and dose policy in force (`due_entries`; catch-up campaigns: fewer doses than the campaign asks), each once, under
    the campaign ending first. Set-based: a query per campaign for its targets, then four for the whole list."""
    from core.scoping import scope
    from people.models import Person

    from .models import PersonVaccination

    codes = commune.path.strip("/").split("/")
    above = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    campaigns = (Campaign.objects.filter(starts_on__lte=on, deadline__gte=on, unit__path__in=above)
                 .select_related("disease").order_by("deadline", "pk"))
    out: dict[int, tuple[Campaign, DoorEntry]] = {}
    registry: dict[int, Campaign] = {}  # person id → the first dose-registry campaign that targets him
    for c in campaigns:
        if c.target == Campaign.Target.CATCH_UP:
            qs = catch_up_targets(c, on, commune_ids=[commune.pk])
            if user is not None:
                qs = scope(qs, user)
            for e in _catch_up_entries(c, list(qs), on):
                out.setdefault(e.person.pk, (c, e))
            continue
        done = PersonVaccination.objects.filter(**{f"{MILESTONE[c.target]}__lte": on}).values("person_id")
        for pk in people_in_range(c, [commune.pk], on).exclude(pk__in=done).values_list("pk", flat=True):
            registry.setdefault(pk, c)
    if registry:
        qs = Person.objects.filter(pk__in=list(registry), merged_into__isnull=True)
        if user is not None:
            qs = scope(qs, user)
        for e in due_entries(list(qs), on):
            out.setdefault(e.person.pk, (registry[e.person.pk], e))
    return list(out.values())


@transaction.atomic
def record_visit(*, by, person, outcome: str, reason: str = "", visited_on: dt.date | None = None) -> Visit:
    if outcome not in Visit.Outcome.values:
        raise Invalid("Kết quả không hợp lệ.", "Invalid outcome.")
    if outcome in (Visit.Outcome.REFUSED, Visit.Outcome.CONTRAINDICATED) and not (reason or "").strip():
        raise Invalid("Cần ghi lý do từ chối/chống chỉ định.", "A reason is required for a refusal or a contraindication.")
    visited_on = visited_on or dt.date.today()
    commune = unit_of_person_on(person, visited_on, field="visited_on", what_vi="Lần đến nhà", what_en="A visit")
    visit = Visit.objects.create(person=person, commune_id=commune.pk, visited_on=visited_on,
                                 outcome=outcome, reason=(reason or "").strip(), recorded_by=by if getattr(by, "pk", None) else None)
    record(actor=by, action="create", obj=visit, person_id=person.pk, changes={"outcome": (None, outcome), "reason": (None, visit.reason)})
    return visit


def door_to_door_xlsx(village, entries, on: dt.date) -> bytes:
    import io

    from openpyxl import Workbook

    from core.exports import xlsx_append

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    xlsx_append(ws, [f"Danh sách tiêm chủng tại {village.name}, {village.commune.name} — ngày {on:%d/%m/%Y}"])
    xlsx_append(ws, ["STT", "Họ và tên", "Năm sinh", "Tuổi", "Nguy cơ", "Tình trạng", "Mũi cần tiêm", "Từ chối trước (lý do)",
               "Điện thoại", "Địa chỉ", "Kết quả (đã tiêm/từ chối/vắng/chống chỉ định/chuyển đi)"])
    for n, e in enumerate(entries, start=1):
        xlsx_append(ws, [n, e.person.full_name, e.person.birth_year, e.age, ", ".join(e.risk_labels), STATE_LABELS[e.state],
                   e.next_label, e.refusal or "", e.person.phone, e.person.street, ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def door_to_door_pdf(village, entries, on: dt.date) -> bytes:
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from core.pdf import paragraph

    from .certificates import _fonts

    regular, bold = _fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=10 * mm,
                            title=f"Danh sách tiêm chủng {village.name}")
    title = ParagraphStyle("t", fontName=bold, fontSize=12, leading=15)
    cell = ParagraphStyle("c", fontName=regular, fontSize=8, leading=10)
    rows = [["STT", "Họ và tên", "Năm sinh", "Nguy cơ", "Tình trạng", "Mũi cần tiêm", "Từ chối trước", "Điện thoại", "Kết quả"]]
    for n, e in enumerate(entries, start=1):
        rows.append([str(n), paragraph(e.person.full_name, cell), str(e.person.birth_year), paragraph(", ".join(e.risk_labels), cell),
                     STATE_LABELS[e.state], e.next_label, paragraph(e.refusal or "", cell), e.person.phone, ""])
    table = Table(rows, repeatRows=1, colWidths=[10 * mm, 50 * mm, 18 * mm, 40 * mm, 22 * mm, 35 * mm, 40 * mm, 25 * mm, 35 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), regular), ("FONTNAME", (0, 0), (-1, 0), bold), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]))
    doc.build([paragraph(f"Danh sách đi từng nhà – {village.name}, {village.commune.name} – ngày {on:%d/%m/%Y}", title), table])
    return buf.getvalue()
