"""Pages of the supplies app: stock position (table and map), a store's stock and actions, expiring lots, stock-outs,
shortfalls, the ledger, lot traceability, transfers, requests and allocation, opening-balance import, XLSX and PDF.

Every query goes through supplies.selectors (scoped by core.scoping); every write through supplies.services.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from audit.services import record
from core.auditing import record_read
from core.errors import Invalid
from core.imports import FileRejected
from core.scoping import scope
from core.views import role_required, scoped_object
from geo import areas

from . import documents, selectors, services
from .forms import DecisionForm, DispatchForm, ImportForm, LotActionForm, ReceiptForm, RequestForm, ReverseForm
from .imports import OpeningBalanceImporter
from .models import Balance, Category, Item, Lot, Movement, MovementKind, Shortfall, Store, SupplyRequest, Transfer
from .need import suggest
from .roles import ALLOCATION_APPROVERS, SUPPLY_EDITORS, SUPPLY_READERS

MAX_UPLOAD = 10 * 1024 * 1024


def _xlsx_response(request, name: str, header: list[str], rows: list[list], records=None) -> HttpResponse:
    record(actor=request.user, action="export", target_label=f"supplies.{name}", records=records, note=f"{len(rows)} rows")
    response = HttpResponse(documents.xlsx(name, header, rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _wants_xlsx(request) -> bool:
    return request.GET.get("xuat") == "xlsx"


def _int(value):
    return int(value) if value and str(value).isdigit() and len(str(value)) < 12 else None


# --- position ------------------------------------------------------------------------------------------------------
@role_required(SUPPLY_READERS)
def position(request):
    user = request.user
    stores = selectors.stores_for(user)
    store_id, item_id = _int(request.GET.get("kho")), _int(request.GET.get("vat-tu"))
    category = request.GET.get("nhom", "")
    item_ids = None
    if item_id:
        item_ids = [item_id]
    elif category in Category.values:
        item_ids = list(Item.objects.filter(category=category).values_list("pk", flat=True))
    values = selectors.position_values(user, store_ids=[store_id] if store_id else None, item_ids=item_ids)
    if _wants_xlsx(request):
        rows = selectors.position_rows(user, values[:100_000])
        return _xlsx_response(request, "ton-kho", ["Kho", "Vật tư", "ĐVT", "Tồn", "Tiêu thụ 14 ngày", "Số ngày còn đủ dùng", "Dự báo hết hàng"],
                              [[r.store, r.item, r.unit, r.quantity, r.consumed, r.days_left,
                                r.stockout_on or ("hơn một năm" if r.stock_beyond_horizon else "")] for r in rows])
    after = request.GET.get("sau", "")
    keys = after.split("-") if after.count("-") == 1 else []
    after = (_int(keys[0]), _int(keys[1])) if keys and _int(keys[0]) and _int(keys[1]) else None
    page = selectors.PositionPage(user, values, after)
    return render(request, "supplies/position.html", {
        "page_obj": page, "stores": stores.order_by("name"), "items": selectors.items_for(user), "categories": Category.choices,
        "store_id": store_id, "item_id": item_id, "category": category, "can_import": user.has_role(SUPPLY_EDITORS),
        "querystring_prefix": f"kho={store_id or ''}&vat-tu={item_id or ''}&nhom={category}&",
    })


@role_required(SUPPLY_READERS)
def position_map(request):
    """Points for the map: one per store, with its stock of the chosen item (or its number of empty items)."""
    item_id = _int(request.GET.get("vat-tu"))
    item_ids = [item_id] if item_id else None
    flagged: dict[int, dict] = {}
    for r in selectors.stockouts(request.user):
        if item_ids is None or r.item_id in item_ids:
            f = flagged.setdefault(r.store_id, {"empty": 0, "low": 0})
            f["empty" if r.tone == "alert" else "low"] += 1
    # Totals per store only for a chosen item: summing every item of every store walks the whole balance table.
    places = (selectors.store_totals(request.user, item_ids=item_ids) if item_ids else
              selectors.store_places(request.user, store_ids=list(flagged)))
    points = [{"store": t["store_name"], "lat": t["lat"], "lng": t["lng"], "quantity": t.get("quantity"),
               **flagged.get(t["store_id"], {"empty": 0, "low": 0}), "url": reverse("supplies:store", args=[t["store_id"]])}
              for t in places]
    return JsonResponse({"points": points})


# --- one store -----------------------------------------------------------------------------------------------------
def _store_context(request, store, **forms):
    user = request.user
    today = timezone.localdate()
    balances = list(Balance.objects.filter(store=store, quantity__gt=0).select_related("lot", "lot__item")
                    .order_by("item__name", "lot__expires_on", "lot__id"))
    for b in balances:
        b.days_to_expiry = (b.lot.expires_on - today).days if b.lot.expires_on else None
        b.tone = ("alert" if b.days_to_expiry is not None and b.days_to_expiry <= selectors.WARN_DAYS[0]
                  else "warn" if b.days_to_expiry is not None and b.days_to_expiry <= selectors.WARN_DAYS[1] else "")
    manage = services.can_manage(user, store)
    lots = Lot.objects.filter(balances__store=store, balances__quantity__gt=0).select_related("item")
    ctx = {
        "store": store, "balances": balances, "rows": selectors.position(user, store_ids=[store.pk]), "can_manage": manage,
        "movements": selectors.movements(user).filter(store=store)[:30],
        "incoming": selectors.incoming_transfers(user).filter(to_store=store),
        "shortfalls": selectors.open_shortfalls(user).filter(store=store)[:30],
        "requests": scope(SupplyRequest.objects.filter(store=store), user).select_related("item")[:20],
    }
    if manage:
        items = selectors.items_for(user)
        ctx.update(
            receipt_form=forms.get("receipt_form") or ReceiptForm(items=items, prefix="nhap"),
            lot_form=forms.get("lot_form") or LotActionForm(lots=lots, prefix="lo"),
            dispatch_form=forms.get("dispatch_form") or DispatchForm(stores=Store.objects.none(), lots=lots, prefix="xuat"),
            # Built in Python: a province warehouse supplies thousands of stores, too many for a template loop.
            dispatch_targets=mark_safe("".join(f'<option value="{pk}">{escape(name)}</option>' for pk, name in
                                               selectors.stores_for(user).exclude(pk=store.pk).order_by("name").values_list("pk", "name"))),
            request_form=forms.get("request_form") or RequestForm(items=items, prefix="de-nghi"),
        )
    return ctx


@role_required(SUPPLY_READERS)
def store_detail(request, pk):
    store = scoped_object(request, Store.objects.select_related("unit", "facility", "team", "parent"), pk=pk)
    forms = {}
    if request.method == "POST":
        if not services.can_manage(request.user, store):
            raise PermissionDenied
        try:
            done = _store_action(request, store, forms)
        except Invalid as exc:
            messages.error(request, str(exc))
            done = None
        if done:
            messages.success(request, done)
            return redirect("supplies:store", pk=store.pk)
    return render(request, "supplies/store.html", _store_context(request, store, **forms),
                  status=400 if request.method == "POST" else 200)


def _store_action(request, store, forms) -> str | None:
    user, action = request.user, request.POST.get("form")
    lots = Lot.objects.filter(balances__store=store).select_related("item").distinct()
    if action == "nhap":
        form = forms["receipt_form"] = ReceiptForm(request.POST, items=selectors.items_for(user), prefix="nhap")
        if form.is_valid():
            d = form.cleaned_data
            services.receive(by=user, store=store, document=d["document"], source=d["source"], lines=[
                services.ReceiptLine(item=d["item"], quantity=d["quantity"], lot_code=d["lot_code"], expires_on=d["expires_on"])])
            return _("Đã nhập kho.")
    elif action == "lo":
        form = forms["lot_form"] = LotActionForm(request.POST, lots=lots, prefix="lo")
        if form.is_valid():
            d = form.cleaned_data
            lot, qty, reason = d["lot"], d["quantity"], d["reason"]
            if d["action"] == "issue":
                services.issue(by=user, store=store, lot=lot, quantity=qty, reason=reason)
            elif d["action"] == "return":
                services.return_stock(by=user, store=store, lot=lot, quantity=qty, reason=reason)
            elif d["action"] == "disposal":
                services.dispose(by=user, store=store, lot=lot, quantity=qty, reason=reason)
            else:
                services.adjust_after_count(by=user, store=store, lot=lot, counted=qty, reason=reason, approver=user)
            return _("Đã ghi sổ kho.")
    elif action == "xuat":
        form = forms["dispatch_form"] = DispatchForm(request.POST, stores=selectors.stores_for(user).exclude(pk=store.pk),
                                                     lots=lots, prefix="xuat")
        if form.is_valid():
            d = form.cleaned_data
            t = services.dispatch(by=user, from_store=store, to_store=d["to_store"], lines=[(d["lot"], d["quantity"])],
                                  document=d["document"])
            return _("Đã lập phiếu xuất kho %(n)s.") % {"n": t}
    elif action == "de-nghi":
        form = forms["request_form"] = RequestForm(request.POST, items=selectors.items_for(user), prefix="de-nghi")
        if form.is_valid():
            d = form.cleaned_data
            services.request_supply(by=user, store=store, item=d["item"], quantity=d["quantity"], need_note=d["need_note"])
            return _("Đã gửi đề nghị cấp vật tư.")
    return None


# --- lists ---------------------------------------------------------------------------------------------------------
@role_required(SUPPLY_READERS)
def expiring(request):
    within = 90 if request.GET.get("trong") != "30" else 30
    rows = selectors.expiring(request.user, within=within)
    if _wants_xlsx(request):
        return _xlsx_response(request, "sap-het-han", ["Kho", "Vật tư", "Số lô", "Hạn dùng", "Còn (ngày)", "Số lượng"],
                              [[str(r["store"]), str(r["item"]), r["lot"].code, r["lot"].expires_on, r["days"],
                                r["quantity"]] for r in rows])
    return render(request, "supplies/expiring.html", {"rows": rows[:500], "within": within})


@role_required(SUPPLY_READERS)
def stockouts(request):
    rows = selectors.stockouts(request.user)
    if _wants_xlsx(request):
        return _xlsx_response(request, "het-hang", ["Kho", "Vật tư", "Tồn", "Tiêu thụ 14 ngày", "Số ngày còn đủ dùng"],
                              [[r.store, r.item, r.quantity, r.consumed, r.days_left] for r in rows])
    return render(request, "supplies/stockouts.html", {"page_obj": Paginator(rows, 50).get_page(request.GET.get("page"))})


@role_required(SUPPLY_READERS)
def shortfalls(request):
    qs = selectors.open_shortfalls(request.user)
    if request.method == "POST":
        sf = scoped_object(request, Shortfall.objects.select_related("store"), pk=_int(request.POST.get("id")) or 0)
        if not services.can_manage(request.user, sf.store):
            raise PermissionDenied
        services.resolve_shortfall(by=request.user, shortfall=sf)
        messages.success(request, _("Đã đánh dấu đã xử lý."))
        return redirect("supplies:shortfalls")
    if _wants_xlsx(request):
        return _xlsx_response(request, "thieu-hut", ["Thời điểm", "Kho", "Vật tư", "Số lô", "Số lượng thiếu", "Lý do"],
                              [[s.at, str(s.store), str(s.item or ""), s.lot_code,
                                s.quantity, s.get_reason_display()] for s in qs[:10000]])
    return render(request, "supplies/shortfalls.html", {"page_obj": Paginator(qs, 50).get_page(request.GET.get("page")),
                                                         "can_edit": request.user.has_role(SUPPLY_EDITORS)})


@role_required(SUPPLY_READERS)
def ledger(request):
    qs = selectors.movements(request.user)
    store_id, lot_id, kind = _int(request.GET.get("kho")), _int(request.GET.get("lo")), request.GET.get("loai", "")
    if store_id:
        qs = qs.filter(store_id=store_id)
    if lot_id:
        qs = qs.filter(lot_id=lot_id)
    if kind in MovementKind.values:
        qs = qs.filter(kind=kind)
    if _wants_xlsx(request):
        rows = [[m.at, str(m.store), str(m.item), m.lot.code, m.get_kind_display(), m.quantity,
                 m.document, m.reason, str(m.by or "")] for m in qs[:50000]]
        return _xlsx_response(request, "so-kho", ["Thời điểm", "Kho", "Vật tư", "Số lô", "Loại", "Số lượng", "Chứng từ", "Lý do", "Người ghi"], rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "supplies/ledger.html", {
        "page_obj": page, "kinds": MovementKind.choices, "kind": kind, "store_id": store_id, "lot_id": lot_id,
        "querystring_prefix": f"kho={store_id or ''}&lo={lot_id or ''}&loai={kind}&"})


@role_required(SUPPLY_EDITORS)
def reverse_movement(request, pk):
    mv = scoped_object(request, Movement.objects.select_related("store", "lot", "lot__item"), pk=pk)
    if not services.can_manage(request.user, mv.store):
        raise PermissionDenied
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse(by=request.user, movement=mv, reason=form.cleaned_data["reason"])
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi bút toán hủy."))
            return redirect("supplies:store", pk=mv.store_id)
    return render(request, "supplies/reverse.html", {"movement": mv, "form": form})


@role_required(SUPPLY_READERS)
def receipt_pdf(request, pk):
    mv = scoped_object(request, Movement.objects.select_related("store"), pk=pk)
    if mv.kind not in (MovementKind.RECEIPT, MovementKind.OPENING):
        raise Http404
    group = list(Movement.objects.filter(store=mv.store, kind=mv.kind, document=mv.document, at=mv.at).select_related("item", "lot", "store").order_by("id"))
    record(actor=request.user, action="export", obj=mv, note="phiếu nhập kho")
    response = HttpResponse(documents.receipt_note(group), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-nhap-{mv.pk}.pdf"'
    return response


@role_required(SUPPLY_READERS)
def lot_trace(request, pk):
    lot = scoped_object(request, Lot.objects.select_related("item", "item__vaccine_product"), pk=pk)
    trace = selectors.lot_trace(request.user, lot)
    record_read(by=request.user, obj=lot, records={"people": [p.pk for p in trace["people"]]}, note="lot trace")
    # Each recipient's commune of its time, named on the map asked for ("Xã A (nay: Phường B)"; one query).
    structure = areas.structure_from_request(request)
    trace["people"] = areas.label_records(trace["people"], "commune", structure)
    if _wants_xlsx(request):
        return _xlsx_response(request, f"truy-vet-lo-{lot.code or lot.pk}", ["Họ và tên", "Năm sinh", "Xã/phường"],
                              [[p.full_name, p.birth_year, p.unit_label] for p in trace["people"]],
                              records={"people": [p.pk for p in trace["people"]]})
    return render(request, "supplies/lot.html", {"lot": lot, **trace, "structure": structure})


# --- transfers -----------------------------------------------------------------------------------------------------
@role_required(SUPPLY_READERS)
def transfer_list(request):
    qs = selectors.transfers(request.user)
    return render(request, "supplies/transfers.html", {"page_obj": Paginator(qs, 50).get_page(request.GET.get("page"))})


@role_required(SUPPLY_READERS)
def transfer_detail(request, pk):
    transfer = scoped_object(request, Transfer.objects.select_related("from_store", "to_store", "dispatched_by", "received_by"), pk=pk)
    lines = list(transfer.lines.select_related("item", "lot"))
    can_receive = transfer.status == Transfer.Status.DISPATCHED and services.can_manage(request.user, transfer.to_store)
    if request.method == "POST":
        if not can_receive:
            raise PermissionDenied
        received, reasons = {}, {}
        for line in lines:
            raw = request.POST.get(f"nhan-{line.pk}", "").strip()
            received[line.pk] = int(raw) if raw.isdigit() and len(raw) < 10 else (line.dispatched if raw == "" else -1)
            reasons[line.pk] = request.POST.get(f"ly-do-{line.pk}", "")
        try:
            services.receive_transfer(by=request.user, transfer=transfer, received=received, reasons=reasons)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã xác nhận nhận hàng."))
            return redirect("supplies:store", pk=transfer.to_store_id)
    return render(request, "supplies/transfer.html", {"transfer": transfer, "lines": lines, "can_receive": can_receive})


@role_required(SUPPLY_READERS)
def dispatch_pdf(request, pk):
    transfer = scoped_object(request, Transfer.objects.select_related("from_store", "to_store"), pk=pk)
    record(actor=request.user, action="export", obj=transfer, note="phiếu xuất kho")
    response = HttpResponse(documents.dispatch_note(transfer), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-xuat-{transfer.pk}.pdf"'
    return response


# --- requests and allocation ---------------------------------------------------------------------------------------
@role_required(SUPPLY_READERS)
def request_list(request):
    qs = scope(SupplyRequest.objects.select_related("store", "item"), request.user)
    status = request.GET.get("trang-thai", "")
    if status in SupplyRequest.Status.values:
        qs = qs.filter(status=status)
    return render(request, "supplies/requests.html", {"page_obj": Paginator(qs, 50).get_page(request.GET.get("page")),
                                                       "status": status, "statuses": SupplyRequest.Status.choices,
                                                       "can_decide": request.user.has_role(ALLOCATION_APPROVERS)})


@role_required(ALLOCATION_APPROVERS)
def request_decide(request, pk):
    req = scoped_object(request, SupplyRequest.objects.select_related("store", "item", "store__parent"), pk=pk)
    senders = selectors.stores_for(request.user).exclude(pk=req.store_id).order_by("name")
    form = DecisionForm(request.POST or None, stores=senders, initial={"quantity": req.quantity, "from_store": req.store.parent_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decide_request(by=request.user, request=req, approve=d["approve"], quantity=d["quantity"], note=d["note"],
                                    from_store=d["from_store"] if d["approve"] else None)
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi quyết định."))
            return redirect("supplies:requests")
    source = req.store.parent or senders.filter(kind="provincial_warehouse").first()
    rows = [r for r in suggest(request.user, source=source, item=req.item) if r.store.pk == req.store_id] if source else []
    return render(request, "supplies/decide.html", {"req": req, "form": form, "need": rows[0] if rows else None, "source": source})


@role_required(ALLOCATION_APPROVERS)
def allocation(request):
    """Suggested allocation of one item from one store to the stores below it, by need."""
    stores = selectors.stores_for(request.user).order_by("unit__path", "name")
    items = selectors.items_for(request.user)
    source = stores.filter(pk=_int(request.GET.get("nguon")) or 0).first() or stores.filter(kind="provincial_warehouse").first()
    item = items.filter(pk=_int(request.GET.get("vat-tu")) or 0).first()
    rows = suggest(request.user, source=source, item=item) if source and item else []
    if rows and _wants_xlsx(request):
        return _xlsx_response(request, "phan-bo", ["Kho", "Nhu cầu", "Căn cứ", "Đang có", "Thiếu", "Đề xuất cấp"],
                              [[r.store.name, r.need, r.basis, r.on_hand, r.gap, r.suggested] for r in rows])
    available = sum(q for _, q in services.fefo(source, item)) if source and item else 0
    return render(request, "supplies/allocation.html", {"stores": stores, "items": items, "source": source, "item": item,
                                                         "rows": rows, "available": available})


# --- catalogue and import ------------------------------------------------------------------------------------------
@role_required(SUPPLY_READERS)
def catalogue(request):
    items = selectors.items_for(request.user).select_related("vaccine_product", "disease")
    if _wants_xlsx(request):
        return _xlsx_response(request, "danh-muc", ["Mã", "Tên", "Hàm lượng", "Nhóm", "ĐVT", "Quy cách"],
                              [[i.code, i.name, i.strength, i.get_category_display(), i.unit, i.pack_size] for i in items])
    return render(request, "supplies/catalogue.html", {"items": items, "stores": selectors.stores_for(request.user).select_related("unit", "parent")[:500]})


@role_required(SUPPLY_EDITORS)
def import_opening(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = rejected = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            rejected = FileRejected("Tệp lớn hơn 10 MB.", "The file is larger than 10 MB.")
        else:
            try:
                result = OpeningBalanceImporter(by=request.user, filename=f.name).run(f.read(), f.name)
            except FileRejected as exc:
                rejected = exc
    return render(request, "supplies/import.html", {"form": form, "result": result, "rejected": rejected})

