"""Care entries consume stock. Called inside the care services' transaction (cases.dispense,
vaccination.record_injection, testing.record_test), with the record they just wrote, through the signals those apps
send (cases.signals, testing.signals, vaccination.signals; connected in supplies.apps): supplies sits above them.

Care comes first: a hook never refuses the care entry. When the stock is missing (no balance, unknown or expired
lot) the entry stays recorded and a Shortfall is flagged for the store's manager.
When there is nothing to count against — no store for that team, station, site or lab, or no catalogue item for
what was given — nothing is consumed and nothing is flagged: an installation that does not run stores in
phongdich behaves as before.
"""
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Balance, Item, Lot, MovementKind, Shortfall, Store

R = Shortfall.Reason


def _store_of(*, facility_id=None, team_id=None) -> Store | None:
    if team_id:
        store = Store.objects.filter(team_id=team_id, is_active=True).first()
        if store:
            return store
    if facility_id:
        return Store.objects.filter(facility_id=facility_id, is_active=True).first()
    return None


def _consume_fefo(*, by, store, item, quantity, kind, care_ref, person_id, at) -> int:
    """Issue what the store has (FEFO, unexpired); flag the rest. Returns the quantity flagged."""
    try:
        with transaction.atomic():
            _, left = services.issue_fefo(by=by, store=store, item=item, quantity=quantity, kind=kind, care_ref=care_ref,
                                          person_id=person_id, at=at, partial=True)
    except services.Invalid:  # a concurrent entry took the last units between the suggestion and the issue
        left = quantity
    if left:
        services.flag_shortfall(store=store, item=item, quantity=left, reason=R.NO_STOCK, care_ref=care_ref, person_id=person_id)
    return left


def consume_for_dispensing(*, by, dispensing, case) -> None:
    """A medicine package given to an F0 leaves the care team's store, else the responsible station's."""
    item = Item.objects.filter(medicine_item=dispensing.item, is_active=True).first()
    store = _store_of(team_id=case.team_id, facility_id=case.station_id)
    if item is None or store is None:
        return
    _consume_fefo(by=by, store=store, item=item, quantity=dispensing.quantity, kind=MovementKind.DISPENSE,
                  care_ref=f"cases.dispensing:{dispensing.pk}", person_id=case.person_id, at=dispensing.given_at)


def _moment(day):
    """When the care entry took stock: now for an entry of today (so it follows today's receipts in the ledger),
    noon of its day for one entered later."""
    now = timezone.now()
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time().replace(hour=12)))


def consume_for_dose(*, by, injection) -> None:
    """A dose consumes one dose of the site's lot: the lot must exist, be in stock at the site and not be expired."""
    store = _store_of(facility_id=injection.facility_id)
    item = Item.objects.filter(vaccine_product_id=injection.product_id, is_active=True).first()
    if store is None or item is None:
        return
    ref, person_id = f"vaccination.injection:{injection.pk}", injection.person_id
    at = _moment(injection.given_on)
    code = (injection.lot or "").strip()
    if not code:
        _consume_fefo(by=by, store=store, item=item, quantity=1, kind=MovementKind.DOSE, care_ref=ref, person_id=person_id, at=at)
        return
    lot = Lot.objects.filter(item=item, code__iexact=code).first()
    if lot is None:
        services.flag_shortfall(store=store, item=item, quantity=1, reason=R.UNKNOWN_LOT, care_ref=ref, person_id=person_id, lot_code=code)
        return
    if services.is_expired(lot, injection.given_on):
        services.flag_shortfall(store=store, item=item, quantity=1, reason=R.EXPIRED_LOT, care_ref=ref, person_id=person_id, lot_code=code)
        return
    if not Balance.objects.filter(store=store, lot=lot, quantity__gte=1).exists():
        services.flag_shortfall(store=store, item=item, quantity=1, reason=R.NO_STOCK, care_ref=ref, person_id=person_id, lot_code=code)
        return
    try:
        with transaction.atomic():
            services.issue(by=by, store=store, lot=lot, quantity=1, kind=MovementKind.DOSE, care_ref=ref, person_id=person_id, at=at)
    except services.Invalid:  # the last dose went to a concurrent entry
        services.flag_shortfall(store=store, item=item, quantity=1, reason=R.NO_STOCK, care_ref=ref, person_id=person_id, lot_code=code)


def consume_for_test(*, by, test) -> None:
    """A rapid antigen test done by staff uses one kit of the place that tested."""
    if test.kind != "rapid_antigen":
        return
    store = _store_of(facility_id=test.lab_id)
    item = Item.objects.filter(test_kind=test.kind, is_active=True).first()
    if store is None or item is None:
        return
    at = _moment(test.taken_on)
    _consume_fefo(by=by, store=store, item=item, quantity=1, kind=MovementKind.TEST, care_ref=f"testing.test:{test.pk}",
                  person_id=test.person_id, at=at)
