"""REST API of the case registry: scoped cases, checks (POST /api/cases/{id}/checks/), alert acknowledgement."""
import threading

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.roles import CASE_REGISTRARS, CLINICAL_EDITORS, HEALTH_READERS
from core import api_imports
from core.api import AuditedRetrieveMixin, ScopedViewSetMixin
from core.api_imports import BATCH_SCHEMA, IMPORT_SCHEMA
from core.errors import Invalid
from core.scoping import scope
from facilities.models import BedType, Facility, Team
from geo import areas
from people.models import Person

from . import services
from .choices import (
    SYMPTOMS,
    CareSetting,
    Classification,
    DetectedIn,
    MedicineItem,
    Severity,
    Status,
    SupportKind,
    TestKind,
    VaccinationStatus,
)
from .models import Admission, Alert, Case, Check, Dispensing, SupportRecord


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


# -- the other writes of the case page (issue #14 §3): each calls the service its form calls -------------------------
class TransferInSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The case's version (409 when someone saved since).")
    destination = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.filter(
        kind__in=[Facility.Kind.PROVINCIAL_HOSPITAL, Facility.Kind.DISTRICT_HEALTH_CENTRE, Facility.Kind.CENTRALISED_FACILITY],
        is_active=True), required=False, allow_null=True)
    destination_text = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    bed_type = serializers.ChoiceField(choices=BedType.choices, default=BedType.ORDINARY)


class DispensingInSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=MedicineItem.choices)
    item_text = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    quantity = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DispensingOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispensing
        fields = ["id", "case", "item", "item_text", "quantity", "given_at", "note", "rule_set"]
        read_only_fields = fields


class SupportInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SupportKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=0, min_value=0)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    given_on = serializers.DateField()
    fund = serializers.CharField(max_length=120)


class SupportOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportRecord
        fields = ["id", "case", "kind", "amount", "description", "given_on", "fund"]
        read_only_fields = fields


class ReleaseInSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The case's version (409 when someone saved since).")
    on = serializers.DateField()
    test_result = serializers.ChoiceField(choices=[("negative", "negative"), ("positive", "positive"), ("", "no test")],
                                          allow_blank=True, default="negative",
                                          help_text="Empty: release without a test at the end of the longest period.")
    self_test = serializers.BooleanField(default=False)


class AdmitInSerializer(serializers.Serializer):
    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.filter(is_active=True))
    bed_type = serializers.ChoiceField(choices=BedType.choices)


class AdmissionOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Admission
        fields = ["id", "case", "facility", "bed_type", "admitted_at", "discharged_at"]
        read_only_fields = fields


class DischargeInSerializer(serializers.Serializer):
    admission = serializers.IntegerField(help_text="The admission (of this case) to close.")


class RevokeInSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class InvestigationInSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The case's version (409 when someone saved since).")
    answers = serializers.DictField(help_text="Answers by question code of the disease's case definition (dates as "
                                              "YYYY-MM-DD, whole numbers, true/false, text).")


class ClassifyInSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The case's version (409 when someone saved since).")
    classification = serializers.ChoiceField(choices=Classification.choices)
    test_kind = serializers.ChoiceField(choices=TestKind.choices, required=False, allow_blank=True, default="")
    epi_link = serializers.BooleanField(default=False)
    clinical_signs = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=50)


class SelfReportLinkSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The patient's private link (hand it over; it dies at release or transfer).")


def _case_answer(case: Case, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CaseSerializer(Case.objects.select_related("person", "disease").get(pk=case.pk)).data, status=status_code)


