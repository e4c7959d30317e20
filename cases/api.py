"""REST API of the case registry: scoped cases, checks (POST /api/cases/{id}/checks/), alert acknowledgement."""
import threading

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.roles import CASE_REGISTRARS, CLINICAL_EDITORS, HEALTH_READERS
from core.api import AuditedRetrieveMixin, ScopedViewSetMixin
from core.errors import Invalid
from core.scoping import scope
from facilities.models import Facility, Team
from people.models import Person

from . import services
from .choices import SYMPTOMS, CareSetting, DetectedIn, Severity, Status, TestKind, VaccinationStatus
from .models import Alert, Case, Check


class CaseSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    disease_code = serializers.CharField(source="disease.code", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "person", "person_name", "commune", "disease", "disease_code", "classification", "epi_link",
                  "clinical_signs", "confirmed_on", "test_kind", "symptom_onset", "detected_in",
                  "care_setting", "status", "severity", "on_oxygen", "vaccination_status", "team", "station", "facility",
                  "release_due_on", "released_on", "died_on", "last_check_at", "version"]
        read_only_fields = fields


class CaseWriteSerializer(serializers.Serializer):
    """The case form's fields (cases.forms.CaseForm / CaseEditForm), for POST and PATCH /api/cases/."""

    confirmed_on = serializers.DateField()
    test_kind = serializers.ChoiceField(choices=TestKind.choices)
    test_place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    symptom_onset = serializers.DateField(required=False, allow_null=True)
    detected_in = serializers.ChoiceField(choices=DetectedIn.choices, default=DetectedIn.COMMUNITY)
    care_setting = serializers.ChoiceField(choices=CareSetting.choices, default=CareSetting.HOME)
    severity = serializers.ChoiceField(choices=Severity.choices, default="mild")
    on_oxygen = serializers.BooleanField(required=False)
    vaccination_status = serializers.ChoiceField(choices=VaccinationStatus.choices, required=False, allow_null=True)
    has_comorbidity = serializers.BooleanField(required=False)
    comorbidity_stable = serializers.BooleanField(required=False)
    is_pregnant = serializers.BooleanField(required=False)
    is_breastfeeding = serializers.BooleanField(required=False)
    can_self_care = serializers.BooleanField(required=False)
    has_phone = serializers.BooleanField(required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.filter(kind=Team.Kind.CARE_TEAM), required=False, allow_null=True)


class CaseCreateSerializer(CaseWriteSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.filter(merged_into__isnull=True))


class CaseUpdateSerializer(CaseWriteSerializer):
    version = serializers.IntegerField(help_text="The version the edit started from (409 when someone saved since).")
    status = serializers.ChoiceField(choices=[Status.ACTIVE, Status.LOST], required=False)
    station = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.filter(kind=Facility.Kind.COMMUNE_HEALTH_STATION),
                                                 required=False, allow_null=True)
    confirmed_on = None  # set at confirmation, not edited
    test_kind = None
    detected_in = serializers.ChoiceField(choices=DetectedIn.choices, required=False)
    care_setting = serializers.ChoiceField(choices=CareSetting.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message_vi = serializers.CharField()
    message_en = serializers.CharField()


class HomeCareSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    why_vi = serializers.CharField()
    why_en = serializers.CharField()


class CaseWithEligibilitySerializer(serializers.Serializer):
    case = CaseSerializer()
    home_care = HomeCareSerializer(help_text="Eligibility for home care under the rule in force on the confirmation date.")


def _answer(case: Case, status_code: int) -> Response:
    case = Case.objects.select_related("person", "disease").get(pk=case.pk)
    assessment = services.home_care_assessment(case)
    return Response({"case": CaseSerializer(case).data, "home_care": {
        "eligible": assessment["eligible"], "reasons": [r.as_dict() for r in assessment["reasons"]],
        "why_vi": assessment["why"]["vi"], "why_en": assessment["why"]["en"]}}, status=status_code)


def _in_scope(user, obj, field: str):
    """A related record named in the request must lie in the caller's jurisdiction (404 wording, no hint)."""
    if obj is not None and not scope(type(obj).objects.filter(pk=obj.pk), user).exists():
        raise Invalid("Không tìm thấy (hoặc ngoài địa bàn của bạn).", "Not found (or outside your jurisdiction).", field=field)


class CheckInSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField(required=False)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True)
    spo2 = serializers.IntegerField(required=False, allow_null=True)
    pulse = serializers.IntegerField(required=False, allow_null=True)
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    systolic = serializers.IntegerField(required=False, allow_null=True)
    diastolic = serializers.IntegerField(required=False, allow_null=True)
    # The general symptoms of the 261/QĐ-BYT form, or the case's disease's own warning signs (its rule's
    # `symptom_labels`, e.g. dengue's): cases.rules.validate_check refuses any other code with the rule in hand.
    symptoms = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                     help_text="Codes: " + ", ".join(c for c, _l in SYMPTOMS) + ", or the disease's own warning signs")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                            help_text="Same key → stored once. The Idempotency-Key header works too.")


class CheckOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Check
        fields = ["id", "case", "taken_at", "recorded_at", "by_patient", "respiratory_rate", "spo2", "pulse", "temperature",
                  "systolic", "diastolic", "symptoms", "warning_signs", "rule_set"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "case", "source", "raised_at", "signs", "message", "acknowledged_at", "acknowledged_by", "note"]
        read_only_fields = fields


