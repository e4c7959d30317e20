"""Abstract bases shared by the domain apps."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("Thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Thời điểm cập nhật"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Optimistic locking: every edit states the version it started from (see core.concurrency)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class JobRun(models.Model):
    """One run of a scheduled or background job (written by core.jobs.record_run), for /healthz/ and /jobs/."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        OK = "ok", _("Thành công")
        FAILED = "failed", _("Thất bại")

    job = models.CharField(_("Công việc"), max_length=200)
    started_at = models.DateTimeField(pgettext_lazy("job run", "Bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(pgettext_lazy("job run", "Kết thúc"), null=True, blank=True)
    outcome = models.CharField(_("Kết quả"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("Lỗi"), blank=True)
    host = models.CharField(_("Máy chủ"), max_length=100, blank=True)
    pid = models.PositiveIntegerField(_("Tiến trình"), null=True, blank=True)

    class Meta:
        verbose_name = _("Lần chạy công việc")
        verbose_name_plural = _("Lần chạy công việc")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="core_jobrun_job_started")]

    def __str__(self):
        return f"{self.job} {self.started_at:%d/%m/%Y %H:%M} {self.outcome}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class ImportBatch(models.Model):
    """One uploaded file imported in the background (core.batches): its kind, progress, heartbeat and final report.

    The dose import keeps its own vaccination.ImportBatch (a set-based pipeline with phases); every other import
    (people, villages, population, case line lists, lab results) runs through this one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn tất")
        REJECTED = "rejected", _("Không nhập")
        FAILED = "failed", _("Lỗi hệ thống")

    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, blank=True)  # the upload, under VAR_DIR/imports, until it is imported
    file_size = models.PositiveBigIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True)  # mode, default commune, … (the kind's own arguments)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped_duplicates = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    saved = models.BooleanField(default=False)
    # The first rows in error (line, column, message_vi, message_en); every one is in the downloadable report.
    errors = models.JSONField(default=list, blank=True)
    errors_path = models.CharField(max_length=500, blank=True)
    # Notes, rows skipped as already present, the refusal of a whole file (vi/en), the kind's own extras.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="core_importbatch_owner_idx")]

    @classmethod
    def scope_for_user(cls, queryset, user):
        # A batch's report names people of many communes: its uploader and province-wide users see it.
        if user.sees_everything:
            return queryset
        return queryset.filter(created_by=user)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0
