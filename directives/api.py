"""REST API: directives (read, search, parse), tasks per agency (read, report progress)."""
from django.db.models import F
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet
from core.errors import Invalid
from core.text import fold

from . import services
from .models import Assignment, Directive, ProgressReport
from .roles import DIRECTIVE_EDITORS, DIRECTIVE_READERS, PROGRESS_REPORTERS


class DirectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Directive
        fields = ["id", "kind", "number", "issued_on", "issuer", "signer", "signer_capacity", "subject", "addressees",
                  "references", "status", "text", "created_at"]


class ParseRequestSerializer(serializers.Serializer):
    text = serializers.CharField()


class DirectiveViewSet(ScopedReadOnlyViewSet):
    """Directives; `?q=` searches number, subject and full text without diacritics. `POST parse/` returns the
    proposed structure of a text (the `phongdich directives parse --json` contract) without saving anything."""

    queryset = Directive.objects.all()
    serializer_class = DirectiveSerializer
    allowed_roles = DIRECTIVE_READERS
    edit_roles = DIRECTIVE_EDITORS

    def base_queryset(self):
        qs = Directive.objects.all().order_by("-created_at")
        for word in fold(self.request.query_params.get("q", "")).split():
            qs = qs.filter(search_folded__contains=word)
        return qs

    @action(detail=False, methods=["post"], serializer_class=ParseRequestSerializer)
    def parse(self, request):
        if not request.user.has_role(DIRECTIVE_EDITORS):
            return Response({"detail": "forbidden"}, status=status.HTTP_403_FORBIDDEN)
        s = ParseRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(services.parse_text(s.validated_data["text"]))


class AssignmentSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    directive = serializers.IntegerField(source="task.directive_id", read_only=True)
    ref = serializers.CharField(source="task.ref", read_only=True)
    text = serializers.CharField(source="task.text", read_only=True)
    deadline = serializers.DateField(source="task.deadline", read_only=True)
    recurrence = serializers.JSONField(source="task.recurrence", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "directive", "ref", "text", "agency", "role", "status", "progress", "deadline", "recurrence",
                  "completed_on", "version"]


class ProgressSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(default=False, write_only=True)
    expected_version = serializers.IntegerField(required=False, write_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "text", "figures", "progress", "done", "expected_version", "created_at"]
        read_only_fields = ["id", "created_at"]


class AssignmentViewSet(ScopedReadOnlyViewSet):
    """One agency's share of a task; officers see only their agency's. `?loc=quahan|saphan` filters.
    `POST {id}/progress/` records a progress report (409 when the task changed meanwhile)."""

    queryset = Assignment.objects.all()
    serializer_class = AssignmentSerializer
    allowed_roles = DIRECTIVE_READERS
    edit_roles = PROGRESS_REPORTERS

    def base_queryset(self):
        from django.utils import timezone

        from .rules import due_soon, overdue

        qs = Assignment.objects.select_related("agency", "task").filter(task__directive__status=Directive.Status.CONFIRMED)
        loc = self.request.query_params.get("loc")
        today = timezone.localdate()
        if loc == "quahan":
            qs = overdue(qs, today)
        elif loc == "saphan":
            qs = due_soon(qs, today)
        return qs.order_by(F("task__deadline").asc(nulls_last=True), "pk")

    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer)
    def progress(self, request, pk=None):
        assignment = self.get_object()
        if not request.user.has_role(PROGRESS_REPORTERS):
            return Response({"detail": "forbidden"}, status=status.HTTP_403_FORBIDDEN)
        s = ProgressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            report = services.record_progress(assignment, by=request.user, text=d["text"], progress=d.get("progress"),
                                              figures=d.get("figures") or {}, done=d.get("done", False),
                                              expected_version=d.get("expected_version"))
        except Invalid as exc:
            return Response({"detail": exc.vi, "detail_en": exc.en}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ProgressSerializer(report).data, status=status.HTTP_201_CREATED)
