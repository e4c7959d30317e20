"""REST API of the supplies app: items and stores (read), balances (read), the ledger (read, and new movements through
the same services and the same store-manager rule as the pages), transfers (read, receive)."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.errors import Invalid
from core.scoping import scope

from . import services
from .models import Balance, Item, Lot, Movement, MovementKind, ReceiptSource, Store, Transfer, TransferLine
from .roles import SUPPLY_EDITORS, SUPPLY_READERS


def _invalid(exc: Invalid):
    # The field keeps its [vi, en] list (older clients read it), inside the one error shape of core.api.
    field = exc.field or "non_field_errors"
    return ValidationError({field: [exc.vi, exc.en], "detail": f"{exc.vi} / {exc.en}", "message_vi": exc.vi,
                            "message_en": exc.en, "errors": [{"field": exc.field, "message_vi": exc.vi, "message_en": exc.en}]})


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "code", "name", "category", "unit", "pack_size", "strength", "disease", "medicine_item", "test_kind",
                  "vaccine_product", "tracks_expiry", "is_active"]


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "name", "kind", "unit", "facility", "team", "parent", "is_active"]


class BalanceSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    expires_on = serializers.DateField(source="lot.expires_on", read_only=True)

    class Meta:
        model = Balance
        fields = ["id", "store", "item", "lot", "lot_code", "expires_on", "quantity", "updated_at"]


class MovementSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)

    class Meta:
        model = Movement
        fields = ["id", "store", "item", "lot", "lot_code", "kind", "quantity", "at", "document", "source", "reason",
                  "approved_by", "counterpart", "transfer", "reverses", "care_ref", "by", "created_at"]


class NewMovementSerializer(serializers.Serializer):
    KINDS = [MovementKind.RECEIPT, MovementKind.ISSUE, MovementKind.RETURN, MovementKind.DISPOSAL, MovementKind.ADJUSTMENT]
    kind = serializers.ChoiceField(choices=KINDS)
    store = serializers.IntegerField()
    item = serializers.IntegerField(required=False, help_text="receipt: the item received")
    lot = serializers.IntegerField(required=False, help_text="issue, return, disposal, adjustment: the lot")
    lot_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    expires_on = serializers.DateField(required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=0, max_value=10_000_000, help_text="adjustment: the counted quantity")
    document = serializers.CharField(required=False, allow_blank=True, max_length=120)
    source = serializers.ChoiceField(choices=ReceiptSource.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ItemViewSet(ScopedReadOnlyViewSet):
    queryset = Item.objects.order_by("category", "name")
    serializer_class = ItemSerializer
    allowed_roles = SUPPLY_READERS
    filterset_fields = ["category", "code", "is_active"]


class StoreViewSet(ScopedReadOnlyViewSet):
    queryset = Store.objects.order_by("unit__path", "name")
    serializer_class = StoreSerializer
    allowed_roles = SUPPLY_READERS
    filterset_fields = ["kind", "unit", "parent"]


class BalanceViewSet(ScopedReadOnlyViewSet):
    """Balances by store and lot (derived from the ledger)."""

    queryset = Balance.objects.select_related("lot").order_by("store_id", "item_id", "lot__expires_on", "id")
    serializer_class = BalanceSerializer
    allowed_roles = SUPPLY_READERS
    filterset_fields = ["store", "item", "lot"]


class MovementViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger. POST appends a movement (never edits one); a wrong one is reversed with POST …/reverse/."""

    queryset = Movement.objects.select_related("lot").order_by("-at", "-id")
    serializer_class = MovementSerializer
    allowed_roles = SUPPLY_READERS
    edit_roles = SUPPLY_EDITORS
    filterset_fields = ["store", "item", "lot", "kind"]

    def _store(self, pk):
        store = scope(Store.objects.filter(pk=pk), self.request.user).first()
        if store is None:
            raise ValidationError({"store": "Không có kho này trong địa bàn của bạn / No such store in your jurisdiction"})
        if not services.can_manage(self.request.user, store):
            raise PermissionDenied("Bạn không quản lý kho này / You do not manage this store")
        return store

    @extend_schema(request=NewMovementSerializer, responses={201: MovementSerializer(many=True)})
    def create(self, request):
        s = NewMovementSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        store, user = self._store(d["store"]), request.user
        try:
            if d["kind"] == MovementKind.RECEIPT:
                item = Item.objects.filter(pk=d.get("item")).first()
                if item is None:
                    raise ValidationError({"item": "Cần vật tư / The item is required"})
                out = services.receive(by=user, store=store, document=d.get("document", ""), source=d.get("source", ReceiptSource.PROCUREMENT),
                                       lines=[services.ReceiptLine(item=item, quantity=d["quantity"], lot_code=d.get("lot_code", ""),
                                                                   expires_on=d.get("expires_on"))])
            else:
                lot = Lot.objects.filter(pk=d.get("lot")).first()
                if lot is None:
                    raise ValidationError({"lot": "Cần lô / The lot is required"})
                kind, qty, reason = d["kind"], d["quantity"], d.get("reason", "")
                if kind == MovementKind.ISSUE:
                    out = [services.issue(by=user, store=store, lot=lot, quantity=qty, reason=reason)]
                elif kind == MovementKind.RETURN:
                    out = [services.return_stock(by=user, store=store, lot=lot, quantity=qty, reason=reason)]
                elif kind == MovementKind.DISPOSAL:
                    out = [services.dispose(by=user, store=store, lot=lot, quantity=qty, reason=reason, document=d.get("document", ""))]
                else:
                    mv = services.adjust_after_count(by=user, store=store, lot=lot, counted=qty, reason=reason, approver=user)
                    out = [mv] if mv else []
        except Invalid as exc:
            raise _invalid(exc)
        return Response(MovementSerializer(out, many=True).data, status=201)

    @extend_schema(request=ReverseSerializer, responses={201: MovementSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        mv = self.get_object()
        if not services.can_manage(request.user, mv.store):
            raise PermissionDenied("Bạn không quản lý kho này / You do not manage this store")
        s = ReverseSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            rev = services.reverse(by=request.user, movement=mv, reason=s.validated_data["reason"])
        except Invalid as exc:
            raise _invalid(exc)
        return Response(MovementSerializer(rev).data, status=201)


class TransferLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransferLine
        fields = ["id", "item", "lot", "dispatched", "received", "discrepancy_reason"]


class TransferSerializer(serializers.ModelSerializer):
    lines = TransferLineSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "from_store", "to_store", "status", "document", "dispatched_at", "received_at", "note", "lines"]


class ReceiveLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    received = serializers.IntegerField(min_value=0, max_value=10_000_000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ReceiveSerializer(serializers.Serializer):
    lines = ReceiveLineSerializer(many=True, required=False)


class TransferViewSet(ScopedReadOnlyViewSet):
    queryset = Transfer.objects.prefetch_related("lines").order_by("-dispatched_at", "-id")
    serializer_class = TransferSerializer
    allowed_roles = SUPPLY_READERS
    edit_roles = SUPPLY_EDITORS
    filterset_fields = ["status", "from_store", "to_store"]

    @extend_schema(request=ReceiveSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        transfer = self.get_object()
        if not services.can_manage(request.user, transfer.to_store):
            raise PermissionDenied("Bạn không quản lý kho nhận / You do not manage the receiving store")
        s = ReceiveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        lines = s.validated_data.get("lines", [])
        try:
            services.receive_transfer(by=request.user, transfer=transfer, received={x["line"]: x["received"] for x in lines},
                                      reasons={x["line"]: x.get("reason", "") for x in lines})
        except Invalid as exc:
            raise _invalid(exc)
        transfer.refresh_from_db()
        return Response(TransferSerializer(transfer).data)


# -- the other writes of the pages (issue #14 §3): the same forms and services -------------------------------------
from core.api_forms import FormWriteView, scoped_or_404  # noqa: E402
from core.imports import FileRejected  # noqa: E402

from . import selectors  # noqa: E402
from .forms import DecisionForm, DispatchForm, ImportForm, RequestForm  # noqa: E402
from .models import Shortfall, SupplyRequest  # noqa: E402
from .roles import ALLOCATION_APPROVERS  # noqa: E402


def _managed_store(request, pk):
    store = scoped_or_404(Store.objects.all(), request.user, pk=pk)
    if not services.can_manage(request.user, store):
        raise PermissionDenied("Bạn không quản lý kho này / You do not manage this store")
    return store


class DispatchView(FormWriteView):
    """A dispatch note from a store the caller manages to another store (stock in transit until received)."""

    allowed_roles = SUPPLY_READERS
    edit_roles = SUPPLY_EDITORS
    form_class = DispatchForm
    output = TransferSerializer

    def get_target(self, request, pk=None):
        return _managed_store(request, pk)

    def form_kwargs(self, request, target=None, **kwargs):
        lots = Lot.objects.filter(balances__store=target).select_related("item").distinct()
        return {"stores": selectors.stores_for(request.user).exclude(pk=target.pk), "lots": lots}

    def perform(self, request, data, target, **kwargs):
        return services.dispatch(by=request.user, from_store=target, to_store=data["to_store"],
                                 lines=[(data["lot"], data["quantity"])], document=data["document"])


class SupplyRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplyRequest
        fields = ["id", "store", "item", "quantity", "need_note", "status", "approved_quantity", "decision_note"]


class SupplyRequestCreateView(FormWriteView):
    """A store the caller manages asks for supplies (item, quantity, the need it rests on)."""

    allowed_roles = SUPPLY_READERS
    edit_roles = SUPPLY_EDITORS
    form_class = RequestForm
    output = SupplyRequestSerializer

    def get_target(self, request, pk=None):
        return _managed_store(request, pk)

    def form_kwargs(self, request, **kwargs):
        return {"items": selectors.items_for(request.user)}

    def perform(self, request, data, target, **kwargs):
        return services.request_supply(by=request.user, store=target, item=data["item"], quantity=data["quantity"],
                                       need_note=data["need_note"])


class SupplyRequestDecideView(FormWriteView):
    """Approve (possibly another quantity, dispatched at once FEFO from `from_store`) or reject a supply request."""

    edit_roles = ALLOCATION_APPROVERS
    form_class = DecisionForm
    output = SupplyRequestSerializer
    success_status = 200

    def get_target(self, request, pk=None):
        return scoped_or_404(SupplyRequest.objects.select_related("store", "item"), request.user, pk=pk)

    def form_kwargs(self, request, target=None, **kwargs):
        return {"stores": selectors.stores_for(request.user).exclude(pk=target.store_id)}

    def perform(self, request, data, target, **kwargs):
        return services.decide_request(by=request.user, request=target, approve=data["approve"], quantity=data["quantity"],
                                       note=data["note"], from_store=data["from_store"] if data["approve"] else None)


class ShortfallResolveView(FormWriteView):
    """Mark a shortfall of a store the caller manages as dealt with."""

    allowed_roles = SUPPLY_READERS
    edit_roles = SUPPLY_EDITORS
    success_status = 200

    def get_target(self, request, pk=None):
        shortfall = scoped_or_404(Shortfall.objects.select_related("store"), request.user, pk=pk)
        if not services.can_manage(request.user, shortfall.store):
            raise PermissionDenied("Bạn không quản lý kho này / You do not manage this store")
        return shortfall

    def perform(self, request, data, target, **kwargs):
        services.resolve_shortfall(by=request.user, shortfall=target)
        return {"id": target.pk, "resolved": True}


class OpeningImportView(FormWriteView):
    """Import opening balances (XLSX/CSV, at most 10 MB): all or nothing; a refused file lists each row in error with
    its line, column and reason in Vietnamese and English."""

    edit_roles = SUPPLY_EDITORS
    form_class = ImportForm
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        from .imports import OpeningBalanceImporter
        from .views import MAX_UPLOAD

        f = data["file"]
        if f.size > MAX_UPLOAD:
            raise Invalid("Tệp lớn hơn 10 MB.", "The file is larger than 10 MB.", field="file")
        try:
            result = OpeningBalanceImporter(by=request.user, filename=f.name).run(f.read(), f.name)
        except FileRejected as exc:
            raise Invalid(exc.message_vi, exc.message_en, field="file")
        if not result.saved:
            n = len(result.errors)
            vi, en = f"Không nhập dòng nào: {n} dòng lỗi.", f"Nothing imported: {n} rows in error."
            return Response({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en,
                             "errors": [{"field": e.column, **e.as_dict()} for e in result.errors], "result": result.as_dict()},
                            status=400)
        return result.as_dict()
