"""REST API: the archive of daily situation reports (figures as JSON; files via the download URLs)."""
from django.urls import reverse
from rest_framework import serializers

from core.api import ScopedReadOnlyViewSet

from .models import SituationReport
from .roles import REPORT_READERS


class SituationReportSerializer(serializers.ModelSerializer):
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = SituationReport
        fields = ["id", "day", "number", "cut_at", "data", "downloads", "created_at"]

    def get_downloads(self, obj) -> dict:
        return {fmt: reverse("reports:download", args=[obj.pk, fmt]) for fmt in ("docx", "pdf", "xlsx")}


class SituationReportViewSet(ScopedReadOnlyViewSet):
    queryset = SituationReport.objects.all()
    serializer_class = SituationReportSerializer
    allowed_roles = REPORT_READERS


# -- the writes of the pages (issue #14 §3): the same forms and services ---------------------------------------------
from django.utils import timezone  # noqa: E402
from rest_framework import permissions  # noqa: E402
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled  # noqa: E402

from core.api_forms import FormWriteView, scoped_or_404  # noqa: E402
from core.errors import Invalid  # noqa: E402
from core.roles import CASE_REGISTRARS, HEALTH_READERS  # noqa: E402
from geo.areas import STRUCTURES  # noqa: E402

from . import services  # noqa: E402
from .models import Circular54Report, Feedback, OutsideFigures  # noqa: E402
from .roles import FEEDBACK_ANSWERERS, FEEDBACK_TRIAGE, REPORT_EDITORS  # noqa: E402
from .views import PUBLIC_POSTS_PER_HOUR, FeedbackForm, FiguresForm  # noqa: E402


class GenerateSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="mặc định: hôm nay / default: today")
    structure = serializers.ChoiceField(choices=list(STRUCTURES), required=False,
                                        help_text="bảng theo xã trên cơ cấu nào / the structure of the per-commune tables")


class GenerateReportView(FormWriteView):
    """Build and archive the day's situation report (DOCX, PDF, XLSX) as the page's button does."""

    edit_roles = REPORT_EDITORS
    input_serializer = GenerateSerializer
    output = SituationReportSerializer

    def perform(self, request, data, target, **kwargs):
        return services.generate_report(data.get("day") or timezone.localdate(), by=request.user,
                                        structure=data.get("structure"))


class OutsideFiguresSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutsideFigures
        fields = ["id", "day", "national_cases", "national_deaths", "national_population", "world_rank",
                  "world_rank_per_million", "countries", "province_population", "source"]


class OutsideFiguresView(FormWriteView):
    """Enter the national and world figures of a day (`day` as dd/mm/yyyy, as on the page)."""

    edit_roles = REPORT_EDITORS
    output = OutsideFiguresSerializer
    success_status = 200

    form_class = FiguresForm  # the page's own form (reports.views)

    def perform(self, request, data, target, **kwargs):
        day = data.pop("day")
        return services.save_outside_figures(by=request.user, day=day, values=data)


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feedback
        fields = ["id", "topic", "sender_kind", "text", "unit", "status", "agency", "answer", "version"]


class PublicFeedbackView(FormWriteView):
    """Public (no sign-in): send feedback to the province, rate-limited per client address as the page; the answer
    carries nothing personal, only a confirmation."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    form_class = FeedbackForm

    def handle_write(self, request, *args, **kwargs):
        from core.ratelimit import client_key, hit

        if hit(f"reports:feedback:{client_key(request)}", PUBLIC_POSTS_PER_HOUR):
            raise Throttled()
        return super().handle_write(request, *args, **kwargs)

    def perform(self, request, data, target, **kwargs):
        services.submit_feedback(text=data["text"], topic=data["topic"], sender_kind=data["sender_kind"],
                                 unit=data["district"], name=data["name"], contact=data["contact"])
        return {"sent": True}


class TriageSerializer(serializers.Serializer):
    agency = serializers.IntegerField(required=False, allow_null=True, help_text="chuyển cho cơ quan / assign to an agency")
    answer = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    close = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(help_text="phiên bản đã đọc / the version read")


class FeedbackTriageView(FormWriteView):
    """Assign feedback to an agency, answer it, close it (assigning and closing: triage roles, as the page);
    409 on a stale version."""

    edit_roles = FEEDBACK_ANSWERERS
    input_serializer = TriageSerializer
    output = FeedbackSerializer
    success_status = 200
    conflicts = True

    def get_target(self, request, pk=None):
        return scoped_or_404(Feedback.objects.all(), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        from accounts import selectors as accounts_selectors

        user = request.user
        can_assign = user.has_role(FEEDBACK_TRIAGE) and user.role != "leadership" or user.sees_everything
        if (data.get("agency") or data["close"]) and not can_assign:
            raise PermissionDenied()
        agency = None
        if data.get("agency"):
            agency = accounts_selectors.agency(data["agency"])
            if agency is None:
                raise Invalid("Không có cơ quan này.", "No such agency.", field="agency")
        return services.triage_feedback(target, by=user, agency=agency, answer=data["answer"], close=data["close"],
                                        expected_version=data["version"])


class Circular54Serializer(serializers.ModelSerializer):
    structure = serializers.SerializerMethodField(help_text="the structure of the communes' table (2025 | pre2025)")

    class Meta:
        model = Circular54Report
        fields = ["id", "kind", "unit", "period_start", "period_end", "submitted", "structure"]

    def get_structure(self, obj) -> str:
        return (obj.data or {}).get("structure") or obj.unit.structure


class Circular54GenerateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Circular54Report.Kind.choices, default="weekly")
    anchor = serializers.DateField(required=False, help_text="một ngày của kỳ (mặc định: hôm nay) / a day of the period")
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="mặc định: đơn vị của bạn / default: yours")
    submit = serializers.BooleanField(required=False, default=False, help_text="xã gửi báo cáo / the commune sends it")
    structure = serializers.ChoiceField(choices=list(STRUCTURES), required=False,
                                        help_text="bảng theo xã trên cơ cấu nào / the structure of the communes' table")


class Circular54GenerateView(FormWriteView):
    """Build (and, for a commune, send) the Circular 54 weekly or monthly report of a unit of the jurisdiction."""

    edit_roles = HEALTH_READERS
    input_serializer = Circular54GenerateSerializer
    output = Circular54Serializer

    def perform(self, request, data, target, **kwargs):
        from core.scoping import visible_units

        from .views_tt54 import _own_unit

        if data["submit"] and not request.user.has_role(CASE_REGISTRARS):
            raise PermissionDenied()
        unit_id = data.get("unit")
        if unit_id:
            unit = visible_units(request.user).filter(pk=unit_id).first()
            if unit is None:
                raise NotFound()
        else:
            unit = _own_unit(request.user)
        if unit is None:
            raise NotFound()
        return services.generate_circular54(kind=data["kind"], unit=unit, anchor=data.get("anchor") or timezone.localdate(),
                                            by=request.user, submit=data["submit"], structure=data.get("structure"))

