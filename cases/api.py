"""REST API of the case registry: scoped cases, checks (POST /api/cases/{id}/checks/), alert acknowledgement."""
import threading

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.roles import CLINICAL_EDITORS, HEALTH_READERS
from core.api import AuditedRetrieveMixin, ScopedViewSetMixin
from core.scoping import scope

from . import services
from .choices import SYMPTOMS
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


class CheckInSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField(required=False)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True)
    spo2 = serializers.IntegerField(required=False, allow_null=True)
    pulse = serializers.IntegerField(required=False, allow_null=True)
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    systolic = serializers.IntegerField(required=False, allow_null=True)
    diastolic = serializers.IntegerField(required=False, allow_null=True)
    symptoms = serializers.ListField(child=serializers.ChoiceField(choices=[c for c, _l in SYMPTOMS]), required=False)
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
    """Cases in the caller's jurisdiction (reads are audited)."""

    queryset = Case.objects.select_related("person", "disease")
    serializer_class = CaseSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_fields = ["status", "care_setting", "commune", "team"]
    authentication_classes = [TokenAuthentication, SessionAuthentication]

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
