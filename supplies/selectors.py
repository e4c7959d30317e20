"""Reads of the supplies app, for its pages, the API, the dashboard, the situation report and other apps.

Every read takes the user and goes through core.scoping (stores by their unit). Positions are set-based: one
aggregate over the balance table and one over the last 14 days of consumption, whatever the number of stores.
"""
import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, Sum
from django.utils import timezone

from core.scoping import scope
from geo.areas import under_q

from .models import CONSUMPTION, Balance, Item, Lot, Movement, Shortfall, Store, Transfer

RATE_DAYS = 14
WARN_DAYS = (30, 90)  # expiry warnings
LOW_DAYS = 7  # days of stock under which a store-item shows as "running out"
STOCKOUT_HORIZON_DAYS = 365  # a stock-out projected further is "hơn một năm", not a date


def today() -> dt.date:
    return timezone.localdate()


def stores_for(user):
    return scope(Store.objects.filter(is_active=True), user)


@dataclass
class PositionRow:
    store_id: int
    store: str
    store_kind: str
    item_id: int
    item: str
    unit: str
    quantity: int
    consumed: int  # in the last RATE_DAYS days
    latitude: float | None = None
    longitude: float | None = None

    @property
    def daily_rate(self) -> float:
        return self.consumed / RATE_DAYS

    @property
    def days_left(self) -> float | None:
        """Days of stock at the last 14 days' consumption; None when nothing was consumed."""
        return round(self.quantity / self.daily_rate, 1) if self.consumed > 0 else None

    @property
    def stockout_on(self) -> dt.date | None:
        """The projected stock-out date, within STOCKOUT_HORIZON_DAYS only: a trickle of use against a large stock
        would give a date centuries away (or past the year 9999: an error), so beyond it there is none
        (`stock_beyond_horizon`)."""
        d = self.days_left
        return None if d is None or d > STOCKOUT_HORIZON_DAYS else today() + dt.timedelta(days=int(d))

    @property
    def stock_beyond_horizon(self) -> bool:
        return self.days_left is not None and self.days_left > STOCKOUT_HORIZON_DAYS

    @property
    def tone(self) -> str:
        if self.quantity <= 0:
            return "alert"
        d = self.days_left
        return "warn" if d is not None and d < LOW_DAYS else "ok"


def position_values(user, *, store_ids=None, item_ids=None):
    """Stock by store and item (all lots summed) as an aggregate over the balance table only, ordered by store and item
    so that PostgreSQL streams a page off the (store, item) index instead of aggregating everything first. The
    user's stores come from core.scoping (a semi-join on the store ids)."""
    balances = Balance.objects.filter(store_id__in=stores_for(user).values("pk"))
    if store_ids is not None:
        balances = balances.filter(store_id__in=store_ids)
    if item_ids is not None:
        balances = balances.filter(item_id__in=item_ids)
    return balances.values("store_id", "item_id").annotate(qty=Sum("quantity")).order_by("store_id", "item_id")


def _since(on: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=RATE_DAYS - 1), dt.time.min))


def position_rows(user, values, on: dt.date | None = None) -> list[PositionRow]:
    """PositionRows for aggregate rows of position_values (a page of them): names of just those stores and items and
    the last 14 days' consumption of just those pairs — three more queries whatever the number of rows."""
    values = list(values)
    if not values:
        return []
    on = on or today()
    store_ids, item_ids = {r["store_id"] for r in values}, {r["item_id"] for r in values}
    stores = {s["pk"]: s for s in stores_for(user).filter(pk__in=store_ids).values(
        "pk", "name", "kind", lat=F("unit__latitude"), lng=F("unit__longitude"))}
    items = {i["pk"]: i for i in Item.objects.filter(pk__in=item_ids).values("pk", "name", "strength", "unit")}
    used = Movement.objects.filter(kind__in=CONSUMPTION, at__gte=_since(on), store_id__in=list(stores), item_id__in=item_ids)
    consumed = {(r["store_id"], r["item_id"]): -r["q"] for r in used.values("store_id", "item_id").annotate(q=Sum("quantity")).order_by()}
    out = []
    for r in values:
        s, i = stores.get(r["store_id"]), items[r["item_id"]]
        if s is None:
            continue
        out.append(PositionRow(r["store_id"], s["name"], s["kind"], r["item_id"], f"{i['name']} {i['strength']}".strip(), i["unit"],
                               r["qty"] or 0, consumed.get((r["store_id"], r["item_id"]), 0), s["lat"], s["lng"]))
    return out


