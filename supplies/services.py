"""Write functions of the supplies app: every change of stock is a ledger row written here, in one transaction with
the balance it moves and its audit row. Views, API, imports, the demo and the care hooks (supplies.hooks) call these.

No negative stock, also under concurrency: the balance row of the store and lot is locked (SELECT … FOR UPDATE on
PostgreSQL; SQLite serialises writers) and the decrement is a conditional UPDATE (… WHERE quantity >= n), so two
issues of the last units can never both succeed; the CHECK constraint quantity >= 0 is the last guard.
"""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import record
from core.errors import Invalid

from .models import (
    Balance,
    Item,
    Lot,
    Movement,
    MovementKind,
    ReceiptSource,
    Shortfall,
    Store,
    SupplyRequest,
    Transfer,
    TransferLine,
)
from .roles import ALLOCATION_APPROVERS, MANAGERS_BY_KIND

K = MovementKind


def today() -> dt.date:
    return timezone.localdate()


def can_manage(user, store: Store) -> bool:
    """A store manager: his role runs this kind of store and the store lies in his jurisdiction."""
    from core.scoping import scope

    if user is None or not user.is_authenticated or not user.has_role(MANAGERS_BY_KIND[store.kind]):
        return False
    return scope(Store.objects.filter(pk=store.pk), user).exists()


# --- lots --------------------------------------------------------------------------------------------------------------
def lot_for(item: Item, code: str = "", expires_on: dt.date | None = None, manufacturer: str = "") -> Lot:
    """The lot of an item by its number, created at its first receipt. A known lot number with another expiry date is
    refused (a typing error would otherwise split one lot in two)."""
    code = (code or "").strip()
    if item.tracks_expiry and not code:
        raise Invalid(f"{item}: cần số lô.", f"{item}: a lot number is required.", field="lot")
    if item.tracks_expiry and expires_on is None:
        raise Invalid(f"{item}: cần hạn dùng của lô.", f"{item}: the lot's expiry date is required.", field="expires_on")
    lot, created = Lot.objects.get_or_create(item=item, code=code, defaults={"expires_on": expires_on, "manufacturer": manufacturer})
    if not created and expires_on is not None and lot.expires_on != expires_on:
        raise Invalid(
            f"Lô {code} của {item} đã có với hạn dùng {lot.expires_on:%d/%m/%Y}.",
            f"Lot {code} of {item} already exists with expiry {lot.expires_on:%d/%m/%Y}.", field="expires_on",
        )
    return lot


def is_expired(lot: Lot, on: dt.date) -> bool:
    return lot.expires_on is not None and lot.expires_on < on


# --- the ledger ----------------------------------------------------------------------------------------------------
def _post(*, by, store: Store, lot: Lot, kind: str, quantity: int, at: dt.datetime | None = None, note: str = "",
          **extra) -> Movement:
    """Append one movement with its audit row and move the balance with it. Must run inside a transaction (every
    caller is atomic). The balance row is updated last, by a conditional UPDATE that locks it until the commit: two
    issues of the last units queue on that row and the second finds too little; the lock is held only from the
    UPDATE to the commit."""
    if quantity == 0:
        raise Invalid("Số lượng phải khác 0.", "The quantity must not be zero.", field="quantity")
    mv = Movement.objects.create(store=store, item_id=lot.item_id, lot=lot, kind=kind, quantity=quantity,
                                 at=at or timezone.now(), by=by if getattr(by, "pk", None) else None, **extra)
    record(actor=by, action="create", obj=mv, person_id=mv.person_id,
           changes={"kind": (None, mv.kind), "quantity": (None, mv.quantity), "lot": (None, str(lot))}, note=note)
    moved = Balance.objects.filter(store=store, lot=lot, quantity__gte=max(0, -quantity)).update(
        quantity=F("quantity") + quantity, updated_at=timezone.now())
    if moved == 1:
        return mv
    if quantity > 0:  # the first receipt of this lot here: create its balance row (a concurrent one may win: retry)
        Balance.objects.bulk_create([Balance(store=store, item_id=lot.item_id, lot=lot, quantity=0)], ignore_conflicts=True)
        Balance.objects.filter(store=store, lot=lot).update(quantity=F("quantity") + quantity, updated_at=timezone.now())
        return mv
    held = Balance.objects.filter(store=store, lot=lot).values_list("quantity", flat=True).first() or 0
    raise Invalid(
        f"Không đủ tồn kho: {lot} tại {store} còn {held}, cần {-quantity}.",
        f"Not enough stock: {lot} at {store} holds {held}, {-quantity} needed.", field="quantity",
    )


def _positive(quantity) -> int:
    if quantity is None or int(quantity) <= 0:
        raise Invalid("Số lượng phải lớn hơn 0.", "The quantity must be positive.", field="quantity")
    return int(quantity)


