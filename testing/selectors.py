"""Reads of the testing app for other apps (docs/architecture.md, "Selectors")."""
import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

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


def daily_figures(day: dt.date, path_prefix: str | None) -> dict:
    """The daily report's testing figures (people living under `path_prefix`; all when None): samples taken that day,
    positives reported that day, cumulative samples up to the day, and that day's samples by kind."""
    qs = Test.objects.all()
    if path_prefix is not None:
        qs = qs.filter(person__commune__path__startswith=path_prefix)
    agg = qs.aggregate(
        today=Count("id", filter=Q(taken_on=day)),
        positive_today=Count("id", filter=Q(reported_on=day, result=Result.POSITIVE)),
        cumulative=Count("id", filter=Q(taken_on__lte=day)),
    )
    by_kind = {r["kind"]: r["n"] for r in qs.filter(taken_on=day).values("kind").annotate(n=Count("id")).order_by()}
    return {**agg, "by_kind": by_kind}
