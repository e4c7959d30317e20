import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import api_imports
from core.api import ScopedViewSetMixin
from core.api_imports import BATCH_SCHEMA, IMPORT_SCHEMA
from core.auditing import record_read
from core.errors import Invalid
from core.roles import HEALTH_READERS, PERSON_EDITORS
from core.scoping import visible_units

from . import rehoming, services
from .models import Person, RehomingMove, RehomingRun, province_wide


class PossibleDuplicates(APIException):
    """409 at creation: same folded name, year of birth and commune as existing records (resend with confirm_not_duplicate)."""

    status_code = 409
    default_code = "possible_duplicates"

    def __init__(self, people):
        super().__init__()
        self.detail = {
            "detail": "Có thể trùng với hồ sơ đã có / Possible duplicate of existing records",
            "code": "possible_duplicates",
            "possible_duplicates": [
                {"id": p.pk, "full_name": p.full_name, "birth_year": p.birth_year, "commune": p.commune_id} for p in people
            ],
        }


class PersonSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False)
    age = serializers.IntegerField(read_only=True)
    # Accepted as people write them (+84, spaces, dots), stored normalised ("0912345678").
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    guardian_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    confirm_not_duplicate = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="Create even though records with the same name, year of birth and commune exist (409 otherwise).",
    )

    class Meta:
        model = Person
        fields = [
            "id", "full_name", "date_of_birth", "birth_year", "sex", "id_kind", "id_number", "phone", "ethnicity",
            "occupation", "workplace", "commune", "village", "street", "comorbidities", "is_pregnant",
            "is_immunocompromised", "guardian_name", "guardian_phone", "version", "age", "created_at", "updated_at",
            "confirm_not_duplicate",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if not attrs.get("date_of_birth") and not attrs.get("birth_year") and not self.instance:
            raise ValidationError({"birth_year": "Cần ngày sinh hoặc năm sinh / Date or year of birth is required"})
        if attrs.get("birth_year") is not None and not 1900 <= attrs["birth_year"] <= 2100:
            raise ValidationError({"birth_year": "Năm sinh không hợp lệ / Invalid year of birth"})
        return attrs


class IdFilter(django_filters.NumberFilter):
    """Whole numbers in the database's range: a malformed or huge value answers 400, never 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Tên (không dấu), CCCD hoặc số điện thoại")
    # A commune of either structure: also the people on the communes that roll up into it (geo.areas.unit_filter_q).
    commune = IdFilter(method="in_commune")
    village = IdFilter(field_name="village_id")
    birth_year = IdFilter(field_name="birth_year", max_value=2100)
    updated_since = django_filters.DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Person
        fields = ["q", "commune", "village", "sex", "birth_year"]

    def search(self, qs, name, value):
        return services.search_people(qs, value)

    def in_commune(self, qs, name, value):
        from geo import areas

        return qs.filter(areas.unit_filter_q(value, "commune"))


class MergeSerializer(serializers.Serializer):
    keep = serializers.IntegerField(help_text="The record kept.")
    duplicate = serializers.IntegerField(help_text="The record merged into it (retired).")


class PersonViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People in the caller's jurisdiction. Every read of one record and every change is audited.

    Updates must send the `version` they started from; a stale version answers 409 with what changed.
    """

    queryset = Person.objects.filter(merged_into__isnull=True).select_related("commune")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    allowed_roles = HEALTH_READERS
    edit_roles = PERSON_EDITORS

    def get_queryset(self):
        return super().get_queryset().order_by("id")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_read(by=request.user, obj=self.get_object())
        return response

    def _check_commune(self, commune):
        from core.scoping import visible_units

        if commune is not None and not visible_units(self.request.user).filter(pk=commune.pk).exists():
            raise ValidationError({"commune": "Xã ngoài địa bàn của bạn / Commune outside your jurisdiction"})

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        confirmed = data.pop("confirm_not_duplicate", False)
        self._check_commune(data.get("commune"))
        if not confirmed and data.get("full_name") and data.get("commune") is not None:
            from core.scoping import scope

            year = data["date_of_birth"].year if data.get("date_of_birth") else data.get("birth_year")
            duplicates = list(scope(services.possible_duplicates(
                full_name=data["full_name"], birth_year=year, commune=data["commune"], date_of_birth=data.get("date_of_birth"),
            ), self.request.user)[:10])
            if duplicates:
                raise PossibleDuplicates(duplicates)
        try:
            serializer.instance = services.create_person(by=self.request.user, data=data)
        except services.DuplicateId as exc:
            raise ValidationError({"id_number": str(exc), **({"existing_id": exc.existing.pk} if exc.existing else {})})
        except Invalid as exc:
            raise ValidationError({"detail": str(exc)})

    @extend_schema(
        description="CSV of the people matching the filters (same filters as the list). Audited as an export with every id.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        from core.exports import csv_response

        columns, rows = services.export_people(by=request.user, qs=self.filter_queryset(self.get_queryset()),
                                               note=request.GET.urlencode()[:500])
        return csv_response("nguoi-dan.csv", columns, rows)

    @extend_schema(description="Send `version` from the last read; 409 if someone else saved in between.")
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        data.pop("confirm_not_duplicate", None)
        if version is None:
            raise ValidationError({"version": "Cần gửi version / version is required"})
        if "commune" in data:
            self._check_commune(data["commune"])
        try:
            services.update_person(by=self.request.user, person=serializer.instance, data=data, expected_version=version)
        except services.DuplicateId as exc:
            raise ValidationError({"id_number": str(exc)})
        serializer.instance.refresh_from_db()

    @extend_schema(request=MergeSerializer, responses={200: PersonSerializer})
    @action(detail=False, methods=["post"])
    def merge(self, request):
        """Merge a duplicate record into the one kept (both in your jurisdiction): every linked record moves, the
        kept record's blanks are filled, the duplicate is retired. As the duplicates page."""
        ser = MergeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        people = {p.pk: p for p in self.get_queryset().filter(pk__in=[ser.validated_data["keep"], ser.validated_data["duplicate"]])}
        for field in ("keep", "duplicate"):
            if ser.validated_data[field] not in people:
                raise Invalid("Không tìm thấy (hoặc ngoài địa bàn của bạn).", "Not found (or outside your jurisdiction).", field=field)
        keep = services.merge_people(by=request.user, keep=people[ser.validated_data["keep"]],
                                     duplicate=people[ser.validated_data["duplicate"]])
        keep.refresh_from_db()
        return Response(PersonSerializer(keep).data)

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_people(self, request):
        """A CSV/XLSX list of people, as the import page (`default_commune` for rows without a commune)."""
        from geo.models import Level

        raw = request.data.get("default_commune") if hasattr(request.data, "get") else None
        commune = None
        if raw not in (None, ""):
            commune = visible_units(request.user).filter(level=Level.COMMUNE, pk=raw if str(raw).isdigit() else 0).first()
            if commune is None:
                raise Invalid("Xã ngoài địa bàn của bạn.", "Commune outside your jurisdiction.", field="default_commune")
        return api_imports.start(request, kind="people", options={"default_commune": commune.pk if commune else None})

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"import/(?P<batch_id>[0-9]+)")
    def import_batch(self, request, batch_id=None):
        return api_imports.batch(request, kind="people", pk=batch_id)


# -- re-homing on the communes of 01/07/2025 (people.rehoming) ------------------------------------------------------
class RehomingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RehomingRun
        fields = ["id", "status", "created_at", "started_at", "finished_at", "undone_at", "counts"]
        read_only_fields = fields


class RehomingMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = RehomingMove
        fields = ["id", "run", "person", "old_commune", "new_commune", "method", "state"]
        read_only_fields = fields


class RehomingDecideSerializer(serializers.Serializer):
    moves = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200,
                                  help_text="Moves of your review list (all or nothing).")
    accept_proposal = serializers.BooleanField(default=False, help_text="Accept each move's proposed commune…")
    new_commune = serializers.IntegerField(required=False, allow_null=True, help_text="…or put them all on this 2025 commune.")