@dataclass
class ReceiptLine:
    item: Item
    quantity: int
    lot_code: str = ""
    expires_on: dt.date | None = None
    manufacturer: str = ""


@transaction.atomic
def receive(*, by, store: Store, lines: list[ReceiptLine], document: str, source: str = ReceiptSource.PROCUREMENT,
            at: dt.datetime | None = None, kind: str = K.RECEIPT) -> list[Movement]:
    """A receipt (phiếu nhập kho) from procurement, a donation or the Ministry, with its source document."""
    if not (document or "").strip():
        raise Invalid("Cần số chứng từ nguồn (hóa đơn, quyết định phân bổ…).", "The source document is required.", field="document")
    if source not in ReceiptSource.values:
        raise Invalid("Nguồn nhập không hợp lệ.", "Unknown receipt source.", field="source")
    if not lines:
        raise Invalid("Phiếu nhập chưa có dòng nào.", "The receipt has no lines.")
    at = at or timezone.now()  # one time for every line: the receipt note groups them by it
    out = []
    for line in lines:
        lot = lot_for(line.item, line.lot_code, line.expires_on, line.manufacturer)
        mv = _post(by=by, store=store, lot=lot, kind=kind, quantity=_positive(line.quantity), at=at,
                   document=document.strip(), source=source)
        out.append(mv)
    return out


def _check_issuable(lot: Lot, on: dt.date) -> None:
    if is_expired(lot, on):
        raise Invalid(
            f"Lô {lot.code} đã hết hạn ngày {lot.expires_on:%d/%m/%Y}: không được cấp phát, chỉ được hủy.",
            f"Lot {lot.code} expired on {lot.expires_on:%d/%m/%Y}: it cannot be issued, only disposed of.", field="lot",
        )


@transaction.atomic
def issue(*, by, store: Store, lot: Lot, quantity: int, kind: str = K.ISSUE, reason: str = "", care_ref: str = "",
          person_id=None, at: dt.datetime | None = None) -> Movement:
    """Stock leaves the store for use. An expired lot is refused; so is more than the lot's balance."""
    quantity = _positive(quantity)
    at = at or timezone.now()
    _check_issuable(lot, timezone.localtime(at).date() if timezone.is_aware(at) else at.date())
    mv = _post(by=by, store=store, lot=lot, kind=kind, quantity=-quantity, at=at, reason=reason, care_ref=care_ref,
               person_id=person_id)
    return mv


def fefo(store: Store, item: Item, on: dt.date | None = None) -> list[tuple[Lot, int]]:
    """First-expiry-first-out: the store's non-expired lots of the item with stock, soonest expiry first."""
    on = on or today()
    rows = (Balance.objects.filter(store=store, item=item, quantity__gt=0).select_related("lot", "lot__item")
            .order_by(F("lot__expires_on").asc(nulls_last=True), "lot__id"))
    return [(b.lot, b.quantity) for b in rows if not is_expired(b.lot, on)]


@transaction.atomic
def issue_fefo(*, by, store: Store, item: Item, quantity: int, kind: str = K.ISSUE, reason: str = "", care_ref: str = "",
               person_id=None, at: dt.datetime | None = None, partial: bool = False) -> tuple[list[Movement], int]:
    """Issue from the lots FEFO suggests. Returns the movements and what could not be issued (0 unless `partial`)."""
    quantity = _positive(quantity)
    at = at or timezone.now()
    left, out = quantity, []
    for lot, held in fefo(store, item, timezone.localtime(at).date()):
        if left == 0:
            break
        take = min(held, left)
        out.append(issue(by=by, store=store, lot=lot, quantity=take, kind=kind, reason=reason, care_ref=care_ref,
                         person_id=person_id, at=at))
        left -= take
    if left and not partial:
        raise Invalid(
            f"Không đủ tồn kho còn hạn: {item} tại {store} thiếu {left}.",
            f"Not enough unexpired stock: {item} at {store} is {left} short.", field="quantity",
        )
    return out, left


