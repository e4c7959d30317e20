"""REST API of the testing app: tests (scoped), their results, and pooled samples (read)."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import HEALTH_READERS, LAB_EDITORS
from core import api_imports
from core.api import AuditedRetrieveMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.api_imports import BATCH_SCHEMA, IMPORT_SCHEMA
from core.errors import Invalid
from core.scoping import scope, visible_units
from diseases.selectors import Disease

from . import services
from .campaigns import create_campaign
from .models import Campaign, LineageAlert, Pool, PoolMember, Result, Sequencing, Test, TestKind


class TestSerializer(serializers.ModelSerializer):
    # By code, as ?disease= filters the list; not given on create: the installation's default disease.
    disease = serializers.SlugRelatedField(slug_field="code", queryset=Disease.objects.all(), required=False)

    class Meta:
        model = Test
        fields = ["id", "person", "disease", "kind", "sample_code", "lab", "taken_on", "reported_on", "result", "ct_value",
                  "reason", "version"]
        read_only_fields = ["version"]


class ResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[Result.NEGATIVE, Result.POSITIVE, Result.INVALID])
    reported_on = serializers.DateField()
    ct_value = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    version = serializers.IntegerField()


class LineageAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = LineageAlert
        fields = ["id", "province", "lineage", "sequencing", "created_at", "acknowledged_by"]
        read_only_fields = fields


class SequencingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sequencing
        fields = ["id", "test", "requested_on", "lab_name", "lineage", "reported_on", "version"]
        read_only_fields = fields


class SequencingRequestSerializer(serializers.Serializer):
    requested_on = serializers.DateField(required=False, help_text="Default: today.")
    lab_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LineageSerializer(serializers.Serializer):
    sequencing = serializers.IntegerField(help_text="The sequencing request (of this test) the lineage answers.")
    lineage = serializers.CharField(max_length=40)
    reported_on = serializers.DateField(required=False, help_text="Default: today.")


class TestViewSet(ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Tests of people in the caller's jurisdiction. A result dated before its sample is refused (400)."""

    __test__ = False
    queryset = Test.objects.order_by("-taken_on", "-id")
    serializer_class = TestSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = LAB_EDITORS
    filterset_fields = ["person", "result", "kind", "sample_code"]

    def perform_create(self, serializer):
        from people.models import Person

        d = dict(serializer.validated_data)
        if not scope(Person.objects.filter(pk=d["person"].pk), self.request.user).exists():
            raise ValidationError({"person": "Người ngoài địa bàn / Person outside your jurisdiction"})
        # A refusal (core.errors.Invalid) answers the API's one error shape with its vi and en texts.
        serializer.instance = services.record_test(by=self.request.user, **d)

    @extend_schema(request=ResultSerializer, responses={200: TestSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        test = self.get_object()
        s = ResultSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        services.report_result(by=request.user, test=test, result=d["result"], reported_on=d["reported_on"],
                               ct_value=d.get("ct_value"), expected_version=d["version"])
        return Response(TestSerializer(test).data)

    @extend_schema(request=SequencingRequestSerializer, responses={201: SequencingSerializer})
    @action(detail=True, methods=["post"])
    def sequencing(self, request, pk=None):
        """Send a positive sample for sequencing."""
        test = self.get_object()
        d = _valid(SequencingRequestSerializer, request)
        seq = services.request_sequencing(by=request.user, test=test, requested_on=d.get("requested_on") or services.today(),
                                          lab_name=d["lab_name"])
        return Response(SequencingSerializer(seq).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LineageSerializer, responses={200: inline_serializer("LineageResult", {
        "sequencing": SequencingSerializer(), "alert": LineageAlertSerializer(allow_null=True)})})
    @action(detail=True, methods=["post"])
    def lineage(self, request, pk=None):
        """Record the lineage found by sequencing; a lineage the province has never seen raises an alert."""
        test = self.get_object()
        d = _valid(LineageSerializer, request)
        seq = test.sequencings.filter(pk=d["sequencing"]).first()
        if seq is None:
            raise Invalid("Không có lần giải trình tự này của mẫu.", "No such sequencing of this sample.", field="sequencing")
        alert = services.report_lineage(by=request.user, sequencing=seq, lineage=d["lineage"],
                                        reported_on=d.get("reported_on") or services.today())
        seq.refresh_from_db()
        return Response({"sequencing": SequencingSerializer(seq).data,
                         "alert": LineageAlertSerializer(alert).data if alert else None})

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_results(self, request):
        """A lab's results file (CSV/XLSX), as the import page; the batch's report lists the positives."""
        return api_imports.start(request, kind="lab_results")

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"import/(?P<batch_id>[0-9]+)")
    def import_batch(self, request, batch_id=None):
        return api_imports.batch(request, kind="lab_results", pk=batch_id)


class PoolMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolMember
        fields = ["id", "person", "position", "follow_up"]


class PoolSerializer(serializers.ModelSerializer):
    members = PoolMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Pool
        fields = ["id", "code", "size", "commune", "lab", "taken_on", "reported_on", "status", "ct_value", "members"]


class PoolInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    size = serializers.ChoiceField(choices=[(n, n) for n in Pool.SIZES])
    commune = serializers.IntegerField(help_text="A commune of your jurisdiction (where the samples are taken).")
    taken_on = serializers.DateField()


class PoolResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[Result.NEGATIVE, Result.POSITIVE])
    reported_on = serializers.DateField()
    ct_value = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)


class PoolAddSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="A person in your jurisdiction.")


class MemberTestSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="The pool member (of this pool) to re-test individually.")
    sample_code = serializers.CharField(max_length=40)
    taken_on = serializers.DateField()


class PoolViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pooled RT-PCR samples of the caller's area. POST opens a pool; its actions add a member, send it to the lab,
    record its result, and record a member's individual re-test after a positive pool (the pool page's buttons)."""

    queryset = Pool.objects.prefetch_related("members").order_by("-taken_on", "-id")
    serializer_class = PoolSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = LAB_EDITORS
    filterset_fields = ["status", "code"]

    def _answer(self, pool, code=status.HTTP_200_OK):
        return Response(PoolSerializer(Pool.objects.prefetch_related("members").get(pk=pool.pk)).data, status=code)

    @extend_schema(request=PoolInSerializer, responses={201: PoolSerializer})
    def create(self, request):
        from geo.models import Level

        d = _valid(PoolInSerializer, request)
        commune = visible_units(request.user).filter(level=Level.COMMUNE, pk=d.pop("commune")).first()
        if commune is None:
            raise Invalid("Xã ngoài địa bàn của bạn.", "Commune outside your jurisdiction.", field="commune")
        pool = services.create_pool(by=request.user, commune=commune, size=int(d.pop("size")), **d)
        return self._answer(pool, status.HTTP_201_CREATED)

    @extend_schema(request=PoolAddSerializer, responses={201: PoolSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        from people.models import Person

        pool = self.get_object()
        d = _valid(PoolAddSerializer, request)
        person = scope(Person.objects.filter(pk=d["person"]), request.user).first()
        if person is None:
            raise Invalid("Không tìm thấy (hoặc ngoài địa bàn của bạn).", "Not found (or outside your jurisdiction).", field="person")
        services.add_member(by=request.user, pool=pool, person=person)
        return self._answer(pool, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PoolSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        pool = self.get_object()
        services.send_pool(by=request.user, pool=pool)
        return self._answer(pool)

    @extend_schema(request=PoolResultSerializer, responses={200: PoolSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Negative: every member negative; positive: every member awaits an individual test."""
        pool = self.get_object()
        services.report_pool_result(by=request.user, pool=pool, **_valid(PoolResultSerializer, request))
        return self._answer(pool)

    @extend_schema(request=MemberTestSerializer, responses={201: TestSerializer})
    @action(detail=True, methods=["post"], url_path="member-test")
    def member_test(self, request, pk=None):
        pool = self.get_object()
        d = _valid(MemberTestSerializer, request)
        member = pool.members.filter(pk=d["member"]).first()
        if member is None:
            raise Invalid("Không có thành viên này trong mẫu gộp.", "No such member of this pool.", field="member")
        test = services.record_member_test(by=request.user, member=member, sample_code=d["sample_code"], taken_on=d["taken_on"])
        return Response(TestSerializer(test).data, status=status.HTTP_201_CREATED)


# -- screening campaigns and lineage alerts ---------------------------------------------------------------------------
class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "unit", "deadline", "within_days", "accepted_kinds", "version"]
        read_only_fields = ["version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        if getattr(user, "is_authenticated", False):  # as the page: a district or the province of the caller's area, or his own unit
            from geo.models import Level

            units = visible_units(user)
            self.fields["unit"].queryset = (units.exclude(level=Level.COMMUNE)
                                            | units.filter(pk=getattr(user.jurisdiction_unit, "pk", None))).distinct()
        self.fields["accepted_kinds"] = serializers.ListField(
            child=serializers.ChoiceField(choices=TestKind.choices), min_length=1, max_length=len(TestKind.choices))
        self.fields["within_days"] = serializers.IntegerField(min_value=1, max_value=60)


class CampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Screening campaigns (who must show a negative test by a deadline). POST opens one; POST {id}/targets/ imports
    its list of people (CSV/XLSX, in the background like every import)."""

    queryset = Campaign.objects.order_by("-deadline", "-id")
    serializer_class = CampaignSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = LAB_EDITORS

    def perform_create(self, serializer):
        serializer.instance = create_campaign(by=self.request.user, **serializer.validated_data)

    @IMPORT_SCHEMA
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def targets(self, request, pk=None):
        campaign = self.get_object()
        return api_imports.start(request, kind="campaign_targets", options={"campaign": campaign.pk}, mode_option="")

    @BATCH_SCHEMA
    @action(detail=False, methods=["get"], url_path=r"targets/(?P<batch_id>[0-9]+)")
    def targets_batch(self, request, batch_id=None):
        return api_imports.batch(request, kind="campaign_targets", pk=batch_id)


class LineageAlertViewSet(ScopedReadOnlyViewSet):
    """Alerts of a lineage new to the province; POST {id}/acknowledge/ takes one (once)."""

    queryset = LineageAlert.objects.order_by("-created_at")
    serializer_class = LineageAlertSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = LAB_EDITORS

    @extend_schema(request=None, responses={200: LineageAlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        services.acknowledge_lineage_alert(by=request.user, alert=alert)
        alert.refresh_from_db()
        return Response(LineageAlertSerializer(alert).data)


def _valid(cls, request) -> dict:
    ser = cls(data=request.data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)
