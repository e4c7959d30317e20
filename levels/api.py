"""REST API of the levels app: the calculator (POST /api/levels/assess) and read access to assessments and decisions."""
from drf_spectacular.types import OpenApiTypes
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


class ExplanationField(serializers.JSONField):
    """An assessment's stored steps as the API has always given them: compact rows (message codes) rendered in both
    languages, rows stored before the compact form as they are (levels.rules.expand_step)."""

    def to_representation(self, value):
        return [rules.expand_step(s) for s in value]


class AssessmentSerializer(serializers.ModelSerializer):
    level = serializers.IntegerField(read_only=True, allow_null=True, help_text="1–4; null when data is missing")
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    version_code = serializers.CharField(source="version.code", read_only=True, default=None)
    steps = ExplanationField(read_only=True)

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
    ], responses={200: OpenApiTypes.OBJECT})
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
# -- the writes of the pages (issue #14 §3): the same services, the same roles ------------------------------------------
import datetime as dt  # noqa: E402
import json  # noqa: E402

from django.utils import timezone  # noqa: E402
from rest_framework.exceptions import NotFound  # noqa: E402

from accounts.roles import RULE_EDITORS  # noqa: E402
from core.api_forms import FormWriteView, batch_answer  # noqa: E402
from core.scoping import scope, visible_units  # noqa: E402

from .models import CriteriaVersion, Measure  # noqa: E402
from .roles import DECIDERS, ENTRY_EDITORS, PROPOSERS  # noqa: E402


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(required=False, help_text="Một ngày của tuần (mặc định: tuần trước) / a day of the week (default: last week)")


def _week(data) -> dt.date:
    week = data.get("week")
    return services.week_start_of(week) if week else services.week_start_of(timezone.localdate()) - dt.timedelta(days=7)


def _unit(request, unit_id):
    unit = visible_units(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


class RunAssessmentView(FormWriteView):
    """Assess every unit of the province(s) for a week (as the map's button); answers how many were assessed."""

    edit_roles = PROPOSERS
    input_serializer = WeekSerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        week = _week(data)
        return {"week": week, "assessed": services.run_assessment(by=request.user, week_start=week)}


class ProposeWeekView(FormWriteView):
    """Propose the computed level of every unit of the jurisdiction that has none yet, for a week."""

    edit_roles = PROPOSERS
    input_serializer = WeekSerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        week = _week(data)
        return {"week": week, "proposed": services.propose_week(by=request.user, week_start=week, units=visible_units(request.user))}


class DecideWeekSerializer(WeekSerializer):
    decision_number = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    effective_from = serializers.DateTimeField()


class DecideWeekView(FormWriteView):
    """Decide and publish every proposal of the week at its proposed level under one decision; lists the refused."""

    edit_roles = DECIDERS
    input_serializer = DecideWeekSerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        week = _week(data)
        n, refused = services.decide_week(by=request.user, week_start=week, units=visible_units(request.user),
                                          decision_number=data["decision_number"], decision_date=data["decision_date"],
                                          effective_from=data["effective_from"])
        return {"week": week, "decided": n, "refused": refused}


class ProposeSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class _UnitWeek(FormWriteView):
    def _where(self, request, unit_id, week):
        try:
            return _unit(request, unit_id), services.week_start_of(dt.date.fromisoformat(week))
        except ValueError:
            raise NotFound()

    def get_target(self, request, unit_id=None, week=None):
        unit, week = self._where(request, unit_id, week)
        decision = scope(LevelDecision.objects.filter(unit=unit, week_start=week), request.user).first()
        if decision is None:
            raise NotFound()
        return decision


class ProposeView(_UnitWeek):
    """Propose a unit's level for a week (an override of the computed level needs its reason)."""

    edit_roles = PROPOSERS
    input_serializer = ProposeSerializer
    output = DecisionSerializer

    def get_target(self, request, unit_id=None, week=None):
        return self._where(request, unit_id, week)

    def perform(self, request, data, target, **kwargs):
        unit, week = target
        return services.propose(by=request.user, unit=unit, week_start=week, level=data["level"], reason=data["reason"])


class DecideSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    decision_number = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    effective_from = serializers.DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    extra_measures = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(help_text="phiên bản đã đọc / the version read")


class DecideView(_UnitWeek):
    """Record the People's Committee's decision on a proposal (a rise needs 48 h notice); 409 on a stale version."""

    edit_roles = DECIDERS
    input_serializer = DecideSerializer
    output = DecisionSerializer
    success_status = 200
    conflicts = True

    def perform(self, request, data, target, **kwargs):
        return services.decide(by=request.user, decision=target, level=data["level"], decision_number=data["decision_number"],
                               decision_date=data["decision_date"], effective_from=data["effective_from"],
                               reason=data["reason"], extra_measures=data["extra_measures"], expected_version=data["version"])


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="phiên bản đã đọc / the version read")


class PublishView(_UnitWeek):
    """Publish a decided level; 409 on a stale version."""

    edit_roles = DECIDERS
    input_serializer = VersionSerializer
    output = DecisionSerializer
    success_status = 200
    conflicts = True

    def perform(self, request, data, target, **kwargs):
        return services.publish(by=request.user, decision=target, expected_version=data["version"])


class CriteriaVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CriteriaVersion
        fields = ["id", "code", "name", "province", "based_on", "valid_from", "valid_to", "source_document", "values", "version"]


def _criteria_version(request, pk):
    version = scope(CriteriaVersion.objects.all(), request.user).filter(pk=pk).first()
    if version is None:
        raise NotFound()
    return version


class ThresholdSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    value = serializers.JSONField(help_text="số, có/không, ma trận [1, 2, 3, 3], hoặc null / a number, a yes/no, a matrix, or null")
    source = serializers.CharField(required=False, allow_blank=True, default="")
    confirmed = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(help_text="phiên bản đã đọc / the version read")


class ThresholdView(FormWriteView):
    """Correct one threshold of a criteria version (rule editors), checked as the page does; 409 on a stale version."""

    allowed_roles = HEALTH_READERS
    edit_roles = RULE_EDITORS
    input_serializer = ThresholdSerializer
    output = CriteriaVersionSerializer
    success_status = 200
    conflicts = True

    def get_target(self, request, pk=None):
        return _criteria_version(request, pk)

    def perform(self, request, data, target, **kwargs):
        from .views import _parse_threshold  # the page's reading of a typed value (a matrix of 4 levels, a number…)

        raw = data["value"]
        raw = "" if raw is None else json.dumps(raw) if isinstance(raw, (list, bool)) else str(raw)
        value = _parse_threshold(raw.strip(), target.values.get(data["key"], {}).get("value"))
        services.set_threshold(by=request.user, version=target, key=data["key"], value=value, source=data["source"],
                               confirmed=data["confirmed"], expected_version=data["version"])
        return CriteriaVersion.objects.get(pk=target.pk)


class AdaptSerializer(serializers.Serializer):
    province = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    source_document = serializers.CharField(required=False, allow_blank=True, default="")


class AdaptVersionView(FormWriteView):
    """A province's adaptation of a criteria version, recorded as a new version."""

    allowed_roles = HEALTH_READERS
    edit_roles = RULE_EDITORS
    input_serializer = AdaptSerializer
    output = CriteriaVersionSerializer

    def get_target(self, request, pk=None):
        return _criteria_version(request, pk)

    def perform(self, request, data, target, **kwargs):
        province = visible_units(request.user).filter(level="province", pk=data["province"]).first()
        if province is None:
            raise Invalid("Chọn tỉnh điều chỉnh.", "Choose the adapting province.", "province")
        return services.adapt_version(by=request.user, base=target, province=province, valid_from=data["valid_from"],
                                      valid_to=data["valid_to"], source_document=data["source_document"].strip() or "—")


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "level", "category", "text", "source", "is_active", "version"]


class MeasureWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, help_text="để trống: biện pháp mới / empty: a new measure")
    text = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    level = serializers.IntegerField(required=False, default=1, min_value=1, max_value=4)
    category = serializers.ChoiceField(choices=Measure.Category.choices, required=False, default="other")
    source = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text="khi sửa / when editing")


class MeasureSaveView(FormWriteView):
    """Add a measure to the catalogue, or change one's text or activity (with `id` and `version`: 409 if stale)."""

    allowed_roles = HEALTH_READERS
    edit_roles = RULE_EDITORS
    input_serializer = MeasureWriteSerializer
    output = MeasureSerializer
    success_status = 200
    conflicts = True

    def perform(self, request, data, target, **kwargs):
        measure = None
        if data.get("id"):
            measure = Measure.objects.filter(pk=data["id"]).first()
            if measure is None:
                raise NotFound()
        values = {"text": data["text"].strip(), "is_active": data["is_active"]}
        if measure is None:
            values.update(level=data["level"], category=data["category"], source=data["source"])
        return services.save_measure(by=request.user, measure=measure, data=values, expected_version=data.get("version") or None)


class EntrySerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    week = serializers.DateField()
    values = serializers.DictField(help_text="tiêu chí → giá trị (như trang nhập) / criterion → value (as the entry page)")


class EntryView(FormWriteView):
    """Enter a unit's criteria values for a week (as the entry page); a unit outside the jurisdiction → 404."""

    edit_roles = ENTRY_EDITORS
    input_serializer = EntrySerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        unit = _unit(request, data["unit"])
        values = {k: v for k, v in data["values"].items() if k in rules.INPUTS and v not in (None, "")}
        entry = services.enter_values(by=request.user, unit=unit, week_start=data["week"], values=values)
        return {"id": entry.pk, "unit": unit.pk, "week_start": entry.week_start, "values": entry.values}


class EntryImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV/XLSX như trang nhập số liệu / as the entry page")


class EntryImportView(FormWriteView):
    """Import criteria values (CSV/XLSX) in the background like the page; 202 with the batch to poll."""

    edit_roles = ENTRY_EDITORS
    input_serializer = EntryImportSerializer
    success_status = 202

    def perform(self, request, data, target, **kwargs):
        from core.batches import start_import

        return batch_answer(start_import(kind="criteria", by=request.user, upload=data["file"]))
