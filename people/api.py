import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError

from core.api import ScopedViewSetMixin
from core.auditing import record_read
from core.errors import Invalid
from core.roles import HEALTH_READERS, PERSON_EDITORS

from . import services
from .models import Person


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
    commune = IdFilter(field_name="commune_id")
    village = IdFilter(field_name="village_id")
    birth_year = IdFilter(field_name="birth_year", max_value=2100)
    updated_since = django_filters.DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Person
        fields = ["q", "commune", "village", "sex", "birth_year"]

    def search(self, qs, name, value):
        return services.search_people(qs, value)


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
