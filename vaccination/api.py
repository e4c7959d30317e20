"""REST API of vaccination: doses (list, read, record through the same checks as the page), products, coverage."""
import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import HEALTH_READERS, RULE_EDITORS, VACCINATION_EDITORS, allowed
from core.api import HasRole, ScopedViewSetMixin
from core.errors import Invalid
from core.scoping import get_for_user, scope, visible_units
from people.models import Person

from . import services
from .models import Campaign, ImportBatch, Injection, Product, Schedule, Visit


class InjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Injection
        fields = ["id", "person", "commune", "product", "dose_kind", "dose_number", "given_on", "lot", "site",
                  "completes_primary", "warnings", "override_reason", "source", "created_at"]
        read_only_fields = ["commune", "completes_primary", "warnings", "source", "created_at"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "manufacturer", "platform", "aliases", "approved_on", "approval_source", "cvx", "confirmed"]


class InjectionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Doses in the user's jurisdiction. POST checks the dose against the schedule in force: 422 with the findings
    when refused, 409 when only warnings (a supervisor resends with `override_reason`)."""

    queryset = Injection.objects.select_related("product").order_by("-given_on", "-id")
    serializer_class = InjectionSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = VACCINATION_EDITORS
    filterset_fields = ["person", "dose_kind", "product"]

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            person = get_for_user(Person, request.user, pk=data["person"].pk)
        except Exception:
            raise NotFound()
        try:
            inj = services.record_injection(
                by=request.user, person=person, product=data["product"], dose_kind=data["dose_kind"],
                dose_number=data["dose_number"], given_on=data["given_on"], lot=data.get("lot", ""), site=data.get("site", ""),
                override_reason=data.get("override_reason", ""),
            )
        except services.NeedsOverride as exc:
            return Response({"detail": str(exc), "code": "needs_override", "findings": [f.as_dict() for f in exc.findings]},
                            status=status.HTTP_409_CONFLICT)
        except services.DoseRefused as exc:
            return Response({"detail": str(exc), "code": "refused", "findings": [f.as_dict() for f in exc.findings]},
                            status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(self.get_serializer(inj).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("unit", OpenApiTypes.INT), OpenApiParameter("on", OpenApiTypes.DATE),
                               OpenApiParameter("structure", OpenApiTypes.STR, enum=["2025", "pre2025"],
                                                description="Theo địa giới / on which structure (default: today's)")],
                   responses={200: OpenApiTypes.OBJECT,
                              404: OpenApiResponse(description="Đơn vị không có hoặc ngoài địa bàn / Unit unknown or outside the jurisdiction")})
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Coverage of a unit on a date (ISO), per age band and dose, with the epidemic-level figures."""
        try:
            unit = visible_units(request.user).get(pk=request.query_params.get("unit"))
        except Exception:
            raise NotFound()
        structure = request.query_params.get("structure")
        if structure is not None:
            from geo import areas

            if structure not in areas.STRUCTURES:
                raise ValidationError({"structure": "2025 hoặc pre2025 / 2025 or pre2025"})
            # The same place on that structure (geo.areas.unit_on), when it lies inside the caller's jurisdiction.
            other = areas.unit_on(unit, structure)
            if other is not None and visible_units(request.user).filter(pk=other.pk).exists():
                unit = other
        try:
            on = dt.date.fromisoformat(request.query_params.get("on") or dt.date.today().isoformat())
        except ValueError:
            raise ValidationError({"on": "Ngày dạng yyyy-mm-dd / date as yyyy-mm-dd"})
        cov = services.coverage(unit, on)
        cov["on"] = on.isoformat()
        cov["structure"] = unit.structure
        cov["levels"] = services.coverage_for_levels(unit, on)
        # A levels figure over 100 % carries its flag and reason, like the cells (`over`, `over_reason`).
        cov["levels_over_100"] = services.over_100(cov["levels"])
        return Response(cov)


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


# -- door-to-door outcomes ----------------------------------------------------------------------------------------
class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "person", "commune", "visited_on", "outcome", "reason", "recorded_by", "created_at"]
        read_only_fields = ["id", "commune", "recorded_by", "created_at"]
        extra_kwargs = {"visited_on": {"required": False}}


class VisitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Door-to-door visit outcomes in the user's jurisdiction; POST records one with the page's rules (a refusal or a
    contraindication needs its reason), audited."""

    queryset = Visit.objects.order_by("-visited_on", "-id")
    serializer_class = VisitSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = allowed("vaccination.visit")
    filterset_fields = ["person", "outcome"]

    def create(self, request, *args, **kwargs):
        from .outreach import record_visit

        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        person = scope(Person.objects.filter(pk=data["person"].pk, merged_into__isnull=True), request.user).first()
        if person is None:
            raise Invalid("Không tìm thấy người này (hoặc ngoài địa bàn của bạn).",
                          "No such person (or outside your jurisdiction).", field="person")
        visit = record_visit(by=request.user, person=person, outcome=data["outcome"], reason=data.get("reason", ""),
                             visited_on=data.get("visited_on"))
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


# -- FHIR export over the API (token-authenticated) ---------------------------------------------------------------
class FhirPatientView(APIView):
    """GET /api/fhir/Patient/{person_id}/: a FHIR R4 Bundle with the person (Patient) and his doses (Immunization),
    for a caller with a token (or a session) whose jurisdiction holds the person; the export is audited."""

    permission_classes = [HasRole]
    allowed_roles = HEALTH_READERS

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, person_pk: int):
        from audit.services import record
        from core.security import public_url

        from .fhir import bundle_for

        person = scope(Person.objects.filter(pk=person_pk, merged_into__isnull=True).select_related("commune"),
                       request.user).first()
        if person is None:
            raise NotFound()
        injections = list(Injection.objects.filter(person=person).select_related("product"))
        record(actor=request.user, action="export", obj=person, note="FHIR (API)", records=[person.pk])
        return Response(bundle_for([person], injections, base=public_url("/", request)), content_type="application/fhir+json")


# -- the other writes of the pages (issue #14 §3): same forms, same services ----------------------------------------
from core.api_forms import ERRORS, FormWriteView, batch_answer, scoped_or_404  # noqa: E402

from .forms import CampaignForm, ImportForm, ScheduleForm  # noqa: E402


class RevokeCertificatesView(FormWriteView):
    """Revoke every valid certificate of a person (a lost paper): they stop verifying; audited."""

    edit_roles = VACCINATION_EDITORS
    success_status = 200

    def get_target(self, request, person_pk=None):
        return scoped_or_404(Person.objects.filter(merged_into__isnull=True), request.user, pk=person_pk)

    def perform(self, request, data, target, **kwargs):
        return {"revoked": services.revoke_certificates(by=request.user, person=target)}


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Schedule
        fields = ["id", "product", *ScheduleForm._meta.fields, "version"]


class ScheduleUpdateView(FormWriteView):
    """Correct a vaccination schedule (rule editors), with `version` as read: 409 if someone changed it since."""

    edit_roles = RULE_EDITORS
    form_class = ScheduleForm
    extra_fields = {"version": serializers.IntegerField(help_text="phiên bản đã đọc / the version read")}
    output = ScheduleSerializer
    success_status = 200
    conflicts = True

    def get_target(self, request, pk=None):
        schedule = Schedule.objects.filter(pk=pk).first()
        if schedule is None:
            raise NotFound()
        return schedule

    def form_kwargs(self, request, target=None, **kwargs):
        return {"instance": Schedule.objects.get(pk=target.pk)}  # the form writes its input onto its own copy

    def perform(self, request, data, target, **kwargs):
        version = data.pop("version")
        services.update_schedule(by=request.user, schedule=target, data=data, expected_version=version)
        return Schedule.objects.get(pk=target.pk)


class DoseImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = ["id", "file_name", "status", "mode", "total_rows", "done_rows", "imported", "skipped_duplicates",
                  "error_count", "errors", "message", "created_at"]


class DoseImportView(FormWriteView):
    """Import doses (CSV/XLSX of the national platform) in the background, with the page's size limit; answers 202
    with the batch (poll GET /api/vaccination/imports/{id}/; rows in error carry line, column and vi/en reasons)."""

    edit_roles = VACCINATION_EDITORS
    form_class = ImportForm
    output = DoseImportSerializer
    success_status = 202

    def perform(self, request, data, target, **kwargs):
        return services.start_import(by=request.user, upload=data["file"], mode="valid_only" if data["valid_only"] else "all")


class DoseImportDetailView(APIView):
    """A dose import's progress and first rows in error."""

    permission_classes = [HasRole]
    allowed_roles = VACCINATION_EDITORS

    @extend_schema(responses={200: DoseImportSerializer, **ERRORS})
    def get(self, request, pk: int):
        services.mark_stale_imports()
        return Response(DoseImportSerializer(scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)).data)


class DoseImportRetryView(FormWriteView):
    """Queue a failed dose import again (its uploader only, while its file is kept); otherwise 404."""

    edit_roles = VACCINATION_EDITORS
    output = DoseImportSerializer
    success_status = 202

    def get_target(self, request, pk=None):
        return scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        if not services.retry_import(target, by=request.user):
            raise NotFound()
        target.refresh_from_db()
        return target


class VaccinationCampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "disease", "target", "target_doses", "age_min_months", "age_min", "age_below", "target_pct", "starts_on", "deadline", "unit",
                  "source"]


class CampaignCreateView(FormWriteView):
    """Create a vaccination target (campaign) for a unit of the jurisdiction; not for vaccinators (as the page)."""

    edit_roles = VACCINATION_EDITORS
    form_class = CampaignForm
    output = VaccinationCampaignSerializer

    def form_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def handle_write(self, request, *args, **kwargs):
        if request.user.has_role(frozenset({"vaccinator"})):
            raise PermissionDenied()
        return super().handle_write(request, *args, **kwargs)

    def perform(self, request, data, target, **kwargs):
        from .outreach import create_campaign

        return create_campaign(by=request.user, data=data)


class ReconciliationImportView(FormWriteView):
    """Reconcile with a VNeID export (CSV/XLSX) in the background; answers 202 with the batch to poll
    (GET /api/import-batches/{id}/), whose report names the reconciliation run."""

    edit_roles = VACCINATION_EDITORS
    form_class = ImportForm
    success_status = 202

    def perform(self, request, data, target, **kwargs):
        from core.batches import start_import

        return batch_answer(start_import(kind="vneid", by=request.user, upload=data["file"]))

