"""Personal-data protection (Law 91/2025/QH15, Decree 356/2025/NĐ-CP, in force 01/01/2026): data-subject requests
with deadlines, the breach register with its 72-hour notification, and retention rules per record type.

Deadlines and retention periods are data with effective dates and their source, so a changed text is a new row,
not a code change."""
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.models import AdministrativeUnit

from .roles import DP_OFFICERS

BREACH_NOTIFY_WITHIN = dt.timedelta(hours=72)  # notification to A05 (Ministry of Public Security) within 72 hours


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Xem / cung cấp dữ liệu")
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
    DELETION = "deletion", _("Xoá dữ liệu")
    RESTRICTION = "restriction", _("Hạn chế xử lý")


class DeadlineRule(models.Model):
    """How many days the controller has to answer a kind of request, from a date, per a legal text."""

    kind = models.CharField(_("Loại yêu cầu"), max_length=12, choices=RequestKind.choices)
    days = models.PositiveSmallIntegerField(_("Số ngày"))
    effective_from = models.DateField(_("Áp dụng từ"))
    source = models.CharField(_("Căn cứ"), max_length=300)

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "effective_from"], name="dp_deadline_once_per_day")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.days}"

    @classmethod
    def scope_for_user(cls, queryset, user):
        return queryset  # reference data, readable by every signed-in user


class SubjectRequest(models.Model):
    """A data subject's request (or a representative's), its deadline, handling and decision."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        DONE = "done", _("Đã trả lời")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Chấp nhận")
        PARTIAL = "partial", _("Chấp nhận một phần")
        REFUSED_PUBLIC_HEALTH = "refused_public_health", _("Từ chối: dữ liệu phải giữ để phòng, chống dịch")
        REFUSED_OTHER = "refused_other", _("Từ chối: lý do khác")

    kind = models.CharField(_("Loại yêu cầu"), max_length=12, choices=RequestKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("Chủ thể dữ liệu"))
    # The person's commune when the request came in: scoping never joins people.
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("Xã/phường"))
    requester = models.CharField(_("Người yêu cầu"), max_length=150, help_text=_("Chủ thể hoặc người đại diện"))
    detail = models.TextField(_("Nội dung yêu cầu"), blank=True)
    received_on = models.DateField(_("Ngày nhận"))
    due_on = models.DateField(_("Hạn trả lời"))
    deadline_source = models.CharField(_("Căn cứ thời hạn"), max_length=300)
    status = models.CharField(_("Trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("Người xử lý"))
    decision = models.CharField(_("Quyết định"), max_length=24, choices=Decision.choices, blank=True)
    legal_basis = models.TextField(_("Căn cứ pháp lý của quyết định"), blank=True)
    answered_on = models.DateField(_("Ngày trả lời"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    jurisdiction_field = "commune"

    class Meta:
        ordering = ["due_on", "pk"]
        # The register lists open requests by deadline.
        indexes = [models.Index(fields=["status", "due_on"], name="dp_request_open_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def overdue(self) -> bool:
        answered = self.answered_on or timezone.localdate()
        return answered > self.due_on if self.answered_on else timezone.localdate() > self.due_on


class Breach(models.Model):
    """A personal-data breach and its notification to A05 (Cục An ninh mạng và phòng, chống tội phạm sử dụng công
    nghệ cao, Ministry of Public Security) within 72 hours of detection."""

    title = models.CharField(_("Sự cố"), max_length=200)
    description = models.TextField(_("Mô tả"), blank=True)
    detected_at = models.DateTimeField(_("Phát hiện lúc"))
    notified_at = models.DateTimeField(_("Đã thông báo A05 lúc"), null=True, blank=True)
    notification_ref = models.CharField(_("Số văn bản thông báo"), max_length=100, blank=True)
    categories = models.CharField(_("Loại dữ liệu bị ảnh hưởng"), max_length=300)
    affected_people = models.PositiveIntegerField(_("Số người bị ảnh hưởng"), default=0)
    affected_records = models.PositiveIntegerField(_("Số bản ghi bị ảnh hưởng"), default=0)
    measures = models.TextField(_("Biện pháp khắc phục"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at"]

    def __str__(self):
        return self.title

    @classmethod
    def scope_for_user(cls, queryset, user):
        # A province-wide register kept by the controller's officers.
        return queryset if user.has_role(DP_OFFICERS) else queryset.none()

    @property
    def notify_by(self):
        return self.detected_at + BREACH_NOTIFY_WITHIN

    @property
    def overdue(self) -> bool:
        """Not notified within 72 hours (late notification stays flagged: the law asks for the reason)."""
        return (self.notified_at or timezone.now()) > self.notify_by


class RetentionRule(models.Model):
    """How long a record type is kept identifiable, counted from one of its dates, and what happens then."""

    class Action(models.TextChoices):
        PSEUDONYMISE = "pseudonymise", _("Ẩn danh hoá")
        REVIEW = "review", _("Rà soát thủ công")

    record_type = models.CharField(_("Loại bản ghi"), max_length=60, help_text=_("app.model, ví dụ people.person"))
    date_field = models.CharField(_("Tính từ trường"), max_length=60)
    years = models.PositiveSmallIntegerField(_("Số năm lưu"))
    action = models.CharField(_("Khi hết hạn"), max_length=14, choices=Action.choices)
    effective_from = models.DateField(_("Áp dụng từ"))
    source = models.CharField(_("Căn cứ"), max_length=300)

    class Meta:
        ordering = ["record_type", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["record_type", "effective_from"], name="dp_retention_once_per_day")]

    def __str__(self):
        return f"{self.record_type}: {self.years}"

    @classmethod
    def scope_for_user(cls, queryset, user):
        return queryset
