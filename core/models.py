"""Abstract bases shared by the domain apps."""
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    started_at = models.DateTimeField(_("Bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("Kết thúc"), null=True, blank=True)
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
