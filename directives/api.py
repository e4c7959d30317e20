"""REST API: directives (read, search, parse), tasks per agency (read, report progress)."""
from django.db.models import F
from rest_framework import parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet
from core.api_forms import FormWriteView, scoped_or_404
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
            raise PermissionDenied()  # the one error shape (core.api)
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
    version = serializers.IntegerField(required=False, write_only=True, help_text="= expected_version")
    attachment = serializers.FileField(required=False, write_only=True, help_text="multipart")

    class Meta:
        model = ProgressReport
        fields = ["id", "text", "figures", "progress", "done", "expected_version", "version", "attachment", "created_at"]
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

    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer,
            parser_classes=[parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser])
    def progress(self, request, pk=None):
        assignment = self.get_object()
        if not request.user.has_role(PROGRESS_REPORTERS):
            raise PermissionDenied()
        s = ProgressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        if not services.can_report(request.user, assignment):  # the page's rule: his agency's share (or an editor)
            raise PermissionDenied()
        # An Invalid answers in the one error shape (core.api); an EditConflict with 409 and the server's version.
        report = services.record_progress(assignment, by=request.user, text=d["text"], progress=d.get("progress"),
                                          figures=d.get("figures") or {}, done=d.get("done", False),
                                          attachment=request.FILES.get("attachment"),
                                          expected_version=d.get("expected_version", d.get("version")))
        return Response(ProgressSerializer(report).data, status=status.HTTP_201_CREATED)


# -- registering and confirming a directive (issue #14 §3): the pages' services ----------------------------------------
class DirectiveNewSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, help_text="nội dung, hoặc gửi tệp / the text, or a file")
    file = serializers.FileField(required=False, help_text=".docx, .pdf hoặc .txt (multipart)")


class DirectiveCreateView(FormWriteView):
    """Register a directive from its text or file: the proposed structure is kept for review; nothing is assigned."""

    edit_roles = DIRECTIVE_EDITORS
    input_serializer = DirectiveNewSerializer
    output = DirectiveSerializer

    def perform(self, request, data, target, **kwargs):
        upload, text = data.get("file"), data.get("text", "")
        if upload is not None:
            text = services.read_upload(upload.name, upload.read())
            upload.seek(0)
        return services.register_directive(by=request.user, text=text, source_file=upload)


class ReviewedTaskSerializer(serializers.Serializer):
    ref = serializers.CharField(allow_blank=True, max_length=40)
    text = serializers.CharField()
    assignees = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False)
    lead = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    recurrence = serializers.DictField(required=False, allow_null=True, default=None)
    milestones = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class DirectiveConfirmSerializer(serializers.Serializer):
    tasks = ReviewedTaskSerializer(many=True)
    version = serializers.IntegerField(help_text="phiên bản đã đọc / the version read")


class DirectiveConfirmView(FormWriteView):
    """Confirm a reviewed directive: its tasks are assigned (unknown agency names become new agencies); 409 if it
    was changed or confirmed meanwhile."""

    edit_roles = DIRECTIVE_EDITORS
    input_serializer = DirectiveConfirmSerializer
    output = DirectiveSerializer
    success_status = 200
    conflicts = True

    def get_target(self, request, pk=None):
        return scoped_or_404(Directive.objects.all(), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        tasks = []
        for t in data["tasks"]:
            t = dict(t)
            t["lead"] = [x for x in t.get("lead") or [] if x in t["assignees"]] or t["assignees"]
            tasks.append(t)
        return services.confirm_directive(target, by=request.user, tasks=tasks, expected_version=data["version"])
