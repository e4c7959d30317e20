"""Demo data of the levels app, called by `phongdich demo` (see core.demo).

Assesses the province for the four weeks before ctx.today from the demo's own data (population, cases, doses,
teams). Where a criterion has no data in the demo (e.g. no doses were generated), deterministic values are
entered per unit (marked "nhập tay" in the explanation) so that the map is not empty. The three older weeks are
proposed, decided and published; the latest week is left proposed, for the demo user to decide.
"""
import datetime as dt

from django.utils import timezone

from . import services
from .models import CriteriaEntry, LevelDecision

WEEKS = 4


# New cases per 100,000 a week entered for the communes the demo has no residents in: the February 2022 wave, and
# today's calm (the living era's communes outside former Kon Tum must not read as an epidemic: level 1–2).
WAVE_2022 = [0, 0, 0, 5, 12, 25, 40, 80, 160, 700]
CALM = [0, 0, 0, 0, 0, 2, 5, 8, 12, 20]


def _filler(rng, key, incidence=WAVE_2022):
    if key.endswith("_per_100k_week"):
        return round(rng.choice(incidence) * rng.uniform(0.8, 1.2), 1) if key.startswith("new") else 0
    if key.endswith("_pct"):
        return round(rng.uniform(60, 99) if incidence is WAVE_2022 else rng.uniform(85, 99), 1)
    if key.endswith("_ready"):
        return rng.random() > (0.1 if incidence is WAVE_2022 else 0.02)
    return None


def build(ctx) -> None:
    province = ctx.province
    if province is None:
        return
    last = services.week_start_of(ctx.today) - dt.timedelta(days=7)
    assess_weeks(ctx, province, [last - dt.timedelta(days=7 * i) for i in reversed(range(WEEKS))])
    ctx.say(f"levels: {WEEKS} weeks assessed for {province.name}")


def assess_weeks(ctx, province, weeks) -> None:
    """Assess `province` for each week (oldest first): the older ones published, the latest proposed."""
    health = ctx.users.get("health_dept")
    leader = ctx.users.get("leadership") or ctx.users.get("leader")
    for i, week in enumerate(weeks):
        results = services.assess_province(province, week, now=ctx.now)
        entries = []
        for a in results:
            wanted = {m["key"] for m in a.missing if m["key"] not in ("version", "population")}
            if wanted:
                entries.append(CriteriaEntry(unit=a.unit, week_start=week, origin="entered", entered_by=health,
                                             values={k: _filler(ctx.rng, k, CALM if ctx.era == "living" else WAVE_2022)
                                                     for k in sorted(wanted)}))
        if entries:
            CriteriaEntry.objects.bulk_create(entries, ignore_conflicts=True)
            results = services.assess_province(province, week, now=ctx.now)
        published = i < len(weeks) - 1
        cut = timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=7), dt.time(9)))
        decisions = []
        for a in results:
            if a.level is None:
                continue
            decisions.append(LevelDecision(
                unit=a.unit, week_start=week, assessment=a, computed_level=a.level, proposed_level=a.level,
                proposed_by=health, proposed_at=cut,
                status=LevelDecision.Status.PUBLISHED if published else LevelDecision.Status.PROPOSED,
                **({"decided_level": a.level, "decision_number": f"{100 + i}/QĐ-UBND", "decision_date": cut.date(),
                    "effective_from": cut + services.RAISE_NOTICE, "decided_by": leader, "decided_at": cut,
                    "published_by": leader, "published_at": cut} if published else {}),
            ))
        LevelDecision.objects.bulk_create(decisions, ignore_conflicts=True)
