"""Administrative units (both the pre-2025 and the 2025 structure), villages, population and boundaries."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import fold


class Structure(models.TextChoices):
    # Province → district → commune, valid until 30/06/2025.
    PRE_2025 = "pre2025", _("Trước 01/07/2025 (tỉnh – huyện – xã)")
    # Province → commune, from 01/07/2025 (district level abolished, provinces merged).
    FROM_2025 = "2025", _("Từ 01/07/2025 (tỉnh – xã)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/Thành phố")
    DISTRICT = "district", _("Huyện/Quận/Thị xã/Thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã/Phường/Thị trấn/Đặc khu")


class AdministrativeUnit(models.Model):
    """An official administrative unit with its GSO code, valid for a period.

    `path` is a materialised path of codes ("/62/608/23281/"; "/n51/n21028/" for the 2025 structure)
    so that "this unit and everything below it" is one indexed prefix match (core.scoping).
    """

    structure = models.CharField(max_length=8, choices=Structure.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(_("Mã GSO"), max_length=8)
    name = models.CharField(_("Tên"), max_length=120)
    short_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(_("Loại"), max_length=30, blank=True)  # Tỉnh, Thành phố, Huyện, Xã, Phường, Thị trấn…
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=40, unique=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)

    class Meta:
        verbose_name = _("Đơn vị hành chính")
        verbose_name_plural = _("Đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(fields=["structure", "level", "code"], name="geo_unit_unique_code"),
        ]
        indexes = [
            # Scoping and roll-ups filter by path prefix.
            models.Index(fields=["path"], name="geo_unit_path_idx"),
            models.Index(fields=["structure", "level", "parent"], name="geo_unit_level_idx"),
        ]
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_post_2025(self) -> bool:
        return self.structure == Structure.FROM_2025

    @staticmethod
    def make_path(structure: str, *codes: str) -> str:
        tag = "n" if structure == Structure.FROM_2025 else ""
        return "/" + "/".join(f"{tag}{c}" for c in codes) + "/"

    def ancestors(self):
        codes = [c for c in self.path.strip("/").split("/")]
        paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes) - 1)]
        return AdministrativeUnit.objects.filter(path__in=paths).order_by("path")

    def full_name(self) -> str:
        return ", ".join([self.name, *[a.name for a in reversed(list(self.ancestors()))]])


class UnitCorrespondence(models.Model):
    """Old (pre-2025) commune → the 2025 commune(s) it became part of. A divided commune has several rows."""

    old_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successor_links")
    new_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessor_links")
    is_default = models.BooleanField(default=True, help_text="For a divided commune, the new unit that took its name")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["old_unit", "new_unit"], name="geo_corr_unique")]


class Village(models.Model):
    """Thôn, làng, tổ dân phố, bản, ấp: the level below the commune where outreach happens."""

    class Kind(models.TextChoices):
        THON = "thon", _("Thôn")
        LANG = "lang", _("Làng")
        TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
        BAN = "ban", _("Bản")
        AP = "ap", _("Ấp")
        KHOI = "khoi", _("Khối phố")

    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("Tên thôn/làng/tổ dân phố"), max_length=120)
    kind = models.CharField(_("Loại"), max_length=12, choices=Kind.choices, default=Kind.THON)
    code = models.CharField(_("Mã"), max_length=20, blank=True)
    name_folded = models.CharField(max_length=120, editable=False)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Thôn/làng/tổ dân phố")
        constraints = [models.UniqueConstraint(fields=["commune", "name_folded"], name="geo_village_unique_name")]
        ordering = ["commune", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class AgeBand(models.TextChoices):
    A0_4 = "0-4", "0–4"
    A5_11 = "5-11", "5–11"
    A12_17 = "12-17", "12–17"
    A18_49 = "18-49", "18–49"
    A50_64 = "50-64", "50–64"
    A65 = "65+", "65+"


AGE_BAND_BOUNDS = {"0-4": (0, 4), "5-11": (5, 11), "12-17": (12, 17), "18-49": (18, 49), "50-64": (50, 64), "65+": (65, 200)}


def age_band_of(age: int) -> str:
    for band, (lo, hi) in AGE_BAND_BOUNDS.items():
        if lo <= age <= hi:
            return band
    return "65+"


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class PopulationEstimate(models.Model):
    """Population denominator of a commune for a year, sex and age band. Totals roll up by path."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="population")
    year = models.PositiveSmallIntegerField(_("Năm"))
    sex = models.CharField(_("Giới tính"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("Nhóm tuổi"), max_length=6, choices=AgeBand.choices)
    population = models.PositiveIntegerField(_("Dân số"))
    source = models.CharField(_("Nguồn"), max_length=200, blank=True)

    jurisdiction_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sex", "age_band"], name="geo_population_unique"),
        ]


class Boundary(models.Model):
    """Polygon of a unit imported from a user-supplied GeoJSON (never shipped: licences forbid it)."""

    unit = models.OneToOneField(AdministrativeUnit, on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField()
    source = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)


class HealthRegion(models.Model):
    """A health region: a named set of communes served by one regional health centre ("Trung tâm Y tế khu vực"),
    defined by the Department of Health (since 2025 the health centres that served districts each serve a group of
    communes). A user's jurisdiction may be a region (accounts.User.region); core.scoping covers its communes and,
    through geo.areas, the pre-2025 communes they absorbed."""

    name = models.CharField(_("Tên khu vực"), max_length=150)
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="health_regions",
                                 verbose_name=_("Tỉnh/Thành phố"))
    communes = models.ManyToManyField(AdministrativeUnit, related_name="regions", verbose_name=_("Các xã/phường"))
    # The health centre that serves it (free text: geo, a platform app, does not depend on the facilities register).
    centre_name = models.CharField(_("Cơ sở y tế phụ trách"), max_length=200, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)
    # Optimistic lock (core.concurrency): two officers editing the same region never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Khu vực y tế")
        verbose_name_plural = _("Khu vực y tế")
        constraints = [models.UniqueConstraint(fields=["province", "name"], name="geo_region_unique_name")]
        ordering = ["province", "name"]

    def __str__(self):
        return self.name

    def commune_paths(self) -> list[str]:
        """Paths of its communes (geo.areas.under_q reads them); cached on the instance."""
        cached = getattr(self, "_commune_paths", None)
        if cached is None:
            cached = self._commune_paths = sorted(self.communes.values_list("path", flat=True))
        return cached

    @classmethod
    def scope_for_user(cls, queryset, user):
        """Regions are reference data of the province: every signed-in user may list them (core.scoping); who may
        change them is geo.roles.REGION_EDITORS."""
        return queryset
