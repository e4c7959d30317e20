"""Need-based allocation: how much of an item each store below a sending store needs, against what it holds, and
a suggested split of what the sender can give (pro rata to the gaps when it cannot cover them all).

Need per store (docs/supplies.md):
* medicines linked to an F0 package: active home F0 of the commune × PACKAGES_PER_CASE, counted on the commune's
  dispensing store (its commune station, else its care-team store);
* vaccines: people still to reach by the campaigns running today, counted on the vaccination sites inside each
  campaign's area (split evenly between them), one dose each;
* rapid test kits: people targeted by open screening campaigns without their negative test yet, one kit each, on the
  commune station;
* anything else, and on top of the above for every store: COVER_DAYS of its last 14 days' consumption.
"""
import datetime as dt
from dataclasses import dataclass

from .models import Category, Item, Store, StoreKind
from .selectors import RATE_DAYS, position, stores_for, today

PACKAGES_PER_CASE = 1
COVER_DAYS = 14


@dataclass
class NeedRow:
    store: Store
    need: int
    on_hand: int
    basis: str
    suggested: int = 0

    @property
    def gap(self) -> int:
        return max(0, self.need - self.on_hand)


def suggest(user, *, source: Store, item: Item, on: dt.date | None = None) -> list[NeedRow]:
    on = on or today()
    from geo.models import AdministrativeUnit

    targets = [s for s in stores_for(user).select_related("unit").exclude(pk=source.pk)
               if s.unit.path.startswith(source.unit.path)]
    if not targets:
        return []
    pos = {r.store_id: r for r in position(user, store_ids=[s.pk for s in targets], item_ids=[item.pk], on=on)}
    care_need: dict[int, tuple[int, str]] = {}
    by_commune: dict[int, Store] = {}
    for s in sorted(targets, key=lambda s: (s.kind != StoreKind.COMMUNE_STATION, s.pk)):
        if s.kind in (StoreKind.COMMUNE_STATION, StoreKind.MOBILE_TEAM):
            by_commune.setdefault(s.unit_id, s)
    if item.category == Category.MEDICINE and item.medicine_item:
        from cases.selectors import active_home_cases_by_commune

        for commune_id, n in active_home_cases_by_commune(by_commune).items():
            care_need[by_commune[commune_id].pk] = (n * PACKAGES_PER_CASE, f"{n} F0 tại nhà × {PACKAGES_PER_CASE}")
    elif item.category == Category.TEST_KIT and item.test_kind:
        from testing.selectors import screening_kits_needed_by_commune

        for commune_id, n in screening_kits_needed_by_commune(on).items():
            if commune_id in by_commune:
                care_need[by_commune[commune_id].pk] = (n, f"{n} người cần xét nghiệm sàng lọc")
    elif item.category == Category.VACCINE:
        from vaccination.selectors import active_campaigns, campaign_remaining

        sites = [s for s in targets if s.kind == StoreKind.VACCINATION_SITE]
        paths = dict(AdministrativeUnit.objects.filter(pk__in=[s.unit_id for s in sites]).values_list("pk", "path"))
        for campaign in active_campaigns(on):
            inside = [s for s in sites if paths[s.unit_id].startswith(campaign.unit.path)]
            if not inside:
                continue
            share = -(-campaign_remaining(campaign, on) // len(inside))  # ceil
            for s in inside:
                n, _ = care_need.get(s.pk, (0, ""))
                care_need[s.pk] = (n + share, f"chiến dịch {campaign.name}")
    rows = []
    for s in targets:
        p = pos.get(s.pk)
        held, used = (p.quantity, p.consumed) if p else (0, 0)
        need, basis = care_need.get(s.pk, (0, ""))
        cover = -(-used * COVER_DAYS // RATE_DAYS)
        if cover:
            need += cover
            basis = "; ".join(b for b in (basis, f"{COVER_DAYS} ngày tiêu thụ") if b)
        if need or held:
            rows.append(NeedRow(store=s, need=need, on_hand=held, basis=basis))
    from .services import fefo

    available = sum(q for _, q in fefo(source, item, on))
    total_gap = sum(r.gap for r in rows)
    for r in rows:
        r.suggested = r.gap if total_gap <= available else (r.gap * available) // total_gap
    return sorted(rows, key=lambda r: (-r.gap, r.store.name))
