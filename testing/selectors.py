"""Reads of the testing app for other apps."""
from django.db.models import Count, Exists, OuterRef

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