class ProvinceWide(permissions.BasePermission):
    """Runs and undos are for province-wide person editors (people.models.province_wide), as the page."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or province_wide(request.user)


class RehomingRunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Re-homing runs: POST starts one (in the background; one at a time), POST {id}/undo/ puts its people back."""

    queryset = RehomingRun.objects.order_by("-created_at")
    serializer_class = RehomingRunSerializer
    permission_classes = [*ScopedViewSetMixin.permission_classes, ProvinceWide]
    allowed_roles = PERSON_EDITORS
    edit_roles = PERSON_EDITORS

    @extend_schema(request=None, responses={202: RehomingRunSerializer})
    def create(self, request):
        run = rehoming.start_run(by=request.user)
        run.refresh_from_db()
        return Response(RehomingRunSerializer(run).data, status=202)

    @extend_schema(request=None, responses={200: inline_serializer("Undone", {"run": RehomingRunSerializer(),
                                                                             "people_back": serializers.IntegerField()})})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        from django.db import transaction

        run = self.get_object()
        with transaction.atomic():
            back = rehoming.undo_run(run=run, by=request.user)
        run.refresh_from_db()
        return Response({"run": RehomingRunSerializer(run).data, "people_back": back})


class RehomingMoveViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The review list: people of your jurisdiction whose 2025 commune is uncertain or unknown; POST decide/."""

    queryset = RehomingMove.objects.all()
    serializer_class = RehomingMoveSerializer
    allowed_roles = PERSON_EDITORS
    edit_roles = PERSON_EDITORS

    def get_queryset(self):
        return rehoming.review_queryset(self.request.user).order_by("id")

    @extend_schema(request=RehomingDecideSerializer, responses={200: inline_serializer("Decided", {"moved": serializers.IntegerField()})})
    @action(detail=False, methods=["post"])
    def decide(self, request):
        """Bulk decision, all or nothing, as the review page."""
        from geo.models import AdministrativeUnit, Structure

        ser = RehomingDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if d["accept_proposal"]:
            n = rehoming.decide(by=request.user, move_ids=d["moves"], accept_proposal=True)
        else:
            commune = (AdministrativeUnit.objects.filter(pk=d["new_commune"], structure=Structure.FROM_2025, level="commune").first()
                       if d.get("new_commune") is not None else None)
            n = rehoming.decide(by=request.user, move_ids=d["moves"], new_commune=commune)
        return Response({"moved": n})
