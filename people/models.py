"""The people registry: everyone the system records (cases, contacts, vaccinated people…)."""
import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from geo.models import AdministrativeUnit, Sex, Village

from .choices import ETHNICITY_CHOICES, IdKind
from .rules import age_on


class Person(VersionedModel):
    full_name = models.CharField(_("Họ và tên"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    date_of_birth = models.DateField(_("Ngày sinh"), null=True, blank=True)
    # Always filled: older people often know only their year of birth.
    birth_year = models.PositiveSmallIntegerField(_("Năm sinh"))
    sex = models.CharField(_("Giới tính"), max_length=1, choices=Sex.choices)
    id_kind = models.CharField(_("Loại giấy tờ"), max_length=10, choices=IdKind.choices, default=IdKind.NONE)
    id_number = models.CharField(_("Số giấy tờ"), max_length=20, blank=True)
    phone = models.CharField(_("Điện thoại"), max_length=12, blank=True)
    ethnicity = models.CharField(_("Dân tộc"), max_length=2, choices=ETHNICITY_CHOICES, blank=True)
    occupation = models.CharField(_("Nghề nghiệp"), max_length=120, blank=True)
    workplace = models.CharField(_("Nơi làm việc / học tập"), max_length=200, blank=True)
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="residents", verbose_name=_("Xã/phường"))
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.PROTECT, related_name="residents", verbose_name=_("Thôn/làng/tổ dân phố"))
    street = models.CharField(_("Số nhà, đường"), max_length=200, blank=True)
    comorbidities = models.JSONField(_("Bệnh nền"), default=list, blank=True)
    is_pregnant = models.BooleanField(_("Đang mang thai"), default=False)
    is_immunocompromised = models.BooleanField(_("Suy giảm miễn dịch"), default=False)
    guardian = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="wards", verbose_name=_("Người giám hộ"))
    guardian_name = models.CharField(_("Tên người giám hộ"), max_length=150, blank=True)
    guardian_phone = models.CharField(_("Điện thoại người giám hộ"), max_length=12, blank=True)
    # A merged duplicate keeps its row (and audit trail) and points to the record that absorbed it.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Người")
        verbose_name_plural = _("Người")
        constraints = [
            # The same identity document is the same person.
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number="") & models.Q(merged_into__isnull=True),
                name="people_unique_id_number",
            ),
        ]
        indexes = [
            # Duplicate detection: folded name + birth year within a commune.
            models.Index(fields=["commune", "name_folded", "birth_year"], name="people_dup_idx"),
            models.Index(fields=["name_folded"], name="people_name_idx"),
            models.Index(fields=["phone"], name="people_phone_idx"),
            models.Index(fields=["village"], name="people_village_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.birth_year})"

    def age_on(self, on: dt.date) -> int | None:
        return age_on(self.date_of_birth, self.birth_year, on)

    @property
    def age(self) -> int | None:
        return self.age_on(dt.date.today())

    @property
    def date_of_birth_display(self) -> str:
        return self.date_of_birth.strftime("%d/%m/%Y") if self.date_of_birth else str(self.birth_year)

    @property
    def address_display(self) -> str:
        parts = [self.street, self.village.name if self.village_id else "", self.commune.full_name() if self.commune_id else ""]
        return ", ".join(p for p in parts if p)
