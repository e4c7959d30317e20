"""Epidemic levels (Resolution 128/NQ-CP): criteria versions, weekly assessments, decisions and measures.

* CriteriaVersion: one version of the MOH assessment criteria (4800/QĐ-BYT, 218/QĐ-BYT) or a province's
  adaptation of one, with effective dates. Every threshold is data with its source and a confirmed flag.
* CriteriaEntry: criteria values entered or imported for a unit and week (used when the system has no data
  of its own for a criterion, and preferred over computed values when present).
* Assessment: the computed level of a unit for a week, with the values used and the step-by-step explanation.
* LevelDecision: computed → proposed (Department of Health) → decided (People's Committee) → published.
* Measure: the catalogue of measures per level (editable).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel, VersionedModel
from diseases.selectors import EffectiveDatedRule, default_disease_pk
from geo.models import AdministrativeUnit


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Keeps Vietnamese text as UTF-8 instead of \\uXXXX escapes: explanations are mostly non-ASCII, and with psycopg's
    client-side binding every escape costs a regex substitution (10,000 assessments: 38 s → under 1 s)."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class TextJSONField(models.JSONField):
    """A JSONField that keeps Django's bulk_create on PostgreSQL off its UNNEST path: there every JSON document is
    sent as an element of a text array, where each double quote is backslash-escaped by a Python regex (10,000
    explanations: ~16 s). Declaring a placeholder is Django's documented way to opt a field out of UNNEST."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"


LEVEL_CHOICES = [
    (1, _("Cấp 1 – Nguy cơ thấp (xanh)")),
    (2, _("Cấp 2 – Nguy cơ trung bình (vàng)")),
    (3, _("Cấp 3 – Nguy cơ cao (cam)")),
    (4, _("Cấp 4 – Nguy cơ rất cao (đỏ)")),
]
# Official colours of 128/NQ-CP §1.1 (xanh, vàng, cam, đỏ); same hues as static/css --l1..--l4.
LEVEL_COLOURS = {1: "#2e9e44", 2: "#f2c500", 3: "#f28c28", 4: "#d62828"}


class _ReferenceData:
    """Reference data (not place-bound personal records): every signed-in user may read it."""

    @classmethod
    def scope_for_user(cls, queryset, user):
        return queryset


