"""Diseases and their rule sets: data with effective dates, never constants in code.

A RuleSet is one version of one kind of rule for one disease (e.g. COVID-19 "home_care" under 261/QĐ-BYT from
31/01/2022). Its `values` maps a parameter key to {"value": …, "source": "…", "confirmed": bool}; values the
research could not confirm ([NF]/[I] in shared/domain/rules-research.md) are stored with confirmed=false and
flagged in the UI. A case, contact or dose is judged under the version in force on its relevant date.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Disease(models.Model):
    code = models.SlugField(unique=True)  # "covid19"
    name = models.CharField(_("Tên bệnh"), max_length=120)
    icd10 = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("Bệnh")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RuleKind(models.TextChoices):
    HOME_CARE = "home_care", _("Điều kiện điều trị tại nhà")
    MONITORING = "monitoring", _("Theo dõi sức khỏe")
    WARNING_SIGNS = "warning_signs", _("Dấu hiệu cảnh báo")
    RELEASE = "release", _("Dỡ bỏ cách ly / khỏi bệnh")
    F1_QUARANTINE = "f1_quarantine", _("Cách ly F1")
    FULLY_VACCINATED = "fully_vaccinated", _("Định nghĩa tiêm đủ liều")
    MEDICINE = "medicine", _("Thuốc điều trị")
    OUTBREAK = "outbreak", _("Ổ dịch")


class RuleSet(models.Model):
    disease = models.ForeignKey(Disease, on_delete=models.PROTECT, related_name="rule_sets")
    kind = models.CharField(_("Loại quy định"), max_length=20, choices=RuleKind.choices)
    name = models.CharField(_("Tên phiên bản"), max_length=200)
    source_document = models.CharField(_("Văn bản nguồn"), max_length=200)  # "261/QĐ-BYT ngày 31/01/2022"
    valid_from = models.DateField(_("Hiệu lực từ"))
    valid_to = models.DateField(_("Hiệu lực đến"), null=True, blank=True)
    values = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Bộ quy định")
        ordering = ["disease", "kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["disease", "kind", "valid_from"], name="rules_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.source_document}"

    def value(self, key: str, default=None):
        entry = self.values.get(key)
        if entry is None:
            return default
        return entry.get("value") if isinstance(entry, dict) else entry

    @property
    def unconfirmed_keys(self) -> list[str]:
        return [k for k, v in self.values.items() if isinstance(v, dict) and not v.get("confirmed", True)]
