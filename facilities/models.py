"""Health facilities and field teams: who is responsible for people on the ground."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.models import AdministrativeUnit


class Facility(models.Model):
    class Kind(models.TextChoices):
        PROVINCIAL_HOSPITAL = "provincial_hospital", _("Bệnh viện tuyến tỉnh")
        DISTRICT_HEALTH_CENTRE = "district_health_centre", _("Trung tâm Y tế huyện")
        COMMUNE_HEALTH_STATION = "commune_health_station", _("Trạm Y tế xã")
        CENTRALISED_FACILITY = "centralised_facility", _("Khu điều trị/cách ly tập trung")
        LAB = "lab", _("Phòng xét nghiệm")
        VACCINATION_SITE = "vaccination_site", _("Điểm tiêm chủng")
        CDC = "cdc", _("Trung tâm Kiểm soát bệnh tật (CDC)")
        OTHER = "other", _("Khác")

    name = models.CharField(_("Tên cơ sở"), max_length=200)
    kind = models.CharField(_("Loại"), max_length=30, choices=Kind.choices)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("Địa bàn"))
    address = models.CharField(_("Địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("Điện thoại"), max_length=20, blank=True)
    is_active = models.BooleanField(default=True)

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Cơ sở y tế")
        verbose_name_plural = _("Cơ sở y tế")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """Care team (tổ chăm sóc F0), community team (tổ cộng đồng) or mobile medical station (trạm y tế lưu động)."""

    class Kind(models.TextChoices):
        CARE_TEAM = "care_team", _("Tổ chăm sóc người nhiễm COVID-19")
        COMMUNITY_TEAM = "community_team", _("Tổ COVID cộng đồng")
        MOBILE_STATION = "mobile_station", _("Trạm Y tế lưu động")
        VACCINATION_TEAM = "vaccination_team", _("Đội tiêm chủng lưu động")

    name = models.CharField(_("Tên tổ"), max_length=200)
    kind = models.CharField(_("Loại"), max_length=20, choices=Kind.choices)
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="teams", verbose_name=_("Xã"))
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams")
    phone = models.CharField(_("Điện thoại liên hệ"), max_length=20, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    is_active = models.BooleanField(default=True)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Tổ/đội")
        ordering = ["commune__path", "name"]

    def __str__(self):
        return self.name


class BedType(models.TextChoices):
    ORDINARY = "ordinary", _("Giường thường")
    OXYGEN = "oxygen", _("Giường có oxy")
    ICU = "icu", _("Giường hồi sức tích cực (ICU)")


class BedCapacity(models.Model):
    """How many beds of one type a centralised facility or hospital has (occupancy comes from cases.Admission)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="bed_capacities")
    bed_type = models.CharField(_("Loại giường"), max_length=10, choices=BedType.choices)
    total = models.PositiveIntegerField(_("Số giường"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    jurisdiction_field = "facility__unit"

    class Meta:
        verbose_name = _("Số giường")
        constraints = [models.UniqueConstraint(fields=["facility", "bed_type"], name="facilities_bed_unique_type")]

    def __str__(self):
        return f"{self.facility} – {self.get_bed_type_display()}: {self.total}"