class PositionPage:
    """A page of the position, by keyset ("after this store and item"), without a total count: any page costs what the
    first one does (an OFFSET or a count would walk a million store-items)."""

    def __init__(self, user, values, after: tuple[int, int] | None = None, per_page: int = 50):
        if after is not None:
            values = values.filter(Q(store_id__gt=after[0]) | Q(store_id=after[0], item_id__gt=after[1]))
        rows = list(values[: per_page + 1])
        self.has_next = len(rows) > per_page
        self.is_first = after is None
        self.object_list = position_rows(user, rows[:per_page])
        last = rows[per_page - 1] if self.has_next else None
        self.next_after = f"{last['store_id']}-{last['item_id']}" if last else ""

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def position(user, *, store_ids=None, item_ids=None, on: dt.date | None = None) -> list[PositionRow]:
    """The whole position of a store or a few items (a store page, an export, the allocation). Two queries."""
    return position_rows(user, position_values(user, store_ids=store_ids, item_ids=item_ids), on)


def expiring(user, *, within: int = WARN_DAYS[1], on: dt.date | None = None):
    """Lots in stock that expire within `within` days (or already expired), soonest first, with their warning tone."""
    on = on or today()
    qs = (scope(Balance.objects.filter(quantity__gt=0, lot__expires_on__isnull=False,
                                        lot__expires_on__lte=on + dt.timedelta(days=within)), user)
          .select_related("store", "lot", "lot__item").order_by("lot__expires_on", "store__name"))
    out = []
    for b in qs:
        days = (b.lot.expires_on - on).days
        tone = "alert" if days <= WARN_DAYS[0] else "warn"
        out.append({"balance": b, "store": b.store, "lot": b.lot, "item": b.lot.item, "quantity": b.quantity,
                    "days": days, "expired": days < 0, "tone": tone})
    return out


def stockouts(user, *, on: dt.date | None = None) -> list[PositionRow]:
    """Store-items with nothing left, or fewer than LOW_DAYS days of stock at the last 14 days' consumption. Decided in
    one SQL statement over the balances and the consumption window (set-based, whatever the number of stores); the
    stores are the user's, as core.scoping says."""
    on = on or today()
    stores_sql, stores_params = scope(Store.objects.filter(is_active=True), user).values("pk").query.sql_with_params()
    kinds = sorted(CONSUMPTION)
    sql = f"""
        WITH b AS (SELECT store_id, item_id, SUM(quantity) AS q FROM supplies_balance
                   WHERE store_id IN ({stores_sql}) GROUP BY store_id, item_id),
             u AS (SELECT store_id, item_id, -SUM(quantity) AS used FROM supplies_movement
                   WHERE store_id IN ({stores_sql}) AND kind IN ({", ".join(["%s"] * len(kinds))}) AND at >= %s
                   GROUP BY store_id, item_id)
        SELECT b.store_id, b.item_id, b.q FROM b LEFT JOIN u ON u.store_id = b.store_id AND u.item_id = b.item_id
        WHERE b.q <= 0 OR COALESCE(u.used, 0) * %s > b.q * %s
        ORDER BY b.store_id, b.item_id LIMIT 5000"""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, [*stores_params, *stores_params, *kinds, _since(on), LOW_DAYS, RATE_DAYS])
        keys = cur.fetchall()
    values = [{"store_id": s, "item_id": i, "qty": q} for s, i, q in keys]
    return [r for r in position_rows(user, values, on) if r.tone != "ok"]


def store_totals(user, *, item_ids=None) -> list[dict]:
    """One row per store for the map: its stock (of the chosen items) and where it is. Two queries."""
    qs = Balance.objects.filter(store_id__in=stores_for(user).values("pk"))
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    totals = dict(qs.values("store_id").annotate(q=Sum("quantity")).order_by().values_list("store_id", "q"))
    places = stores_for(user).filter(pk__in=list(totals), unit__latitude__isnull=False).values(
        "pk", "name", lat=F("unit__latitude"), lng=F("unit__longitude")).order_by("pk")
    return [{"store_id": p["pk"], "store_name": p["name"], "lat": p["lat"], "lng": p["lng"], "quantity": totals[p["pk"]]} for p in places]


def store_places(user, *, store_ids) -> list[dict]:
    return [{"store_id": p["pk"], "store_name": p["name"], "lat": p["lat"], "lng": p["lng"]} for p in
            stores_for(user).filter(pk__in=store_ids, unit__latitude__isnull=False).values(
                "pk", "name", lat=F("unit__latitude"), lng=F("unit__longitude")).order_by("pk")]


def open_shortfalls(user):
    return scope(Shortfall.objects.filter(resolved_at__isnull=True), user).select_related("store", "item")


def movements(user):
    return scope(Movement.objects.all(), user).select_related("store", "lot", "lot__item", "by", "counterpart")


