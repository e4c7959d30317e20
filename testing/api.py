"""REST API of the testing app: tests (scoped), their results, and pooled samples (read)."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.roles import HEALTH_READERS, LAB_EDITORS
from core.api import AuditedRetrieveMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.errors import Invalid
from core.scoping import scope
from diseases.selectors import Disease

from . import services
from .models import Pool, PoolMember, Result, Test


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
        try:
            serializer.instance = services.record_test(by=self.request.user, **d)
        except Invalid as exc:
            raise ValidationError({exc.field or "detail": [exc.vi, exc.en]})

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


class PoolMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolMember
        fields = ["id", "person", "position", "follow_up"]


class PoolSerializer(serializers.ModelSerializer):
    members = PoolMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Pool
        fields = ["id", "code", "size", "commune", "lab", "taken_on", "reported_on", "status", "ct_value", "members"]


class PoolViewSet(ScopedReadOnlyViewSet):
    queryset = Pool.objects.prefetch_related("members").order_by("-taken_on", "-id")
    serializer_class = PoolSerializer
    allowed_roles = HEALTH_READERS
    filterset_fields = ["status", "code"]
