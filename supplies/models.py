"""Supplies: the items catalogue, lots, stores, the append-only stock ledger and what is derived from it.

The ledger (`Movement`) is the truth: one row per change of one lot's quantity in one store, positive in,
negative out. It is never edited or deleted (the model refuses, a database trigger refuses raw SQL); a wrong
movement is reversed by a new one. `Balance` is the ledger's sum per store and lot, kept by supplies.services in
the same transaction as the movement (row locked, never negative: a CHECK constraint is the last guard);
tests prove it equals the sum of the ledger.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


def _catalogue_scope(cls, queryset, user):
    """The catalogue and lot numbers are reference data, not personal: every place-bound user reads them."""
    from core.scoping import jurisdiction_area

    if user.sees_everything or jurisdiction_area(user) is not None:
        return queryset
    return queryset.none()


class Category(models.TextChoices):
    TEST_KIT = "test_kit", _("Sinh phẩm xét nghiệm")
    MEDICINE = "medicine", _("Thuốc")
    VACCINE = "vaccine", _("Vắc xin")
    OXYGEN = "oxygen", _("Oxy và thiết bị oxy")
    PPE = "ppe", _("Trang phục phòng hộ")
    OTHER = "other", _("Khác")


class Item(models.Model):
    """One thing counted in stock, in its issue unit (a kit, a package, a dose, a cylinder, a set)."""

    code = models.SlugField(_("Mã"), max_length=40, unique=True)
    name = models.CharField(_("Tên"), max_length=200)
    category = models.CharField(_("Nhóm"), max_length=12, choices=Category.choices)
    unit = models.CharField(_("Đơn vị tính"), max_length=20)  # "test", "gói", "liều", "bình", "bộ"
    pack_size = models.PositiveIntegerField(_("Số đơn vị mỗi kiện"), default=1)
    strength = models.CharField(_("Hàm lượng"), max_length=60, blank=True)  # "200 mg", "500 mg"
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Bệnh"))
    # Links to the care records that consume it (the owners' codes, not copies of their lists).
    medicine_item = models.CharField(_("Gói/thuốc cấp cho F0"), max_length=16, blank=True)  # cases MedicineItem value
    test_kind = models.CharField(_("Loại xét nghiệm"), max_length=20, blank=True)  # testing TestKind value
    vaccine_product = models.ForeignKey("vaccination.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vắc xin"))
    tracks_expiry = models.BooleanField(_("Quản lý theo lô và hạn dùng"), default=True)
    is_active = models.BooleanField(default=True)

    scope_for_user = classmethod(_catalogue_scope)

    class Meta:
        verbose_name = _("Vật tư")
        verbose_name_plural = _("Vật tư")
        ordering = ["category", "name"]

    def __str__(self):
        return f"{self.name} {self.strength}".strip()


class Lot(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("Vật tư"))
    code = models.CharField(_("Số lô"), max_length=40)  # "" for items not tracked by lot (one lot per item)
    expires_on = models.DateField(_("Hạn dùng"), null=True, blank=True)
    manufacturer = models.CharField(_("Nhà sản xuất"), max_length=160, blank=True)

    scope_for_user = classmethod(_catalogue_scope)

    class Meta:
        verbose_name = _("Lô")
        ordering = ["expires_on", "code"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="supplies_lot_unique")]

    def __str__(self):
        if not self.code:
            return str(self.item)
        exp = f" – HD {self.expires_on:%d/%m/%Y}" if self.expires_on else ""
        return f"{self.item} – lô {self.code}{exp}"


class StoreKind(models.TextChoices):
    PROVINCIAL_WAREHOUSE = "provincial_warehouse", _("Kho tỉnh (CDC)")
    REGIONAL_CENTRE = "regional_centre", _("Trung tâm Y tế khu vực/huyện")
    COMMUNE_STATION = "commune_station", _("Trạm Y tế xã")
    TREATMENT_FACILITY = "treatment_facility", _("Cơ sở điều trị")
    VACCINATION_SITE = "vaccination_site", _("Điểm tiêm chủng")
    MOBILE_TEAM = "mobile_team", _("Tổ/đội lưu động")


class Store(models.Model):
    """A place that holds stock. Belongs to a facility or a team, lies in a unit (its jurisdiction), and is supplied
    by its parent store (requests go up that chain)."""

    name = models.CharField(_("Tên kho"), max_length=200)
    kind = models.CharField(_("Loại kho"), max_length=24, choices=StoreKind.choices)
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Địa bàn"))
    facility = models.OneToOneField("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="store", verbose_name=_("Cơ sở"))
    team = models.OneToOneField("facilities.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="store", verbose_name=_("Tổ/đội"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("Kho cấp trên"))
    is_active = models.BooleanField(default=True)

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Kho")
        verbose_name_plural = _("Kho")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Nhập kho")
    OPENING = "opening", _("Tồn đầu kỳ")
    TRANSFER_OUT = "transfer_out", _("Xuất chuyển kho")
    TRANSFER_IN = "transfer_in", _("Nhận chuyển kho")
    ISSUE = "issue", _("Xuất sử dụng")
    DISPENSE = "dispense", _("Cấp thuốc cho F0")
    DOSE = "dose", _("Tiêm chủng")
    TEST = "test", _("Xét nghiệm nhanh")
    RETURN = "return", _("Nhập trả lại")
    DISPOSAL = "disposal", _("Hủy (hết hạn, hỏng)")
    ADJUSTMENT = "adjustment", _("Điều chỉnh sau kiểm kê")
    REVERSAL = "reversal", _("Hủy bút toán")


OUTGOING = {MovementKind.TRANSFER_OUT, MovementKind.ISSUE, MovementKind.DISPENSE, MovementKind.DOSE,
            MovementKind.TEST, MovementKind.DISPOSAL}
INCOMING = {MovementKind.RECEIPT, MovementKind.OPENING, MovementKind.TRANSFER_IN, MovementKind.RETURN}
CONSUMPTION = {MovementKind.ISSUE, MovementKind.DISPENSE, MovementKind.DOSE, MovementKind.TEST}


class ReceiptSource(models.TextChoices):
    PROCUREMENT = "procurement", _("Mua sắm")
    DONATION = "donation", _("Tài trợ, viện trợ")
    MINISTRY = "ministry", _("Bộ Y tế phân bổ")
    OTHER = "other", _("Khác")


class Movement(models.Model):
    """One ledger row. Append-only: corrections are new movements (kind "reversal", `reverses` the wrong one)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="movements", verbose_name=_("Kho"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vật tư"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("Lô"))
    kind = models.CharField(_("Loại"), max_length=14, choices=MovementKind.choices)
    quantity = models.IntegerField(_("Số lượng"))  # signed: + in, − out
    at = models.DateTimeField(_("Thời điểm"))
    document = models.CharField(_("Chứng từ"), max_length=120, blank=True)
    source = models.CharField(_("Nguồn"), max_length=12, choices=ReceiptSource.choices, blank=True)
    reason = models.CharField(_("Lý do"), max_length=300, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Người duyệt"))
    counterpart = models.ForeignKey(Store, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Kho đối ứng"))
    transfer = models.ForeignKey("Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    # The care record that consumed it ("cases.dispensing:12", "vaccination.injection:9", "testing.test:3").
    care_ref = models.CharField(max_length=60, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    jurisdiction_field = "store__unit"

    class Meta:
        verbose_name = _("Bút toán kho")
        verbose_name_plural = _("Sổ kho")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(quantity=0), name="supplies_movement_nonzero")]
        indexes = [
            models.Index(fields=["store", "item", "at"], name="supplies_mv_store_item_idx"),  # consumption rate
            models.Index(fields=["lot", "at"], name="supplies_mv_lot_idx"),  # recall trace
            models.Index(fields=["kind", "at"], name="supplies_mv_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} {self.lot}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Stock movements cannot be changed; reverse them with a new movement")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Stock movements cannot be deleted; reverse them with a new movement")


class Balance(models.Model):
    """The ledger's sum per store and lot, maintained by services in the movement's transaction."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    quantity = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    jurisdiction_field = "store__unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "lot"], name="supplies_balance_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="supplies_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["store", "item"], name="supplies_bal_store_item_idx")]


class Transfer(models.Model):
    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Đã xuất, đang vận chuyển")
        RECEIVED = "received", _("Đã nhận")

    from_store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("Kho xuất"))
    to_store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("Kho nhận"))
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.DISPATCHED)
    document = models.CharField(_("Số phiếu xuất"), max_length=120, blank=True)
    dispatched_at = models.DateTimeField(_("Thời điểm xuất"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("Thời điểm nhận"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("Ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Phiếu chuyển kho")
        ordering = ["-dispatched_at", "-id"]

    def __str__(self):
        return f"PX-{self.pk:06d}" if self.pk else "PX"

    @classmethod
    def scope_for_user(cls, queryset, user):
        """A transfer is seen from both ends."""
        from core.scoping import unit_q

        q_from, q_to = unit_q(user, "from_store__unit"), unit_q(user, "to_store__unit")
        if q_from is None:
            return queryset
        return queryset.filter(q_from | q_to).distinct()


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    dispatched = models.PositiveIntegerField(_("Số lượng xuất"))
    # Set once, at receipt; the dispatched quantity is never changed.
    received = models.PositiveIntegerField(_("Số lượng nhận"), null=True, blank=True)
    discrepancy_reason = models.CharField(_("Lý do chênh lệch"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def discrepancy(self) -> int | None:
        return None if self.received is None else self.received - self.dispatched


class Shortfall(models.Model):
    """Care was given without the stock to match it (care comes first): flagged for the store manager."""

    class Reason(models.TextChoices):
        NO_STOCK = "no_stock", _("Không đủ tồn kho")
        UNKNOWN_LOT = "unknown_lot", _("Số lô không có trong kho")
        EXPIRED_LOT = "expired_lot", _("Lô đã hết hạn")
        NO_ITEM = "no_item", _("Vật tư chưa có trong danh mục")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="shortfalls", verbose_name=_("Kho"))
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vật tư"))
    lot_code = models.CharField(_("Số lô"), max_length=40, blank=True)
    quantity = models.PositiveIntegerField(_("Số lượng thiếu"))
    reason = models.CharField(_("Lý do"), max_length=12, choices=Reason.choices)
    care_ref = models.CharField(max_length=60)
    person_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "store__unit"

    class Meta:
        verbose_name = _("Thiếu hụt vật tư")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["store", "resolved_at"], name="supplies_shortfall_open_idx")]


class SupplyRequest(models.Model):
    """A store asks its parent chain for stock; the Department of Health approves (possibly another quantity)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Từ chối")
        FULFILLED = "fulfilled", _("Đã cấp")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="requests", verbose_name=_("Kho đề nghị"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vật tư"))
    quantity = models.PositiveIntegerField(_("Số lượng đề nghị"))
    need_note = models.CharField(_("Căn cứ nhu cầu"), max_length=300, blank=True)
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    approved_quantity = models.PositiveIntegerField(_("Số lượng duyệt"), null=True, blank=True)
    decision_note = models.CharField(_("Ý kiến"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "store__unit"

    class Meta:
        verbose_name = _("Đề nghị cấp vật tư")
        ordering = ["-requested_at", "-id"]