def lot_trace(user, lot: Lot) -> dict:
    """Traceability of one lot (e.g. a vaccine recall): every movement in the user's stores, where it went, and the
    people who received it — from the ledger, and for vaccines also the doses recorded with that lot number at
    sites that do not run a store."""
    mv = list(movements(user).filter(lot=lot).order_by("at", "id"))
    person_ids = {m.person_id for m in mv if m.person_id}
    doses = []
    if lot.item.vaccine_product_id and lot.code:
        from vaccination.selectors import injections_with_lot

        doses = list(injections_with_lot(user, product_id=lot.item.vaccine_product_id, lot_code=lot.code))
        person_ids |= {d.person_id for d in doses}
    from people.models import Person

    people = list(scope(Person.objects.filter(pk__in=person_ids), user).select_related("commune").order_by("full_name"))
    held = scope(Balance.objects.filter(lot=lot, quantity__gt=0), user).select_related("store")
    return {"movements": mv, "people": people, "doses": doses, "held": list(held)}


def transfers(user):
    return scope(Transfer.objects.all(), user).select_related("from_store", "to_store")


def incoming_transfers(user):
    return transfers(user).filter(status=Transfer.Status.DISPATCHED)


def report_section(day: dt.date, prov) -> dict | None:
    """The situation report's supplies section: province-wide figures (the report is the province's)."""
    balances = Balance.objects.filter(store__is_active=True)
    if prov is not None:
        balances = balances.filter(under_q(prov, "store__unit"))
    if not Store.objects.exists():
        return None
    # Sum by item id alone (a plain hash aggregate over the balances), names fetched for the few hundred items after.
    totals = dict(balances.values("item_id").annotate(qty=Sum("quantity")).order_by().values_list("item_id", "qty"))
    names = Item.objects.filter(pk__in=list(totals)).order_by("category", "name").values("pk", "name", "strength", "unit")
    by_item = [{"item_id": i["pk"], "item__name": i["name"], "item__strength": i["strength"], "item__unit": i["unit"],
                "qty": totals[i["pk"]]} for i in names]
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    start = end - dt.timedelta(days=RATE_DAYS)
    used = Movement.objects.filter(kind__in=CONSUMPTION, at__gte=start, at__lt=end)
    if prov is not None:
        used = used.filter(under_q(prov, "store__unit"))
    consumed = {r["item_id"]: -r["q"] for r in used.values("item_id").annotate(q=Sum("quantity")).order_by()}
    rows = []
    for r in by_item:
        c = consumed.get(r["item_id"], 0)
        days = round(r["qty"] * RATE_DAYS / c, 1) if c > 0 else None
        rows.append({"item": f"{r['item__name']} {r['item__strength']}".strip(), "unit": r["item__unit"],
                     "quantity": r["qty"] or 0, "consumed_14d": c, "days_left": days})
    exp = Balance.objects.filter(quantity__gt=0, lot__expires_on__isnull=False, lot__expires_on__lte=day + dt.timedelta(days=WARN_DAYS[0]))
    if prov is not None:
        exp = exp.filter(under_q(prov, "store__unit"))
    shortfalls = Shortfall.objects.filter(resolved_at__isnull=True)
    if prov is not None:
        shortfalls = shortfalls.filter(under_q(prov, "store__unit"))
    return {"items": rows, "expiring_30d_lots": exp.values("lot_id").distinct().count(), "open_shortfalls": shortfalls.count()}


def dashboard_tiles(request) -> list[dict]:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .roles import SUPPLY_READERS

    user = request.user
    if not user.has_role(SUPPLY_READERS) or not stores_for(user).exists():
        return []
    on = today()
    soon = scope(Balance.objects.filter(quantity__gt=0, lot__expires_on__isnull=False,
                                        lot__expires_on__lte=on + dt.timedelta(days=WARN_DAYS[0])), user).count()
    empty = scope(Balance.objects.filter(store__is_active=True), user).values("store_id", "item_id").annotate(
        q=Sum("quantity")).filter(q__lte=0).count()
    short = open_shortfalls(user).count()
    incoming = incoming_transfers(user).filter(to_store__in=stores_for(user)).count()
    return [
        {"label": _("Mặt hàng hết tồn kho"), "value": empty, "url": reverse("supplies:stockouts"), "tone": "alert" if empty else "ok"},
        {"label": _("Lô sắp hết hạn (30 ngày)"), "value": soon, "url": reverse("supplies:expiring"), "tone": "warn" if soon else "ok"},
        {"label": _("Thiếu vật tư khi chăm sóc"), "value": short, "url": reverse("supplies:shortfalls"), "tone": "warn" if short else "ok"},
        {"label": _("Phiếu chuyển kho chờ nhận"), "value": incoming, "url": reverse("supplies:transfers"), "tone": ""},
    ]


def items_for(user):
    return scope(Item.objects.filter(is_active=True), user)


