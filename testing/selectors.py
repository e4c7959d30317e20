"""Reads of the testing app for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

from geo import areas

from .models import Campaign, CampaignTarget, Result, Test


def screening_kits_needed_by_commune(on) -> dict[int, int]:
    """Per commune: people targeted by a screening campaign still open on `on` who have no negative test in its
    window yet — each needs one kit (supplies' need-based allocation). One query per open campaign."""
    from .campaigns import window

    out: dict[int, int] = {}
    for campaign in Campaign.objects.filter(deadline__gte=on):
        start, end = window(campaign)
        ok = Test.objects.filter(person=OuterRef("person"), result=Result.NEGATIVE, kind__in=campaign.accepted_kinds,
                                 taken_on__gte=start, taken_on__lte=end)
        rows = (CampaignTarget.objects.filter(campaign=campaign).annotate(done=Exists(ok)).filter(done=False)
                .values("person__commune_id").annotate(n=Count("id")).order_by())
        for r in rows:
            out[r["person__commune_id"]] = out.get(r["person__commune_id"], 0) + r["n"]
    return out


def daily_figures(day: dt.date, area) -> dict:
    """The daily report's testing figures (people living in `area`, geo.areas.under_q; all when None): samples taken that day,
    positives reported that day, cumulative samples up to the day, and that day's samples by kind."""
    qs = Test.objects.all()
    if area is not None:
        qs = qs.filter(areas.under_q(area, "person__commune"))
    agg = qs.aggregate(
        today=Count("id", filter=Q(taken_on=day)),
        positive_today=Count("id", filter=Q(reported_on=day, result=Result.POSITIVE)),
        cumulative=Count("id", filter=Q(taken_on__lte=day)),
    )
    by_kind = {r["kind"]: r["n"] for r in qs.filter(taken_on=day).values("kind").annotate(n=Count("id")).order_by()}
    return {**agg, "by_kind": by_kind}


def field_screening(user, *, on) -> list[dict]:
    """The field app's "screening targets" worklist: for a user who may record tests, the people of the screening
    campaigns whose window holds `on` (seen by the user, core.scoping) who have no sample of an accepted kind taken
    in the window yet (an invalid result counts as none), each person once with his campaigns. One query per open
    campaign; only what a sampling visit needs (no ID number)."""
    from accounts.roles import can
    from core.scoping import scope

    from .campaigns import window

    if not can(user, "testing.edit"):
        return []
    out: dict[int, dict] = {}
    for campaign in scope(Campaign.objects.filter(deadline__gte=on), user).order_by("deadline", "pk"):
        start, end = window(campaign)
        if start > on:
            continue  # a sample taken before the window would not count: the campaign's list comes when it opens
        sampled = (Test.objects.filter(person=OuterRef("person"), kind__in=campaign.accepted_kinds, taken_on__gte=start,
                                       taken_on__lte=end).exclude(result=Result.INVALID))
        rows = (scope(CampaignTarget.objects.filter(campaign=campaign), user).annotate(sampled=Exists(sampled)).filter(sampled=False)
                .values("group", "person_id", "person__version", "person__full_name", "person__birth_year", "person__date_of_birth",
                        "person__sex", "person__phone", "person__street", "person__village__name").order_by())
        for r in rows:
            rec = out.get(r["person_id"])
            if rec is None:
                village = r["person__village__name"] or ""
                rec = out[r["person_id"]] = {
                    "id": r["person_id"], "version": r["person__version"], "village": village, "campaigns": [],
                    "kinds": [], "person": {
                        "id": r["person_id"], "version": r["person__version"], "full_name": r["person__full_name"],
                        "birth_year": r["person__birth_year"],
                        "date_of_birth": r["person__date_of_birth"].isoformat() if r["person__date_of_birth"] else None,
                        "sex": r["person__sex"], "phone": r["person__phone"], "street": r["person__street"], "village": village}}
            rec["campaigns"].append({"name": campaign.name, "group": r["group"], "deadline": campaign.deadline.isoformat()})
            rec["kinds"] += [k for k in campaign.accepted_kinds if k not in rec["kinds"]]
    return sorted(out.values(), key=lambda r: (r["campaigns"][0]["group"], r["person"]["full_name"]))


def positive_tests(*, person_id: int, disease_id: int | None, kinds) -> list:
    """The person's positive tests of `disease` whose kind is among `kinds` (e.g. the confirming tests of the case
    definition), newest first: what the case page offers as its confirming test."""
    return list(Test.objects.filter(person_id=person_id, disease_id=disease_id, result=Result.POSITIVE, kind__in=list(kinds))
                .order_by("-reported_on", "-taken_on", "-id")[:10])
