"""Reads of the vaccination app for other apps (scoped through core.scoping; docs/architecture.md, "Selectors")."""
import datetime as dt

from core.scoping import scope

from . import services
from .models import Injection


def injections_with_lot(user, *, product_id: int, lot_code: str):
    """Doses of a product recorded with a lot number (supplies' recall trace), in the user's jurisdiction."""
    return (scope(Injection.objects.filter(product_id=product_id, lot__iexact=lot_code), user)
            .select_related("person", "commune").order_by("given_on", "id"))


def active_campaigns(on):
    """Campaigns running on `on` (supplies' need-based allocation)."""
    from .models import Campaign

    return Campaign.objects.filter(starts_on__lte=on, deadline__gte=on).select_related("unit")


def campaign_remaining(campaign, on) -> int:
    """People still to reach for the campaign's target."""
    from .outreach import progress

    return progress(campaign, on).remaining


def campaign_progress(unit, on, *, disease: str | None = None, ended_within_days: int = 90) -> list[dict]:
    """Campaigns (of one disease, when given) of or inside the unit running on `on` or ended within
    `ended_within_days`, with coverage against target and the people still missing (the length of the campaign's
    missing list, which the figure opens)."""
    import datetime as dt

    from django.urls import reverse

    from .models import Campaign
    from .outreach import missing_people, progress

    qs = (Campaign.objects.filter(unit__path__startswith=unit.path, starts_on__lte=on,
                                  deadline__gte=on - dt.timedelta(days=ended_within_days)).select_related("unit")
          .order_by("deadline", "name"))
    if disease:
        qs = qs.filter(disease__code=disease)
    out = []
    for c in qs[:10]:
        p = progress(c, on)
        out.append({"name": c.name, "unit": c.unit.name, "target_pct": float(c.target_pct), "achieved": p.achieved,
                    "target": p.target_count, "pct": p.percentage, "deadline": c.deadline.isoformat(), "late": p.red_flag,
                    # Over 100 %: flagged with its reason (never a plain number); the projection a date only by the deadline.
                    "over": p.over, "over_reason": over_reason(p) if p.over else None, "denominator": p.denominator,
                    "denominator_source": p.denominator_source, "registry": p.registry,
                    "projected_on": p.projected_on.isoformat() if p.projected_on else None, "projection": p.status,
                    "projection_text": {"vi": p.projection_vi, "en": p.projection_en},
                    "missing": missing_people(c, on).count(),
                    "url": reverse("vaccination:campaign_missing", args=[c.pk]) + f"?ngay={on:%d/%m/%Y}"})
    return out




def over_reason(progress) -> dict:
    """{"vi", "en"}: why a campaign's figure exceeds 100 % (outreach.OVER_100_REASON)."""
    from .outreach import OVER_100_REASON

    return {"vi": OVER_100_REASON[0], "en": OVER_100_REASON[1]}


def is_fully_vaccinated(person, on: dt.date) -> bool:
    """Fully vaccinated on `on` under the "fully_vaccinated" rule version then in force (cases' and contacts'
    prefill of a person's vaccination status)."""
    return services.is_fully_vaccinated(person, on)


def coverage(unit, on: dt.date) -> dict:
    """Coverage of `unit` on `on` by age band and group (the daily report's section; cached, see services.coverage):
    {"population_year", "bands", "groups", …}."""
    return services.coverage(unit, on)


def coverage_for_levels_many(units, on: dt.date) -> dict[int, dict]:
    """unit id → the coverage figures epidemic levels use (adult_1dose_pct, age50_full_pct, high_risk_full_pct,
    full_pct), for many units in one pass."""
    return services.coverage_for_levels_many(units, on)
def field_door_to_door(user, *, on) -> list[dict]:
    """The field app's door-to-door worklist: for a user placed on a commune, its villages' people who are
    unvaccinated, due or overdue on `on` (vaccination.outreach.door_to_door, scoped to the user), most at risk first,
    with only the fields a visit needs. Other users (a district, the province) get none: visits are a commune's work."""
    from geo.models import Level, Village

    from .outreach import door_to_door

    unit = user.jurisdiction_unit
    if unit is None or unit.level != Level.COMMUNE:
        return []
    out = []
    for village in scope(Village.objects.filter(commune=unit).order_by("name"), user):
        for e in door_to_door(village, on, user):
            p = e.person
            out.append({"id": p.pk, "version": p.version, "village": village.name, "state": e.state,
                        "next_label": e.next_label, "risk_labels": e.risk_labels, "refusal": e.refusal,
                        "person": {"id": p.pk, "version": p.version, "full_name": p.full_name, "birth_year": p.birth_year,
                                   "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
                                   "sex": p.sex, "phone": p.phone, "street": p.street, "village": village.name}})
    return out