class CaseWriteActionsMixin:
    """POST /api/cases/{id}/<action>/: transfer, dispensings, supports, release, admissions, discharge,
    certificate revocation, self-report link, investigation and classification; /api/cases/import/ for the line list."""

    def _writable(self):
        # Scoped (404 outside the jurisdiction) and the object's permissions, as get_object() does for the others.
        return self.get_object()

    @extend_schema(request=TransferInSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the case over to a hospital (status transferred, alerts closed, self-report link dead, bed taken)."""
        case = self._writable()
        d = _valid(TransferInSerializer, request)
        services.transfer_to_hospital(by=request.user, case=case, expected_version=d["version"], destination=d.get("destination"),
                                      destination_text=d["destination_text"], reason=d["reason"], bed_type=d["bed_type"])
        return _case_answer(case)

    @extend_schema(request=DispensingInSerializer, responses={201: DispensingOutSerializer})
    @action(detail=True, methods=["post"])
    def dispensings(self, request, pk=None):
        """Medicine given (refused when the medicine rule in force forbids it for this patient)."""
        case = self._writable()
        d = services.dispense(by=request.user, case=case, **_valid(DispensingInSerializer, request))
        return Response(DispensingOutSerializer(d).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupportInSerializer, responses={201: SupportOutSerializer})
    @action(detail=True, methods=["post"])
    def supports(self, request, pk=None):
        """Support given to the isolated household."""
        case = self._writable()
        s = services.record_support(by=request.user, case=case, **_valid(SupportInSerializer, request))
        return Response(SupportOutSerializer(s).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseInSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """A release test or release at the end of the longest period, under the rule in force on confirmation."""
        case = self._writable()
        d = _valid(ReleaseInSerializer, request)
        services.record_release(by=request.user, case=case, expected_version=d["version"], on=d["on"],
                                test_result=d["test_result"], self_test=d["self_test"])
        return _case_answer(case)

    @extend_schema(request=AdmitInSerializer, responses={201: AdmissionOutSerializer})
    @action(detail=True, methods=["post"])
    def admissions(self, request, pk=None):
        """Admit the patient to a bed of a centralised facility or hospital."""
        case = self._writable()
        adm = services.admit(by=request.user, case=case, **_valid(AdmitInSerializer, request))
        return Response(AdmissionOutSerializer(adm).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DischargeInSerializer, responses={200: AdmissionOutSerializer})
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        """Close an open admission of this case (a second call changes nothing)."""
        case = self._writable()
        d = _valid(DischargeInSerializer, request)
        admission = case.admissions.select_related("facility", "case").filter(pk=d["admission"]).first()
        if admission is None:
            raise Invalid("Không có lượt nhập cơ sở này của ca bệnh.", "No such admission of this case.", field="admission")
        services.discharge(by=request.user, admission=admission)
        admission.refresh_from_db()
        return Response(AdmissionOutSerializer(admission).data)

    @extend_schema(request=RevokeInSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], url_path="revoke-certificate")
    def revoke_certificate(self, request, pk=None):
        """The recovery certificate's QR code stops verifying."""
        case = self._writable()
        services.revoke_certificate(by=request.user, case=case, reason=_valid(RevokeInSerializer, request)["reason"])
        return _case_answer(case)

    @extend_schema(request=None, responses={201: SelfReportLinkSerializer})
    @action(detail=True, methods=["post"], url_path="self-report-link")
    def self_report_link(self, request, pk=None):
        """Issue the patient's private self-report link (a new one kills the old)."""
        from django.urls import reverse

        from core.security import public_url

        case = self._writable()
        token = services.self_report_token(by=request.user, case=case, renew=True)
        return Response({"url": public_url(reverse("cases:self_report", args=[token]), request)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=InvestigationInSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def investigation(self, request, pk=None):
        """Answer questions of the case investigation form (the disease's case definition in force on the case's day)."""
        case = self._writable()
        d = _valid(InvestigationInSerializer, request)
        answers = services.clean_investigation_answers(case, d["answers"])
        services.update_investigation(case, by=request.user, answers=answers, expected_version=d["version"])
        return _case_answer(case)

    @extend_schema(request=ClassifyInSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        """Reclassify the case under the disease's case definition in force on the case's day."""
        case = self._writable()
        d = _valid(ClassifyInSerializer, request)
        services.classify_case(case, by=request.user, classification=d["classification"], test_kind=d["test_kind"],
                               epi_link=d["epi_link"], clinical_signs=d.get("clinical_signs"), expected_version=d["version"])
        return _case_answer(case)

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_line_list(self, request):
        """The daily case line list (CSV/XLSX, layout in docs/cases.md), as the import page."""
        if not request.user.has_role(CASE_REGISTRARS):
            raise PermissionDenied
        return api_imports.start(request, kind="cases")

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"import/(?P<batch_id>[0-9]+)")
    def import_batch(self, request, batch_id=None):
        """Progress and report of a line-list import."""
        return api_imports.batch(request, kind="cases", pk=batch_id)


def _valid(cls, request) -> dict:
    ser = cls(data=request.data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


class CaseFilter(django_filters.FilterSet):
    # A commune of either structure: also the cases on the communes that roll up into it (geo.areas.unit_filter_q).
    commune = django_filters.NumberFilter(method="in_commune")

    class Meta:
        model = Case
        fields = ["status", "care_setting", "team"]

    def in_commune(self, qs, name, value):
        return qs.filter(areas.unit_filter_q(int(value), "commune"))


class CaseViewSet(CaseWriteActionsMixin, ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, viewsets.GenericViewSet):
    """Cases in the caller's jurisdiction (reads are audited). POST confirms a case (the same rules as the form:
    cases.services.open_case), PATCH edits one (`version` required: 409 when someone saved since); both answer the
    home-care eligibility under the rule in force."""

    queryset = Case.objects.select_related("person", "disease")
    serializer_class = CaseSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_class = CaseFilter
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