class CriteriaVersion(_ReferenceData, EffectiveDatedRule, VersionedModel):
    """A version of the assessment criteria with its effective dates.

    `values` maps a parameter key to {"value": …, "source": "…", "confirmed": bool, "op": ">="|">"}; see
    levels/rules.py for the keys. `province` empty = national (MOH); set = that province's adaptation,
    which takes precedence over the national version for its units (128/NQ-CP lets provinces adapt).
    Two versions of the same scope may not overlap in time (diseases.rules.check_overlap refuses it).
    Kind `level_criteria` of the rule base: `diseases.rules.in_force(disease, "level_criteria", on, unit=…)`.
    """

    rule_kind = "level_criteria"

    code = models.SlugField(_("Mã phiên bản"), max_length=40, unique=True)
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    name = models.CharField(_("Tên phiên bản"), max_length=200)
    source_document = models.CharField(_("Văn bản nguồn"), max_length=200)
    province = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("Tỉnh điều chỉnh"),
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="adaptations")
    values = models.JSONField(default=dict)
    notes = models.TextField(_("Ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Bộ tiêu chí đánh giá cấp độ dịch")
        ordering = ["valid_from", "code"]

    def __str__(self):
        return self.name

    def rule_values(self) -> dict:
        return self.values


class CriteriaEntry(TimeStampedModel):
    """Criteria values for a unit and week, entered on screen or imported (see levels.importers)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    week_start = models.DateField(_("Tuần từ ngày"))
    values = models.JSONField(default=dict)
    origin = models.CharField(max_length=10, choices=[("entered", _("Nhập tay")), ("imported", pgettext_lazy("data origin", "Nhập từ tệp"))], default="entered")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Số liệu tiêu chí nhập tay")
        constraints = [models.UniqueConstraint(fields=["unit", "week_start"], name="levels_entry_unique_week")]


class Assessment(models.Model):
    """The computed level of a unit for a week (week_start = Monday; data cut at the next cut, 00:00)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("Tuần từ ngày"))
    level = models.PositiveSmallIntegerField(_("Cấp độ tính toán"), choices=LEVEL_CHOICES, null=True, blank=True)
    version = models.ForeignKey(CriteriaVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(null=True, blank=True)
    values = TextJSONField(default=dict, encoder=UnicodeJSONEncoder)  # criteria values used
    origins = TextJSONField(default=dict, encoder=UnicodeJSONEncoder)  # key → where the value came from
    steps = TextJSONField(default=list, encoder=UnicodeJSONEncoder)  # the explanation (levels.rules.Step as dicts)
    missing = TextJSONField(default=list, encoder=UnicodeJSONEncoder)  # [{"key", "vi", "en"}]
    computed_at = models.DateTimeField(auto_now=True)

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Kết quả đánh giá cấp độ dịch")
        constraints = [models.UniqueConstraint(fields=["unit", "week_start"], name="levels_assessment_unique_week")]
        # The map and public page read one week for all units.
        indexes = [models.Index(fields=["week_start", "unit"], name="levels_assess_week_idx")]


class LevelDecision(VersionedModel):
    """One unit's level for one week going through proposal, decision and publication."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đã đề xuất")
        DECIDED = "decided", _("Đã quyết định")
        PUBLISHED = "published", _("Đã công bố")

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("Tuần từ ngày"))
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    computed_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=LEVEL_CHOICES)
    proposed_level = models.PositiveSmallIntegerField(_("Cấp độ đề xuất"), choices=LEVEL_CHOICES)
    proposal_reason = models.TextField(_("Lý do điều chỉnh (đề xuất)"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(null=True)
    decided_level = models.PositiveSmallIntegerField(_("Cấp độ quyết định"), null=True, blank=True, choices=LEVEL_CHOICES)
    decision_reason = models.TextField(_("Lý do điều chỉnh (quyết định)"), blank=True)
    decision_number = models.CharField(_("Số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("Ngày quyết định"), null=True, blank=True)
    effective_from = models.DateTimeField(_("Hiệu lực từ"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    extra_measures = models.TextField(_("Biện pháp bổ sung"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Quyết định cấp độ dịch")
        constraints = [models.UniqueConstraint(fields=["unit", "week_start"], name="levels_decision_unique_week")]
        # "Level in force": the latest published decision of a unit whose effective time has come.
        indexes = [models.Index(fields=["unit", "status", "effective_from"], name="levels_decision_force_idx")]
        ordering = ["-week_start"]

    def __str__(self):
        return f"{self.unit} {self.week_start:%d/%m/%Y}: {self.decided_level or self.proposed_level}"

    @property
    def level(self) -> int:
        return self.decided_level or self.proposed_level


class Measure(_ReferenceData, VersionedModel):
    """A measure applying at a level (128/NQ-CP §IV as summarised in rules-research 1.4). Editable."""

    class Category(models.TextChoices):
        GATHERINGS = "gatherings", _("Tụ tập, sự kiện")
        SCHOOLS = "schools", pgettext_lazy("measure area", "Trường học")
        SERVICES = "services", _("Dịch vụ")
        TRANSPORT = "transport", _("Vận tải hành khách")
        MARKETS = "markets", _("Chợ, siêu thị, nhà hàng")
        TOURISM = "tourism", _("Du lịch, lưu trú")
        PRODUCTION = "production", _("Sản xuất, vận chuyển hàng hóa")
        OTHER = "other", _("Khác")

    level = models.PositiveSmallIntegerField(_("Cấp độ"), choices=LEVEL_CHOICES)
    category = models.CharField(_("Lĩnh vực"), max_length=12, choices=Category.choices)
    text = models.TextField(_("Biện pháp"))
    source = models.CharField(_("Nguồn"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("Đã đối chiếu văn bản gốc"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("Biện pháp theo cấp độ")
        ordering = ["level", "order", "category"]

    def __str__(self):
        return f"{self.level}: {self.text[:60]}"
