"""Users, their role and their jurisdiction; agencies (departments) that receive tasks."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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
    # A health region (a regional health centre's communes) as the jurisdiction, instead of a single unit.
    region = models.ForeignKey("geo.HealthRegion", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
                               verbose_name=_("Khu vực y tế"))
    # Set on demo accounts and on accounts an administrator created or reset: the user must choose his own password
    # before anything else (accounts.middleware), unless the installation is the demo (settings.PHONGDICH_DEMO).
    must_change_password = models.BooleanField(_("Phải đổi mật khẩu"), default=False)

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
    def jurisdiction_region(self):
        """The health region that is this user's jurisdiction (core.scoping), if any; it wins over `unit`."""
        if self.role == Role.AGENCY_OFFICER or not self.region_id:
            return None
        return self.region

    @property
    def jurisdiction_unit(self) -> AdministrativeUnit | None:
        """The unit of the user's jurisdiction; None for an agency officer and for a region user (whose area is
        `jurisdiction_region`: core.scoping.jurisdiction_area gives either)."""
        if self.role == Role.AGENCY_OFFICER or self.region_id:
            return None
        if self.unit_id:
            return self.unit
        if self.facility_id:
            return self.facility.unit
        return None

    @classmethod
    def scope_for_user(cls, queryset, user):
        """Users a user may see (core.scoping): a system administrator all; a user manager (the Department of Health)
        the users placed in his unit or below, and agency officers, never an administrator; anyone else himself."""
        from .roles import can

        if user.sees_everything:
            return queryset
        from core.scoping import jurisdiction_area
        from geo.areas import under_q

        area = jurisdiction_area(user)
        if not can(user, "users.manage") or area is None:
            return queryset.filter(pk=user.pk)
        from geo.models import HealthRegion

        # A region user has no unit: he is the manager's when every commune of his region lies in the manager's area.
        foreign = HealthRegion.communes.through.objects.exclude(under_q(area, "administrativeunit")).values("healthregion_id")
        regions = HealthRegion.objects.filter(communes__isnull=False).exclude(pk__in=foreign).values("pk")
        return queryset.filter(
            under_q(area, "unit") | under_q(area, "facility__unit") | models.Q(role=Role.AGENCY_OFFICER)
            | models.Q(region__in=regions)
        ).exclude(models.Q(role=Role.SYSADMIN) | models.Q(is_superuser=True))

    def has_role(self, roles) -> bool:
        return self.is_active and (self.sees_everything or self.role in roles)

    @property
    def requires_two_factor(self) -> bool:
        return self.is_superuser or self.is_staff or self.role == Role.SYSADMIN


class ApiToken(models.Model):
    """A named API token for one device. Only the SHA-256 digest of the key is stored: the key itself is shown once,
    when the token is created (accounts.services.create_token). A token expires and can be revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("Người dùng"))
    name = models.CharField(_("Tên thiết bị"), max_length=100)
    # The lookup of every API call (accounts.authentication): unique, hence indexed.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("Đầu mã"), max_length=8, editable=False, help_text=_("Để nhận ra mã, không đủ để dùng"))
    created_at = models.DateTimeField(_("Tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("Hết hạn lúc"))
    revoked_at = models.DateTimeField(_("Thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mã truy cập API")
        verbose_name_plural = _("Mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
