"""REST API of the geo app: units (reference data), villages (scoped), population denominators and roll-ups."""
import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import api_imports
from core.api import HasRole, ScopedViewSetMixin
from core.api_forms import FormWriteView, batch_answer, scoped_or_404
from core.api_imports import BATCH_SCHEMA, IMPORT_SCHEMA
from core.roles import HEALTH_READERS, RULE_EDITORS

from . import areas, services
from .forms import BoundaryImportForm, RegionForm
from .models import AGE_BAND_BOUNDS, AdministrativeUnit, HealthRegion, PopulationEstimate, Village
from .roles import GEO_EDITORS, REGION_EDITORS


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeUnit
        fields = ["id", "structure", "level", "code", "name", "kind", "parent", "path", "valid_from", "valid_to",
                  "latitude", "longitude"]


class UnitFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")
    code = django_filters.CharFilter()

    class Meta:
        model = AdministrativeUnit
        fields = ["structure", "level", "parent", "code"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Vietnam's administrative units (both structures): public reference data for every signed-in user."""

    queryset = AdministrativeUnit.objects.order_by("path")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    permission_classes = [permissions.IsAuthenticated, HasRole]
    allowed_roles = HEALTH_READERS

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("sex", str, enum=["M", "F"]),
            OpenApiParameter("age_band", str, many=True, enum=list(AGE_BAND_BOUNDS)),
            OpenApiParameter("structure", str, enum=list(areas.STRUCTURES)),
        ],
        responses={200: serializers.DictField()},
        description="Population of the unit and everything below it (communes roll up to districts and provinces); "
                    "`?structure=2025|pre2025` answers for the same place on that structure.",
    )
    @action(detail=True, methods=["get"])
    def population(self, request, pk=None):
        # Not self.get_object(): the list's ?structure= filter would hide a unit of the other structure (units are
        # reference data, readable by every health reader).
        unit = AdministrativeUnit.objects.filter(pk=pk).first()
        if unit is None:
            raise NotFound()
        self.check_object_permissions(request, unit)
        structure = request.query_params.get(areas.STRUCTURE_PARAM)
        if structure:
            # ?structure=2025|pre2025: the same place on that structure (geo.areas.unit_on).
            if structure not in areas.STRUCTURES:
                raise ValidationError({"structure": "2025 hoặc/or pre2025"})
            unit = areas.unit_on(unit, structure) or unit
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            year = 0
        if not 1900 <= year <= 2100:
            raise ValidationError({"year": "Cần năm từ 1900 đến 2100 / a year from 1900 to 2100 is required"})
        bands = request.query_params.getlist("age_band") or None
        if bands and not set(bands) <= set(AGE_BAND_BOUNDS):
            raise ValidationError({"age_band": f"Nhóm tuổi hợp lệ / valid bands: {', '.join(AGE_BAND_BOUNDS)}"})
        sex = request.query_params.get("sex") or None
        if sex not in (None, "M", "F"):
            raise ValidationError({"sex": "M hoặc/or F"})
        table = services.population_table(unit, year)
        return Response({
            "unit": unit.pk, "structure": unit.structure, "year": year, "sex": sex, "age_bands": bands,
            "population": services.population(unit, year, age_bands=bands, sex=sex),
            "by_band": dict(zip(table["bands"], table["total"]["bands"], strict=True)),
            "children": [{"unit": r["unit"].pk, "name": r["unit"].name, "total": r["total"], "male": r["M"], "female": r["F"],
                          "by_band": dict(zip(table["bands"], r["bands"], strict=True))} for r in table["rows"]],
        })

    @extend_schema(responses={200: serializers.DictField()}, description="GeoJSON of the unit's children (polygons or centroids).")
    @action(detail=True, methods=["get"])
    def features(self, request, pk=None):
        unit = self.get_object()
        units = list(unit.children.order_by("name_folded")) or [unit]
        return Response(services.feature_collection(units))


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "commune", "name", "kind", "code"]


class VillageFilter(django_filters.FilterSet):
    # A commune of either structure: a 2025 commune also lists the villages of the pre-2025 communes that roll up into it.
    commune = django_filters.NumberFilter(method="in_commune")
    q = django_filters.CharFilter(field_name="name_folded", method="search")

    class Meta:
        model = Village
        fields = ["commune", "kind"]

    def search(self, qs, name, value):
        from core.text import fold

        return qs.filter(name_folded__contains=fold(value))

    def in_commune(self, qs, name, value):
        return qs.filter(areas.unit_filter_q(int(value), "commune"))


class VillageViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Villages in the caller's jurisdiction; commune, district and provincial health staff may add them."""

    queryset = Village.objects.select_related("commune").order_by("commune__path", "name")
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    allowed_roles = HEALTH_READERS
    edit_roles = GEO_EDITORS

    def perform_create(self, serializer):
        data = serializer.validated_data
        # An Invalid (e.g. a commune outside the jurisdiction) answers in the one error shape (core.api).
        serializer.instance = services.create_village(by=self.request.user, commune=data["commune"], name=data["name"],
                                                      kind=data.get("kind") or Village.Kind.THON, code=data.get("code", ""))

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser, FormParser])
    def import_villages(self, request):
        """A list of villages (CSV/XLSX, the columns of the page geo:village_import and its template), in the
        background as the page: 201 imported, 202 queued (poll the batch), 400 with each row's line and reason."""
        return api_imports.start(request, kind="villages")

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"import/(?P<batch_id>[0-9]+)", url_name="import-batch")
    def import_batch(self, request, batch_id=None):
        """Progress and report of a village import."""
        _geo_editor(request)
        return api_imports.batch(request, kind="villages", pk=batch_id)


class PopulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PopulationEstimate
        fields = ["id", "unit", "year", "sex", "age_band", "population", "source"]


class PopulationFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(method="under_unit", label="Đơn vị (và các đơn vị trực thuộc) / unit and below")
    year = django_filters.NumberFilter(min_value=1900, max_value=2100)

    class Meta:
        model = PopulationEstimate
        fields = ["unit", "year", "sex", "age_band"]

    def under_unit(self, qs, name, value):
        unit = AdministrativeUnit.objects.filter(pk=value).first()
        if unit is None:
            raise NotFound
        # A 2025 unit also holds the rows of the pre-2025 communes that roll up into it (the rows its figures count).
        return qs.filter(areas.under_q(unit, "unit", counting=True))


class PopulationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Population denominators of the communes in the caller's jurisdiction (rows as imported)."""

    queryset = PopulationEstimate.objects.order_by("unit__path", "year", "sex", "age_band")
    serializer_class = PopulationSerializer
    filterset_class = PopulationFilter
    allowed_roles = HEALTH_READERS
    edit_roles = GEO_EDITORS

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser, FormParser])
    def import_population(self, request):
        """Population by year, sex and age band (CSV/XLSX, the columns of the page geo:population_import), in the
        background as the page: 201 imported, 202 queued (poll the batch), 400 with each row's line and reason."""
        return api_imports.start(request, kind="population")

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"import/(?P<batch_id>[0-9]+)", url_name="import-batch")
    def import_batch(self, request, batch_id=None):
        """Progress and report of a population import."""
        _geo_editor(request)
        return api_imports.batch(request, kind="population", pk=batch_id)


def _geo_editor(request) -> None:
    """The imports' batches are read by those who may import (the pages' role), not by every health reader."""
    if not request.user.has_role(GEO_EDITORS):
        raise PermissionDenied


# -- writes of the pages that had no endpoint (issue #14 §3) ----------------------------------------------------------
class HealthRegionSerializer(serializers.ModelSerializer):
    communes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = HealthRegion
        fields = ["id", "province", "name", "centre_name", "note", "communes", "version"]


class _RegionWrite(FormWriteView):
    edit_roles = REGION_EDITORS
    form_class = RegionForm
    output = HealthRegionSerializer

    def form_kwargs(self, request, target=None, **kwargs):
        return {"province": target.province if target else services.region_province(), "region": target}

    def get_target(self, request, pk=None):
        return scoped_or_404(HealthRegion.objects.select_related("province"), request.user, pk=pk) if pk else None


class RegionCreateView(_RegionWrite):
    """A health region of the installation's province over its (2025) communes (Department of Health); audited."""

    def perform(self, request, data, target, **kwargs):
        return services.create_region(by=request.user, province=services.region_province(), **data)


class RegionUpdateView(_RegionWrite):
    """Rename a health region or change its communes; 409 when it changed since `version` was read; audited."""

    success_status = 200
    conflicts = True
    extra_fields = {"version": serializers.IntegerField(help_text="phiên bản đã đọc / the version read")}

    def perform(self, request, data, target, **kwargs):
        version = data.pop("version")
        return services.update_region(by=request.user, region=target, expected_version=version, **data)


class RegionDeleteView(FormWriteView):
    """Delete a health region that is nobody's jurisdiction (refused, 400, while users work in it); 409 when it
    changed since `version` was read; audited."""

    edit_roles = REGION_EDITORS
    success_status = 200
    conflicts = True
    extra_fields = {"version": serializers.IntegerField(help_text="phiên bản đã đọc / the version read")}

    def get_target(self, request, pk=None):
        return scoped_or_404(HealthRegion.objects.select_related("province"), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        services.delete_region(by=request.user, region=target, expected_version=data["version"])
        return {"deleted": target.pk}


class BoundaryImportView(FormWriteView):
    """Import boundaries (GeoJSON) in the background like the page; answers 202 with the batch to poll."""

    edit_roles = RULE_EDITORS
    form_class = BoundaryImportForm
    success_status = 202

    def perform(self, request, data, target, **kwargs):
        from core.batches import start_import

        batch = start_import(kind="boundaries", by=request.user, upload=data["file"],
                             options={"code_property": data["code_property"] or "", "structure": data["structure"]})
        return batch_answer(batch)
