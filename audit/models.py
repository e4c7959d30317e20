"""Append-only audit trail: who did what to which record, when and from where."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("Tạo")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xóa")
    VIEW = "view", _("Xem")
    EXPORT = "export", _("Xuất dữ liệu")
    IMPORT = "import", _("Nhập dữ liệu")
    MERGE = "merge", _("Gộp hồ sơ")
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    LOGOUT = "logout", _("Đăng xuất")
    OTHER = "other", _("Khác")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No index of its own: audit_actor_idx (actor, at) serves every lookup by actor, and one index fewer is one less
    # to maintain for each of the many rows written (a province's re-homing writes one per person).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    actor_label = models.CharField(max_length=150, blank=True)  # kept if the user is renamed
    action = models.CharField(max_length=16, choices=Action.choices)
    target_type = models.CharField(max_length=60, blank=True)  # "people.person"
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    # The person the event concerns, for "who touched this person's data?" (even via a case or a dose).
    person_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(null=True, blank=True)  # {"field": [old, new]}
    records = models.JSONField(null=True, blank=True)  # ids that left the system in an export
    note = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_person_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted")
