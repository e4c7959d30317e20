"""Diseases and their rule sets: data with effective dates, never constants in code.

A RuleSet is one version of one kind of rule for one disease (e.g. COVID-19 "home_care" under 261/QĐ-BYT from
31/01/2022). Its `values` maps a parameter key to {"value": …, "source": "…", "confirmed": bool}; values the
research could not confirm ([NF]/[I] in shared/domain/rules-research.md) are stored with confirmed=false and
flagged in the UI. A case, contact or dose is judged under the version in force on its relevant date.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Circular54Group(models.TextChoices):
    """Groups of infectious diseases (Law on Prevention of Infectious Diseases 2007; Circular 54/2015/TT-BYT)."""
    A = "A", _("Nhóm A")
    B = "B", _("Nhóm B")
    C = "C", _("Nhóm C")


class Disease(models.Model):
    """A disease is a pack of data (docs/diseases.md): this row, its effective-dated RuleSets and what other apps
    register for its pack (vaccines, …). `is_default` marks the installation's default disease: screens, lists and
    APIs that are not told a disease use it (never a code written in the program)."""
    code = models.SlugField(unique=True)  # "covid19"
    name = models.CharField(_("Tên bệnh"), max_length=120)
    name_en = models.CharField(_("Tên tiếng Anh"), max_length=120, blank=True)
    icd10 = models.CharField(max_length=10, blank=True)
    group = models.CharField(_("Nhóm bệnh (Thông tư 54)"), max_length=1, choices=Circular54Group.choices, blank=True)
    is_default = models.BooleanField(_("Bệnh mặc định"), default=False)
    is_active = models.BooleanField(_("Đang theo dõi"), default=True)
    notes = models.TextField(_("Ghi chú"), blank=True)

    class Meta:
        verbose_name = _("Bệnh")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="diseases_one_default"),
        ]

    def __str__(self):
        return self.name


class EffectiveDatedRule(models.Model):
    """One version of one kind of rule for one disease, in force from `valid_from` to `valid_to` (inclusive; empty =
    until a later version of the same scope starts). Every rule model of every app inherits it — RuleSet here,
    vaccination.Schedule and DosePolicy, levels.CriteriaVersion — and registers its kind in diseases.rules, so that
    one lookup (`in_force`), one cache, one gap refusal and one overlap check serve them all (docs/diseases.md).

    A subclass has a `disease`, a `source_document` and `notes`, and answers the same questions about its values:
    `rule_values()` ({key: {"value", "source", "confirmed"}}), `value(key)`, `source_of(key)`, `unconfirmed_keys`,
    `is_confirmed`. `rule_kind` names the kind of a one-kind model; RuleSet stores its kind per row.
    """

    valid_from = models.DateField(_("Hiệu lực từ"))
    valid_to = models.DateField(_("Hiệu lực đến"), null=True, blank=True)

    rule_kind = ""

    class Meta:
        abstract = True

    @property
    def kind_code(self) -> str:
        return self.rule_kind

    def covers(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def rule_values(self) -> dict:
        """{key: {"value", "source", "confirmed"}}: what the rules pages and the pack export show."""
        raise NotImplementedError

    def value(self, key: str, default=None):
        entry = self.rule_values().get(key)
        if entry is None:
            return default
        return entry.get("value") if isinstance(entry, dict) else entry

    def source_of(self, key: str) -> str:
        entry = self.rule_values().get(key)
        return (entry.get("source") if isinstance(entry, dict) else None) or self.source_document

    @property
    def unconfirmed_keys(self) -> list[str]:
        return [k for k, v in self.rule_values().items() if isinstance(v, dict) and not v.get("confirmed", True)]

    @property
    def is_confirmed(self) -> bool:
        """False when any value is flagged unconfirmed ([I]/[NF] in the research): the UI shows "chưa xác nhận"."""
        return not self.unconfirmed_keys


class RuleKind(models.TextChoices):
    HOME_CARE = "home_care", _("Điều kiện điều trị tại nhà")
    MONITORING = "monitoring", _("Theo dõi sức khỏe")
    WARNING_SIGNS = "warning_signs", _("Dấu hiệu cảnh báo")
    RELEASE = "release", _("Dỡ bỏ cách ly / khỏi bệnh")
    F1_QUARANTINE = "f1_quarantine", _("Cách ly F1")
    FULLY_VACCINATED = "fully_vaccinated", _("Định nghĩa tiêm đủ liều")
    MEDICINE = "medicine", _("Thuốc điều trị")
    OUTBREAK = "outbreak", _("Ổ dịch")
    # Kinds added by the unified rule base (docs/diseases.md): every rule of every app is a RuleSet of one of these.
    CASE_DEFINITION = "case_definition", _("Định nghĩa ca bệnh và phân loại")
    ISOLATION = "isolation", _("Cách ly / nơi điều trị")
    VACCINATION_SCHEDULE = "vaccination_schedule", _("Lịch tiêm chủng")
    VACCINATION_POLICY = "vaccination_policy", _("Chính sách tiêm chủng")
    LEVEL_CRITERIA = "level_criteria", _("Tiêu chí cấp độ dịch")
    REPORTING = "reporting", _("Thời hạn báo cáo")
    # Kinds kept in their own app's typed model (registered in diseases.rules by that app): vaccination.Schedule,
    # vaccination.DosePolicy, levels.CriteriaVersion. A RuleSet of these kinds is refused.
    DOSE_POLICY = "dose_policy", _("Mũi bổ sung / nhắc lại")


# English names of the kinds for the bilingual refusal messages (the UI labels above are translated by gettext).
KIND_EN = {
    "home_care": "home care", "monitoring": "monitoring", "warning_signs": "warning signs", "release": "release",
    "f1_quarantine": "F1 quarantine", "fully_vaccinated": "fully vaccinated", "medicine": "medicine",
    "outbreak": "outbreak", "case_definition": "case definition", "isolation": "isolation",
"vaccination_schedule": "vaccination schedule",
    "vaccination_policy": "vaccination policy", "level_criteria": "level criteria", "reporting": "reporting deadline",
    "dose_policy": "dose policy",
}


class RuleSet(EffectiveDatedRule):
    """A version of a kind whose values are a free mapping (most kinds); see EffectiveDatedRule."""

    disease = models.ForeignKey(Disease, on_delete=models.PROTECT, related_name="rule_sets")
    kind = models.CharField(_("Loại quy định"), max_length=40, choices=RuleKind.choices)
    name = models.CharField(_("Tên phiên bản"), max_length=200)
    source_document = models.CharField(_("Văn bản nguồn"), max_length=200)  # "261/QĐ-BYT ngày 31/01/2022"
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

    @property
    def kind_code(self) -> str:
        return self.kind

    def rule_values(self) -> dict:
        return self.values

    def value(self, key: str, default=None):
        entry = self.values.get(key)
        if entry is None:
            return default
        return entry.get("value") if isinstance(entry, dict) else entry