_per_thread = threading.local()


def _bound(cls) -> serializers.Serializer:
    """One instance of the serializer `cls` per thread, its fields built and bound once, for run_validation() and
    to_representation(), which keep nothing on the instance. Building a serializer's fields (a deep copy of every
    declared field, model introspection) costs several times what using them does; checks arrive hundreds per second."""
    ser = _per_thread.__dict__.get(cls)
    if ser is None:
        ser = _per_thread.__dict__[cls] = cls()
        ser.fields  # noqa: B018 - built and bound here, once
    return ser


# What record_check reads of the case: its state, the disease's rule, the patient's age.
CHECK_CASE_FIELDS = ("status", "released_on", "died_on", "person__birth_year", "person__date_of_birth", "disease__code")


class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, viewsets.GenericViewSet):
    """Cases in the caller's jurisdiction (reads are audited). POST confirms a case (the same rules as the form:
    cases.services.open_case), PATCH edits one (`version` required: 409 when someone saved since); both answer the
    home-care eligibility under the rule in force."""

    queryset = Case.objects.select_related("person", "disease")
    serializer_class = CaseSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_fields = ["status", "care_setting", "commune", "team"]
    authentication_classes = [TokenAuthentication, SessionAuthentication]

    def get_serializer_class(self):
        return {"create": CaseCreateSerializer, "partial_update": CaseUpdateSerializer}.get(self.action, CaseSerializer)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseWithEligibilitySerializer})
    def create(self, request):
        if not request.user.has_role(CASE_REGISTRARS):
            raise PermissionDenied
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        person = data.pop("person")
        _in_scope(request.user, person, "person")
        _in_scope(request.user, data.get("team"), "team")
        data.setdefault("vaccination_status", None)
        data.pop("on_oxygen", None)
        case = services.open_case(by=request.user, person=person, **data)
        return _answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses={200: CaseWithEligibilitySerializer})
    def partial_update(self, request, pk=None):
        case = self.get_object()
        ser = CaseUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if "version" not in data:
            raise Invalid("Thiếu phiên bản (version) của hồ sơ đang sửa.", "The version being edited is missing.", field="version")
        version = data.pop("version")
        _in_scope(request.user, data.get("team"), "team")
        case = services.update_case(by=request.user, case=case, expected_version=version, changes=data)
        return _answer(case, status.HTTP_200_OK)

    @extend_schema(
        request=CheckInSerializer,
        responses={201: inline_serializer("CheckResult", {
            "check": CheckOutSerializer(), "warning_signs": serializers.ListField(child=serializers.DictField()),
            "alert": AlertSerializer(allow_null=True), "rule": serializers.CharField(), "created": serializers.BooleanField()})},
    )
    @action(detail=True, methods=["get", "post"], url_path="checks")
    def checks(self, request, pk=None):
        """GET: the case's checks. POST: record a check; answers the warning signs met (empty list when none) and the
        alert created, if any. Sending the same idempotency key again returns the first result with 200."""
        # The case through the scoped queryset, as get_object() would, without the list filters or an ordering (one
        # query); a check reads only these columns of it (a deferred one would be fetched on use).
        qs = self.get_queryset()
        if request.method == "POST":
            qs = qs.only(*CHECK_CASE_FIELDS)
        try:
            case = qs.get(pk=pk) if str(pk).isascii() and str(pk).isdigit() else None
        except Case.DoesNotExist:
            case = None
        if case is None:
            raise NotFound
        self.check_object_permissions(request, case)
        if request.method == "GET":
            out = _bound(CheckOutSerializer)
            return Response([out.to_representation(c) for c in case.checks.all()[:100]])
        try:
            values = dict(_bound(CheckInSerializer).run_validation(request.data))
        except serializers.ValidationError:
            CheckInSerializer(data=request.data).is_valid(raise_exception=True)  # the usual 400 answer
            raise
        key = values.pop("idempotency_key", "") or request.headers.get("Idempotency-Key", "")
        taken_at = values.pop("taken_at", None)
        result = services.record_check(by=request.user, case=case, data=values, idempotency_key=key, taken_at=taken_at)
        return Response({
            "check": _bound(CheckOutSerializer).to_representation(result.check), "warning_signs": result.signs,
            "alert": _bound(AlertSerializer).to_representation(result.alert) if result.alert else None,
            "rule": result.check.rule_set.source_document if result.check.rule_set_id else None, "created": result.created,
        }, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class AlertViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open alerts of the caller's area; POST /api/alerts/{id}/acknowledge/ to take one."""

    queryset = Alert.objects.filter(acknowledged_at__isnull=True)
    serializer_class = AlertSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS

    @extend_schema(request=inline_serializer("Ack", {"note": serializers.CharField(required=False)}), responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = scope(Alert.objects.all(), request.user).filter(pk=pk).first() if str(pk).isascii() and str(pk).isdigit() else None
        if alert is None:
            raise NotFound
        note = request.data.get("note", "") if hasattr(request.data, "get") else ""
        services.acknowledge_alert(by=request.user, alert=alert, note=str(note))
        alert.refresh_from_db()
        return Response(AlertSerializer(alert).data)
