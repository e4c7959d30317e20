"""Opening balances from XLSX (or CSV): one row per store, item and lot, validated row by row, saved all or nothing.

Layout (headers matched without diacritics or case; English aliases accepted):
    Kho | Mã vật tư | Số lô | Hạn dùng | Số lượng
    Store | Item code | Lot | Expiry | Quantity
"Kho" is the store's name or number as shown on the stores page; the importing user must manage it. Items tracked
by lot need "Số lô" and "Hạn dùng" (dd/mm/yyyy). A store and lot that already has ledger rows is refused (its
balance is not an opening balance any more); so is the same store and lot twice in the file.
"""
from core.imports import Column, ImportResult, RowError, RowInvalid, TableImporter
from core.parsing import ParseError, parse_date, parse_int
from core.text import fold

from . import services
from .models import Item, Lot, Movement, MovementKind
from .selectors import stores_for


class OpeningBalanceImporter(TableImporter):
    audit_label = "supplies.opening_balances"
    columns = [
        Column("store", ("Kho", "Store"), required=True),
        Column("item", ("Mã vật tư", "Item code", "Item"), required=True),
        Column("lot", ("Số lô", "Lot", "Lot number")),
        Column("expires_on", ("Hạn dùng", "Expiry", "Expires on")),
        Column("quantity", ("Số lượng", "Quantity"), required=True),
    ]

    def __init__(self, *, filename: str = "", **kw):
        super().__init__(**kw)
        self.filename = filename
        managed = [s for s in stores_for(self.by) if services.can_manage(self.by, s)]
        self.stores = {fold(s.name): s for s in managed} | {str(s.pk): s for s in managed}
        self.items = {i.code.lower(): i for i in Item.objects.filter(is_active=True)}

    def clean_row(self, values: dict, line: int) -> dict:
        errors = []
        raw_store = str(values.get("store") or "").strip()
        if raw_store.endswith(".0") and raw_store[:-2].isdigit():
            raw_store = raw_store[:-2]
        store = self.stores.get(fold(raw_store)) or self.stores.get(raw_store)
        if store is None:
            errors.append(("Kho", f"Không có kho “{raw_store}” do bạn quản lý.", f"No store “{raw_store}” that you manage."))
        code = str(values.get("item") or "").strip().lower()
        item = self.items.get(code)
        if item is None:
            errors.append(("Mã vật tư", f"Mã vật tư “{code}” không có trong danh mục.", f"Item code “{code}” is not in the catalogue."))
        lot_code = str(values.get("lot") or "").strip()
        if lot_code.endswith(".0") and lot_code[:-2].isdigit():
            lot_code = lot_code[:-2]
        try:
            expires_on = parse_date(values.get("expires_on"))
        except ParseError as exc:
            errors.append(("Hạn dùng", exc.vi, exc.en))
            expires_on = None
        if item is not None and item.tracks_expiry:
            if not lot_code:
                errors.append(("Số lô", "Thiếu số lô.", "The lot number is missing."))
            if expires_on is None and not any(c == "Hạn dùng" for c, _, _ in errors):
                errors.append(("Hạn dùng", "Thiếu hạn dùng.", "The expiry date is missing."))
        if item is not None and not item.tracks_expiry:
            lot_code, expires_on = "", None
        try:
            qty = parse_int(values.get("quantity"))
        except ParseError as exc:
            errors.append(("Số lượng", exc.vi, exc.en))
            qty = None
        else:
            if qty is None or qty <= 0:
                errors.append(("Số lượng", "Số lượng phải lớn hơn 0.", "The quantity must be positive."))
        if item is not None and lot_code and expires_on:
            known = Lot.objects.filter(item=item, code=lot_code).first()
            if known is not None and known.expires_on != expires_on:
                errors.append(("Hạn dùng", f"Lô {lot_code} đã có với hạn dùng {known.expires_on:%d/%m/%Y}.",
                               f"Lot {lot_code} already exists with expiry {known.expires_on:%d/%m/%Y}."))
        if errors:
            raise RowInvalid(errors)
        return {"store": store, "item": item, "lot": lot_code, "expires_on": expires_on, "quantity": qty}

    def check_rows(self, rows):
        errors, seen = [], {}
        for line, r in rows:
            key = (r["store"].pk, r["item"].pk, r["lot"])
            if key in seen:
                errors.append(RowError(line, "Số lô", f"Trùng dòng {seen[key]} (cùng kho, vật tư, lô).",
                                       f"Same store, item and lot as line {seen[key]}."))
            seen.setdefault(key, line)
        used = set(Movement.objects.filter(store_id__in={k[0] for k in seen}, item_id__in={k[1] for k in seen})
                   .values_list("store_id", "item_id", "lot__code").distinct())
        for (store_id, item_id, lot), line in seen.items():
            if (store_id, item_id, lot) in used:
                errors.append(RowError(line, "Số lô", "Kho đã có sổ kho cho lô này: không nhập tồn đầu kỳ được nữa.",
                                       "The store already has ledger rows for this lot: no opening balance any more."))
        return errors

    def save_rows(self, rows, result: ImportResult) -> None:
        document = f"Tồn đầu kỳ — {self.filename}"[:120]
        for _line, r in rows:
            services.receive(by=self.by, store=r["store"], document=document, source="other", kind=MovementKind.OPENING,
                             lines=[services.ReceiptLine(item=r["item"], quantity=r["quantity"], lot_code=r["lot"],
                                                         expires_on=r["expires_on"])])
            result.imported += 1