# --- transfers -----------------------------------------------------------------------------------------------------
@transaction.atomic
def dispatch(*, by, from_store: Store, to_store: Store, lines: list[tuple[Lot, int]], document: str = "",
             note: str = "", at: dt.datetime | None = None) -> Transfer:
    """A dispatch note (phiếu xuất kho): stock leaves the sending store now and is in transit until received."""
    if from_store.pk == to_store.pk:
        raise Invalid("Kho nhận trùng kho xuất.", "The receiving store is the sending store.", field="to_store")
    if not lines:
        raise Invalid("Phiếu xuất chưa có dòng nào.", "The dispatch note has no lines.")
    at = at or timezone.now()
    transfer = Transfer.objects.create(from_store=from_store, to_store=to_store, document=document.strip(), note=note,
                                       dispatched_at=at, dispatched_by=by if getattr(by, "pk", None) else None)
    for lot, qty in lines:
        qty = _positive(qty)
        _check_issuable(lot, timezone.localtime(at).date())
        TransferLine.objects.create(transfer=transfer, item_id=lot.item_id, lot=lot, dispatched=qty)
        _post(by=by, store=from_store, lot=lot, kind=K.TRANSFER_OUT, quantity=-qty, at=at, transfer=transfer,
                   counterpart=to_store, document=transfer.document or str(transfer))
    record(actor=by, action="create", obj=transfer, note=f"{from_store} → {to_store}")
    return transfer


