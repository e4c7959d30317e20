"""REST API of the levels app: the calculator (POST /api/levels/assess) and read access to assessments and decisions."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import HEALTH_READERS
from core.api import HasRole, ScopedViewSetMixin
from core.errors import Invalid
from geo import areas
from geo.models import Level

from . import crosswalk, rules, services
from .models import Assessment, LevelDecision


class AssessInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Ngày áp dụng (chọn bộ tiêu chí có hiệu lực) / date that selects the criteria version")
    new_cases_per_100k_week = serializers.FloatField(required=False, allow_null=True, min_value=0)
    oxygen_per_100k_week = serializers.FloatField(required=False, allow_null=True, min_value=0)
    deaths_per_100k_week = serializers.FloatField(required=False, allow_null=True, min_value=0)
    adult_1dose_pct = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    age50_full_pct = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    full_pct = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    high_risk_full_pct = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    mobile_stations_ready = serializers.BooleanField(required=False, allow_null=True, default=None)
    home_care_ready = serializers.BooleanField(required=False, allow_null=True, default=None)
    free_beds_per_100k = serializers.FloatField(required=False, allow_null=True, min_value=0)
    icu_beds_per_100k = serializers.FloatField(required=False, allow_null=True, min_value=0)
    previous_level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="Đơn vị (để áp dụng bộ tiêu chí điều chỉnh của tỉnh)")


class StepSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    key = serializers.CharField()
    vi = serializers.CharField()
    en = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    threshold = serializers.JSONField(allow_null=True)
    source = serializers.CharField()
    confirmed = serializers.BooleanField()
    refs = serializers.ListField(child=serializers.CharField(), help_text="parameter keys of the version the step used")


class MissingSerializer(serializers.Serializer):
    key = serializers.CharField()
    vi = serializers.CharField()
    en = serializers.CharField()


class VersionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AssessOutputSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True)
    version = VersionRefSerializer()
    transmission_band = serializers.IntegerField(allow_null=True)
    coverage_met = serializers.BooleanField(allow_null=True)
    capacity_met = serializers.BooleanField(allow_null=True)
    uses_unconfirmed_thresholds = serializers.BooleanField()
    steps = StepSerializer(many=True)
    missing = MissingSerializer(many=True)


class AssessView(APIView):
    """Calculator: the level for given criteria values under the version in force on `date`. Nothing is stored."""

    permission_classes = [permissions.IsAuthenticated, HasRole]
    allowed_roles = HEALTH_READERS
    edit_roles = HEALTH_READERS

    @extend_schema(request=AssessInputSerializer, responses=AssessOutputSerializer)
    def post(self, request):
        s = AssessInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        on = data.pop("date")
        previous = data.pop("previous_level", None)
        unit_id = data.pop("unit", None)
        unit = None
        if unit_id:
            from core.scoping import visible_units

            unit = visible_units(request.user).filter(pk=unit_id).first()
            if unit is None:
                raise Invalid("Đơn vị không có hoặc ngoài địa bàn.", "Unknown unit or outside your jurisdiction.", "unit")
        try:
            version = rules.version_in_force(on, unit)
        except rules.NoVersionInForce as exc:
            raise Invalid(exc.vi, exc.en, "date")
        values = services.clean_values({k: v for k, v in data.items() if v is not None})
        result = rules.assess_with_version(values, version, previous_level=previous)
        return Response(result.as_dict())


@extend_schema(exclude=True)
class AssessSlashView(AssessView):
    """The same calculator at /api/levels/assess/ (documented once, without the slash)."""


class AssessmentSerializer(serializers.ModelSerializer):
    level = serializers.IntegerField(read_only=True, allow_null=True, help_text="1–4; null when data is missing")
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    version_code = serializers.CharField(source="version.code", read_only=True, default=None)

    class Meta:
        model = Assessment
        fields = ["id", "unit", "unit_code", "unit_name", "week_start", "level", "version_code", "population", "values",
                  "origins", "steps", "missing", "computed_at"]


class AssessmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Weekly assessments of the units in the caller's jurisdiction. Filter with ?week_start=YYYY-MM-DD."""

    queryset = Assessment.objects.select_related("unit", "version").order_by("-week_start", "unit__path")
    serializer_class = AssessmentSerializer
    allowed_roles = HEALTH_READERS
    filterset_fields = ["week_start", "level", "unit"]


class DecisionSerializer(serializers.ModelSerializer):
    computed_level = serializers.IntegerField(read_only=True, allow_null=True)
    proposed_level = serializers.IntegerField(read_only=True)
    decided_level = serializers.IntegerField(read_only=True, allow_null=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = LevelDecision
        fields = ["id", "unit", "unit_code", "unit_name", "week_start", "status", "computed_level", "proposed_level",
                  "proposal_reason", "proposed_at", "decided_level", "decision_reason", "decision_number", "decision_date",
                  "effective_from", "decided_at", "extra_measures", "published_at", "version"]


class DecisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Proposals and decisions (history per unit with ?unit=<id>)."""

    queryset = LevelDecision.objects.select_related("unit").order_by("-week_start", "unit__path")
    serializer_class = DecisionSerializer
    allowed_roles = HEALTH_READERS
    filterset_fields = ["week_start", "status", "unit"]


class LevelMapView(APIView):
    """The level of every commune of the caller's map for a week, on either structure (`?structure=2025|pre2025`,
    default: the installation's, today's map). A week assessed on the other structure gives derived levels
    (levels.crosswalk): `derived` true, `note_vi`/`note_en` ("cao nhất trong 3 xã cũ") and the `sources` they were
    derived from with their own levels. Derived levels are never proposed or decided on."""

    permission_classes = [permissions.IsAuthenticated, HasRole]
    allowed_roles = HEALTH_READERS

    @extend_schema(parameters=[
        OpenApiParameter("week_start", str, required=True, description="yyyy-mm-dd, any day of the week"),
        OpenApiParameter("structure", str, enum=list(areas.STRUCTURES)),
    ])
    def get(self, request):
        import datetime as dt

        raw = request.query_params.get("week_start", "")
        try:
            week = services.week_start_of(dt.date.fromisoformat(raw))
        except ValueError:
            raise Invalid("Cần tuần (week_start, dạng yyyy-mm-dd).", "The week is required (week_start, yyyy-mm-dd).", "week_start")
        structure = request.query_params.get(areas.STRUCTURE_PARAM) or areas.installation_structure()
        if structure not in areas.STRUCTURES:
            raise Invalid("Địa giới phải là 2025 (hiện hành) hoặc pre2025 (trước 01/07/2025).",
                          "The structure must be 2025 (current) or pre2025 (before 01/07/2025).", "structure")
        communes = [u for u in crosswalk.shown_units(request.user, structure) if u.level == Level.COMMUNE]
        cells = crosswalk.cells(communes, week)

        def unit(u, level):
            return {"unit": u.pk, "unit_code": u.code, "unit_name": u.name, "level": level}

        return Response({
            "week_start": week.isoformat(), "structure": structure, "week_structure": areas.structure_on(week),
            "communes": [{**unit(c.unit, c.level), "derived": c.derived, "note_vi": c.note("vi"), "note_en": c.note("en"),
                          "sources": [unit(u, lvl) for u, lvl in c.sources]} for c in cells.values()],
            "counts": {str(k) if k else "none": v for k, v in crosswalk.counts(cells)},
        })
