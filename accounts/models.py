"""Users, their role and their jurisdiction; agencies (departments) that receive tasks."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import fold
from geo.models import AdministrativeUnit

from .roles import Role


class Agency(models.Model):
    """A provincial department, board or organisation that receives tasks (Sở Y tế, Sở GD&ĐT, UBND huyện…)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        HEALTH = "health", _("Sở Y tế")
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        STEERING_COMMITTEE = "steering_committee", _("Ban Chỉ đạo")
        MASS_ORGANISATION = "mass_organisation", _("Đoàn thể, tổ chức chính trị - xã hội")
        MEDIA = "media", _("Cơ quan báo chí, truyền thông")
        OTHER = "other", _("Khác")

    name = models.CharField(_("Tên cơ quan"), max_length=200, unique=True)
    short_name = models.CharField(_("Tên viết tắt"), max_length=50, blank=True)
    kind = models.CharField(_("Loại"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    unit = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, help_text=_("Địa bàn (với UBND huyện/xã)"))
    aliases = models.JSONField(default=list, blank=True, help_text=_("Other ways directives name it"))
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("Cơ quan, đơn vị")
        verbose_name_plural = _("Cơ quan, đơn vị")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person who signs in. His jurisdiction is an administrative unit, a facility (its unit) or an agency."""

    full_name = models.CharField(_("Họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("Điện thoại"), max_length=20, blank=True)
    role = models.CharField(_("Vai trò"), max_length=20, choices=Role.choices, default=Role.COMMUNE_HEALTH)
    unit = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("Địa bàn phụ trách")
    )
    facility = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("Cơ sở")
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="officers", verbose_name=_("Cơ quan"))

    class Meta:
        verbose_name = _("Người dùng")
        verbose_name_plural = _("Người dùng")

    def __str__(self):
        return self.full_name or self.username

    @property
    def sees_everything(self) -> bool:
        # System administrators manage the whole installation.
        return self.is_superuser or self.role == Role.SYSADMIN

    @property
    def jurisdiction_unit(self) -> AdministrativeUnit | None:
        if self.role == Role.AGENCY_OFFICER:
            return None
        if self.unit_id:
            return self.unit
        if self.facility_id:
            return self.facility.unit
        return None

    def has_role(self, roles) -> bool:
        return self.is_active and (self.sees_everything or self.role in roles)

    @property
    def requires_two_factor(self) -> bool:
        return self.is_superuser or self.is_staff or self.role == Role.SYSADMIN