@transaction.atomic
def receive_transfer(*, by, transfer: Transfer, received: dict[int, int] | None = None,
                     reasons: dict[int, str] | None = None, at: dt.datetime | None = None) -> Transfer:
    """The receiving store confirms what arrived, line by line. A different quantity is recorded as a discrepancy
    with its reason; what was dispatched never changes."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != Transfer.Status.DISPATCHED:
        raise Invalid("Phiếu này đã được nhận.", "This transfer was already received.")
    received, reasons = received or {}, reasons or {}
    at = at or timezone.now()
    for line in transfer.lines.select_related("lot", "lot__item"):
        got = received.get(line.pk, line.dispatched)
        if got is None or int(got) < 0:
            raise Invalid("Số lượng nhận không hợp lệ.", "Invalid received quantity.", field="received")
        got = int(got)
        reason = (reasons.get(line.pk) or "").strip()
        if got != line.dispatched and not reason:
            raise Invalid(
                f"{line.lot}: nhận {got}, xuất {line.dispatched} — cần ghi lý do chênh lệch.",
                f"{line.lot}: received {got}, dispatched {line.dispatched} — the reason for the difference is required.",
                field="reason",
            )
        TransferLine.objects.filter(pk=line.pk, received__isnull=True).update(received=got, discrepancy_reason=reason)
        if got:
            _post(by=by, store=transfer.to_store, lot=line.lot, kind=K.TRANSFER_IN, quantity=got, at=at,
                       transfer=transfer, counterpart=transfer.from_store, document=transfer.document or str(transfer),
                       reason=reason)
    Transfer.objects.filter(pk=transfer.pk).update(status=Transfer.Status.RECEIVED, received_at=at,
                                                   received_by=by if getattr(by, "pk", None) else None)
    transfer.refresh_from_db()
    record(actor=by, action="update", obj=transfer, changes={"status": (Transfer.Status.DISPATCHED, Transfer.Status.RECEIVED)})
    return transfer


# --- returns, disposal, counts, reversals --------------------------------------------------------------------------
@transaction.atomic
def return_stock(*, by, store: Store, lot: Lot, quantity: int, reason: str, at=None) -> Movement:
    if not (reason or "").strip():
        raise Invalid("Cần ghi lý do nhập trả.", "A reason for the return is required.", field="reason")
    mv = _post(by=by, store=store, lot=lot, kind=K.RETURN, quantity=_positive(quantity), at=at, reason=reason.strip())
    return mv


@transaction.atomic
def dispose(*, by, store: Store, lot: Lot, quantity: int, reason: str, document: str = "", at=None) -> Movement:
    """Disposal of expired or damaged stock (expired lots may only leave this way)."""
    if not (reason or "").strip():
        raise Invalid("Cần ghi lý do hủy.", "A reason for the disposal is required.", field="reason")
    mv = _post(by=by, store=store, lot=lot, kind=K.DISPOSAL, quantity=-_positive(quantity), at=at, reason=reason.strip(),
               document=document)
    return mv


@transaction.atomic
def adjust_after_count(*, by, store: Store, lot: Lot, counted: int, reason: str, approver, at=None) -> Movement | None:
    """A physical count: the difference to the ledger becomes an adjustment, with its reason and approver."""
    if counted is None or int(counted) < 0:
        raise Invalid("Số đếm được không hợp lệ.", "Invalid counted quantity.", field="counted")
    if not (reason or "").strip():
        raise Invalid("Cần ghi lý do điều chỉnh.", "A reason for the adjustment is required.", field="reason")
    if approver is None or not can_manage(approver, store):
        raise Invalid("Cần người duyệt là quản lý của kho.", "The approver must be a manager of the store.", field="approver")
    Balance.objects.bulk_create([Balance(store=store, item_id=lot.item_id, lot=lot, quantity=0)], ignore_conflicts=True)
    held = Balance.objects.select_for_update().get(store=store, lot=lot).quantity
    delta = int(counted) - held
    if delta == 0:
        return None
    mv = _post(by=by, store=store, lot=lot, kind=K.ADJUSTMENT, quantity=delta, at=at, reason=reason.strip(), approved_by=approver,
               note=f"count {counted}, ledger {held}")
    return mv


@transaction.atomic
def reverse(*, by, movement: Movement, reason: str) -> Movement:
    """Cancel a wrong movement by its opposite (never an edit). Reversing a receipt whose stock was already used is
    refused like any issue beyond the balance."""
    if not (reason or "").strip():
        raise Invalid("Cần ghi lý do hủy bút toán.", "A reason for the reversal is required.", field="reason")
    if movement.kind == K.REVERSAL:
        raise Invalid("Không hủy một bút toán hủy; ghi bút toán mới.", "A reversal is not reversed; record a new movement.")
    if movement.transfer_id:
        raise Invalid("Bút toán chuyển kho được xử lý qua phiếu chuyển.", "Transfer movements are handled through the transfer.")
    if Movement.objects.filter(reverses=movement).exists():
        raise Invalid("Bút toán này đã được hủy.", "This movement was already reversed.")
    mv = _post(by=by, store=movement.store, lot=movement.lot, kind=K.REVERSAL, quantity=-movement.quantity,
               reason=reason.strip(), reverses=movement, care_ref=movement.care_ref, person_id=movement.person_id,
               document=movement.document, note=f"reverses #{movement.pk}")
    return mv


# --- shortfalls and requests ---------------------------------------------------------------------------------------
def flag_shortfall(*, store: Store, item: Item | None, quantity: int, reason: str, care_ref: str, person_id=None,
                   lot_code: str = "") -> Shortfall:
    sf = Shortfall.objects.create(store=store, item=item, quantity=quantity, reason=reason, care_ref=care_ref,
                                  person_id=person_id, lot_code=lot_code)
    record(actor=None, action="create", obj=sf, person_id=person_id, note=f"{reason} {care_ref}")
    return sf


@transaction.atomic
def resolve_shortfall(*, by, shortfall: Shortfall) -> None:
    if Shortfall.objects.filter(pk=shortfall.pk, resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=by) == 1:
        record(actor=by, action="update", obj=shortfall, changes={"resolved": (False, True)})


@transaction.atomic
def request_supply(*, by, store: Store, item: Item, quantity: int, need_note: str = "") -> SupplyRequest:
    req = SupplyRequest.objects.create(store=store, item=item, quantity=_positive(quantity), need_note=need_note,
                                       requested_by=by)
    record(actor=by, action="create", obj=req, changes={"item": (None, item.code), "quantity": (None, quantity)})
    return req


@transaction.atomic
def decide_request(*, by, request: SupplyRequest, approve: bool, quantity: int | None = None, note: str = "",
                   from_store: Store | None = None) -> SupplyRequest:
    """The Department of Health approves (possibly another quantity) or rejects. On approval with a sending store,
    the dispatch is made at once from that store's lots, FEFO."""
    if not by.has_role(ALLOCATION_APPROVERS):
        raise Invalid("Chỉ Sở Y tế duyệt cấp phát.", "Only the Department of Health approves allocations.")
    req = SupplyRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != SupplyRequest.Status.SUBMITTED:
        raise Invalid("Đề nghị đã được xử lý.", "The request was already decided.")
    now = timezone.now()
    if not approve:
        SupplyRequest.objects.filter(pk=req.pk).update(status=SupplyRequest.Status.REJECTED, decided_by=by, decided_at=now, decision_note=note)
        record(actor=by, action="update", obj=req, changes={"status": (req.status, SupplyRequest.Status.REJECTED)}, note=note)
        req.refresh_from_db()
        return req
    qty = _positive(quantity if quantity is not None else req.quantity)
    status, transfer = SupplyRequest.Status.APPROVED, None
    if from_store is not None:
        lines, left = [], qty
        for lot, held in fefo(from_store, req.item):
            take = min(held, left)
            lines.append((lot, take))
            left -= take
            if not left:
                break
        if left:
            raise Invalid(f"{from_store} không đủ {req.item} (thiếu {left}).", f"{from_store} lacks {left} of {req.item}.")
        transfer = dispatch(by=by, from_store=from_store, to_store=req.store, lines=lines, note=f"Đề nghị #{req.pk}")
        status = SupplyRequest.Status.FULFILLED
    SupplyRequest.objects.filter(pk=req.pk).update(status=status, approved_quantity=qty, decided_by=by, decided_at=now,
                                                   decision_note=note, transfer=transfer)
    record(actor=by, action="update", obj=req, changes={"status": (req.status, status), "approved_quantity": (None, qty)})
    req.refresh_from_db()
    return req