def product_by_code(code: str):
    """A vaccine product by its code (reference data, not place-bound), or None."""
    from .models import Product

    return Product.objects.filter(code=str(code or "")).first()


def doses_against(person, disease, on) -> int:
    """How many doses of a vaccine against `disease` the person had by `on` (routine and catch-up doses)."""
    from .models import RoutineDose

    return RoutineDose.objects.filter(person=person, disease_id=getattr(disease, "pk", disease), given_on__lte=on).count()


def _field_person(p, village_name: str) -> dict:
    """A person as the field app's worklists carry him: what a visit or a dose needs, nothing more."""
    return {"id": p.pk, "version": p.version, "full_name": p.full_name, "birth_year": p.birth_year,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
            "sex": p.sex, "phone": p.phone, "street": p.street, "village": village_name}


def field_session(user, *, on) -> list[dict]:
    """The field app's "today's vaccination session" worklist: for a user who may record doses and is placed on a
    commune, the commune's people who are targets of a campaign in progress and due a dose on `on`
    (outreach.session_list, scoped to the user), with the dose to give and the products that fit the person's age
    under the schedules in force. Others (district, province, roles that do not vaccinate) get none."""
    from accounts.roles import can
    from geo.models import Level, Village

    from .models import Product
    from .outreach import session_list

    unit = user.jurisdiction_unit
    if unit is None or unit.level != Level.COMMUNE or not can(user, "vaccination.edit"):
        return []
    entries = session_list(unit, on, user)
    villages = dict(Village.objects.filter(pk__in={e.person.village_id for _c, e in entries if e.person.village_id})
                    .values_list("pk", "name"))
    schedules = list(services._in_force(services.Schedule.objects.select_related("product"), on))
    routine = {}  # disease id → its products' codes (catch-up campaigns)
    for code, disease_id in Product.objects.filter(disease_id__in={c.disease_id for c, _e in entries if c.target == "catch_up"}
                                                   ).values_list("code", "disease_id"):
        routine.setdefault(disease_id, []).append(code)
    out = []
    for campaign, e in entries:
        p = e.person
        if campaign.target == "catch_up":
            products = routine.get(campaign.disease_id, [])
        else:
            products = sorted({s.product.code for s in schedules if s.covers_age(e.age)})
        village = villages.get(p.village_id, "")
        out.append({"id": p.pk, "version": p.version, "village": village, "state": e.state, "next_label": e.next_label,
                    "dose_kind": e.dose_kind, "dose_number": e.dose_number, "products": products,
                    "campaign": campaign.name, "campaign_id": campaign.pk, "risk_labels": e.risk_labels,
                    "refusal": e.refusal, "person": _field_person(p, village)})
    out.sort(key=lambda r: (r["village"], r["person"]["full_name"]))
    return out


def field_products(on) -> list[dict]:
    """Vaccine products the field app's dose form offers: those of the dose registry with a schedule in force on `on`,
    and those without schedules against a disease (routine and catch-up doses). Reference data, not place-bound."""
    from .models import Product, Schedule

    scheduled = set(Schedule.objects.values_list("product_id", flat=True).distinct())
    in_force = set(services._in_force(Schedule.objects.all(), on).values_list("product_id", flat=True))
    return [{"code": p.code, "name": p.name} for p in Product.objects.order_by("name")
            if p.pk in in_force or (p.pk not in scheduled and p.disease_id is not None)]


def campaign_by_id(pk):
    """A catch-up campaign by id (the field app's routine dose names the campaign it was given under), or None.
    Campaigns are plans, not personal data; a wrong or absent id simply links none."""
    from .models import Campaign

    try:
        return Campaign.objects.filter(pk=int(pk), target=Campaign.Target.CATCH_UP).first()
    except (TypeError, ValueError):
        return None
def coverage_for_levels_rollup(owners: dict, on: dt.date, population_rows=None, era_keys=()) -> dict:
    """The same figures summed over groups of communes: `owners` = {commune id: keys it adds to} → {key: figures}
    (levels' country-wide assessment, which has already mapped every commune to the units above it).
    `population_rows`: those of `population_rows_for_levels`, when the caller read them for its own use.
    `era_keys`: the keys of pre-2025 units, which count re-homed people on their commune of the time."""
    return services.coverage_for_levels_rollup(owners, on, population_rows, era_keys)


def population_rows_for_levels(commune_ids) -> list[dict]:
    """Population per commune and year ({"unit_id", "year", "n", "adult", "elderly", "bands"}), the coverage
    denominators' rows, in one grouped query (`commune_ids`: ids, core.sqlids.ids_in or a subquery)."""
    return services.population_rows_for_levels(commune_ids)

