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
