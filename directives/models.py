"""Directives (công văn, thông báo kết luận, công điện…), the tasks they give to agencies, and their follow-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, VersionedModel

from .roles import ALL_TASKS_READERS, DIRECTIVE_READERS


def _tasks_q(user, prefix: str = "") -> Q | None:
    """Which assignments a user may see: None = all of them."""
    if user.sees_everything or user.role in ALL_TASKS_READERS:
        return None
    p = f"{prefix}__" if prefix else ""
    q = Q(pk__in=[])
    if getattr(user, "agency_id", None):
        q |= Q(**{f"{p}agency_id": user.agency_id})
    from core.scoping import jurisdiction_area, unit_q

    if jurisdiction_area(user) is not None:
        # District (or health region) staff follow the tasks of the People's Committees of their area.
        q |= unit_q(user, f"{p}agency__unit")
    return q


class Directive(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Chờ rà soát")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    kind = models.CharField(_("Loại văn bản"), max_length=40, blank=True)
    number = models.CharField(_("Số, ký hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("Ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("Cơ quan ban hành"), max_length=200, blank=True)
    signer = models.CharField(_("Người ký"), max_length=100, blank=True)
    signer_capacity = models.CharField(_("Thẩm quyền ký"), max_length=120, blank=True)
    subject = models.TextField(_("Trích yếu"), blank=True)
    addressees = models.JSONField(_("Kính gửi"), default=list, blank=True)
    references = models.JSONField(_("Văn bản dẫn chiếu"), default=list, blank=True)
    distribution = models.JSONField(_("Nơi nhận"), default=list, blank=True)
    text = models.TextField(_("Toàn văn (bản gốc)"))
    search_folded = models.TextField(editable=False, blank=True)
    source_file = models.FileField(_("Tệp gốc"), upload_to="directives/%Y/%m/", blank=True)
    parsed = models.JSONField(_("Cấu trúc đề xuất"), default=dict, blank=True)
    status = models.CharField(_("Trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Văn bản chỉ đạo")
        verbose_name_plural = _("Văn bản chỉ đạo")
        ordering = ["-issued_on", "-created_at"]

    def __str__(self):
        return " ".join(x for x in [self.kind.capitalize(), self.number, (self.subject or "")[:80]] if x) or f"#{self.pk}"

    def save(self, *args, **kwargs):
        from core.text import fold

        self.search_folded = fold(" ".join([self.kind, self.number, self.issuer, self.signer, self.subject, self.text]))
        super().save(*args, **kwargs)

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user, "tasks__assignments")
        if q is None:
            return qs
        # Officers see the directives that give their agency a task.
        return qs.filter(q, status=cls.Status.CONFIRMED).distinct()


class Task(VersionedModel):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="tasks")
    ref = models.CharField(_("Mục"), max_length=20)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("Nội dung nhiệm vụ"))
    deadline = models.DateField(_("Hạn hoàn thành"), null=True, blank=True)
    milestones = models.JSONField(_("Các mốc"), default=list, blank=True)
    # {"every": "day", "before": "14:00"}, {"every": "week", "day": "friday", "before": "16:00"} or
    # {"every": "month", "day": 25, "before": null} ("trước ngày 25 hằng tháng")
    recurrence = models.JSONField(_("Lặp lại"), null=True, blank=True)

    class Meta:
        verbose_name = _("Nhiệm vụ")
        verbose_name_plural = _("Nhiệm vụ")
        ordering = ["directive", "position"]

    def __str__(self):
        return f"{self.ref}. {self.text[:80]}"

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user, "assignments")
        return qs if q is None else qs.filter(q).distinct()

    @property
    def recurrence_label(self) -> str:
        r = self.recurrence or {}
        if r.get("every") == "day":
            return _("Hằng ngày trước %(t)s") % {"t": r.get("before") or "24:00"}
        if r.get("every") == "week":
            return _("Hằng tuần (%(d)s) trước %(t)s") % {"d": r.get("day", ""), "t": r.get("before") or "24:00"}
        if r.get("every") == "month":
            return _("Hằng tháng, ngày %(d)s trước %(t)s") % {"d": r.get("day", ""), "t": r.get("before") or "24:00"}
        return ""


class Assignment(VersionedModel):
    """One agency's share of a task (a collective addressee fans out to one assignment per agency)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COORDINATING = "coordinating", _("Phối hợp")

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã hoàn thành")
        CANCELLED = "cancelled", _("Hủy")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("Vai trò"), max_length=14, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(_("Tình trạng"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("Tiến độ (%)"), default=0)
    completed_on = models.DateField(_("Ngày hoàn thành"), null=True, blank=True)

    class Meta:
        verbose_name = _("Phân công")
        verbose_name_plural = _("Phân công")
        constraints = [models.UniqueConstraint(fields=["task", "agency"], name="directives_assignment_unique")]
        indexes = [models.Index(fields=["agency", "status"], name="directives_asg_agency_idx")]

    def __str__(self):
        return f"{self.agency} — {self.task}"

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user)
        return qs if q is None else qs.filter(q)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)

    @property
    def done_on_time(self) -> bool | None:
        if self.status != self.Status.DONE or self.task.deadline is None:
            return None
        return self.completed_on is not None and self.completed_on <= self.task.deadline


class Occurrence(TimeStampedModel):
    """One due date of a recurring task for one agency (e.g. today's 14:00 report)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="occurrences")
    day = models.DateField(_("Ngày"))
    due_at = models.DateTimeField(_("Hạn"))
    reported_at = models.DateTimeField(_("Báo cáo lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kỳ báo cáo")
        verbose_name_plural = _("Kỳ báo cáo")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["assignment", "day"], name="directives_occurrence_unique")]

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user, "assignment")
        return qs if q is None else qs.filter(q)

    def state(self, now=None) -> str:
        """"on_time", "late", "missing" (due passed, nothing reported) or "pending"."""
        now = now or timezone.now()
        if self.reported_at:
            return "on_time" if self.reported_at <= self.due_at else "late"
        return "missing" if now > self.due_at else "pending"


class ProgressReport(TimeStampedModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    occurrence = models.ForeignKey(Occurrence, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("Kết quả thực hiện"))
    figures = models.JSONField(_("Số liệu"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("Tiến độ (%)"), default=0)
    attachment = models.FileField(_("Tệp đính kèm"), upload_to="directives/progress/%Y/%m/", blank=True)
    marks_done = models.BooleanField(_("Báo cáo hoàn thành"), default=False)

    class Meta:
        verbose_name = _("Báo cáo tiến độ")
        verbose_name_plural = _("Báo cáo tiến độ")
        ordering = ["-created_at"]

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user, "assignment")
        return qs if q is None else qs.filter(q)


class Reminder(TimeStampedModel):
    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")
        OCCURRENCE = "occurrence", _("Báo cáo định kỳ")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField()
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Nhắc việc")
        verbose_name_plural = _("Nhắc việc")
        ordering = ["-day", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["assignment", "kind", "day"], name="directives_reminder_unique")]

    @classmethod
    def scope_for_user(cls, qs, user):
        if not user.has_role(DIRECTIVE_READERS):
            return qs.none()
        q = _tasks_q(user, "assignment")
        return qs if q is None else qs.filter(q)
