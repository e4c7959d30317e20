"""COVID-19 vaccination: products, schedules as data with effective dates, injections and a per-person summary.

Schedules (primary series, age eligibility, mixing) and the dose policy (additional and booster intervals) are
data with effective dates, seeded from shared/domain/rules-research.md §5 by a data migration; values the research
could not confirm are stored with confirmed=False and listed in `unconfirmed_fields`, editable by RULE_EDITORS.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import VersionedModel
from diseases.selectors import EffectiveDatedRule, default_disease_pk


class Platform(models.TextChoices):
    MRNA = "mrna", _("mRNA")
    VECTOR = "vector", _("Vectơ virus")
    INACTIVATED = "inactivated", _("Bất hoạt")
    PROTEIN = "protein", _("Tiểu đơn vị protein")
    LIVE = "live", _("Sống giảm độc lực")


class Product(models.Model):
    """A vaccine product as Vietnam approved it (Decision number and date in `approval_source`)."""

    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    code = models.SlugField(_("Mã"), unique=True)  # "astrazeneca"
    name = models.CharField(_("Tên vắc xin"), max_length=120)
    manufacturer = models.CharField(_("Nhà sản xuất"), max_length=160, blank=True)
    platform = models.CharField(_("Công nghệ"), max_length=12, choices=Platform.choices)
    # Names seen in national-platform exports ("AZD1222", "Vero Cell"…), compared diacritic- and case-insensitively.
    aliases = models.JSONField(_("Tên khác"), default=list, blank=True)
    approved_on = models.DateField(_("Ngày được phê duyệt"))
    approval_source = models.CharField(_("Nguồn phê duyệt"), max_length=200, blank=True)
    cvx = models.CharField(_("Mã CVX"), max_length=8, blank=True)  # for the FHIR export
    confirmed = models.BooleanField(_("Đã xác minh"), default=True)
    notes = models.TextField(_("Ghi chú"), blank=True)

    class Meta:
        verbose_name = _("Vắc xin")
        verbose_name_plural = _("Vắc xin")
        ordering = ["name"]

    def __str__(self):
        return self.name


class _TypedRule(EffectiveDatedRule):
    """A rule version whose values are typed columns (one source document per version, `unconfirmed_fields`)."""

    value_fields: tuple = ()
    # Names other apps use for a value (contacts ask a schedule for its "full_doses").
    value_aliases: dict = {}

    class Meta:
        abstract = True

    def _raw(self, key):
        value = getattr(self, key)
        return getattr(value, "code", value)  # a product is named by its code

    def rule_values(self) -> dict:
        unconfirmed = set(self.unconfirmed_fields or ())
        return {key: {"value": self._raw(key), "source": self.source_document, "confirmed": key not in unconfirmed}
                for key in self.value_fields}

    def value(self, key: str, default=None):
        key = self.value_aliases.get(key, key)
        return self._raw(key) if key in self.value_fields else default

    @property
    def unconfirmed_keys(self) -> list[str]:
        # valid_from may be flagged too (an effective date the research could not confirm)
        keys = list(self.unconfirmed_fields or ())
        return keys or ([] if self.confirmed else ["source_document"])


class Schedule(_TypedRule, VersionedModel):
    """Primary series of one product for an age range, in force from `valid_from` to `valid_to` (inclusive).

    Kind `vaccination_schedule` of the rule base: `diseases.rules.in_force(disease, "vaccination_schedule", on,
    product=…, age=…)`; versions of one product and age band (its scope) never start on the same day."""

    rule_kind = "vaccination_schedule"
    value_fields = ("product", "age_min", "age_below", "primary_doses", "min_interval_days", "recommended_interval_days",
                    "mixable_with", "usable_as_booster")
    value_aliases = {"full_doses": "primary_doses"}

    # The vaccine's disease (filled from the product on save): the rule base looks schedules up by disease.
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("Bệnh"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("Vắc xin"))
    age_min = models.PositiveSmallIntegerField(_("Tuổi tối thiểu"))
    age_below = models.PositiveSmallIntegerField(_("Dưới tuổi"), null=True, blank=True)  # exclusive upper bound
    primary_doses = models.PositiveSmallIntegerField(_("Số mũi cơ bản"))
    # Below the minimum the dose is refused; between minimum and recommended it is a warning a supervisor may override.
    min_interval_days = models.PositiveSmallIntegerField(_("Khoảng cách tối thiểu (ngày)"))
    recommended_interval_days = models.PositiveSmallIntegerField(_("Khoảng cách khuyến cáo (ngày)"), null=True, blank=True)
    # Product codes that may be mixed with this one in the primary series (symmetric in the seed data).
    mixable_with = models.JSONField(_("Được phối hợp với"), default=list, blank=True)
    usable_as_booster = models.BooleanField(_("Dùng làm mũi bổ sung/nhắc lại"), default=True)
    source_document = models.CharField(_("Văn bản nguồn"), max_length=250)
    confirmed = models.BooleanField(_("Đã xác minh"), default=True)
    unconfirmed_fields = models.JSONField(_("Giá trị chưa xác minh"), default=list, blank=True)
    notes = models.TextField(_("Ghi chú"), blank=True)

    class Meta:
        verbose_name = _("Lịch tiêm")
        verbose_name_plural = _("Lịch tiêm")
        ordering = ["product__name", "age_min", "valid_from"]

    def __str__(self):
        upper = f"<{self.age_below}" if self.age_below else "+"
        return f"{self.product} {self.age_min}{upper} ({self.valid_from:%d/%m/%Y})"

    def covers_age(self, age: int | None) -> bool:
        if age is None:
            return True
        return age >= self.age_min and (self.age_below is None or age < self.age_below)

    def save(self, *args, **kwargs):
        if self.disease_id is None and self.product_id:  # a schedule is of its vaccine's disease
            self.disease_id = Product.objects.filter(pk=self.product_id).values_list("disease_id", flat=True).first()
        super().save(*args, **kwargs)


class DosePolicy(_TypedRule, VersionedModel):
    """Additional and booster doses in force for a period (intervals after the primary series, how many boosters).

    Kind `dose_policy` of the rule base: `diseases.rules.in_force(disease, "dose_policy", on)`."""

    rule_kind = "dose_policy"
    value_fields = ("additional_min_days", "booster_min_days", "booster_next_min_days", "booster_age_min", "max_additional",
                    "max_boosters", "overdue_after_days")

    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    additional_min_days = models.PositiveSmallIntegerField(_("Mũi bổ sung: sau mũi cơ bản cuối (ngày)"))
    booster_min_days = models.PositiveSmallIntegerField(_("Mũi nhắc lại 1: sau mũi cơ bản/bổ sung cuối (ngày)"))
    booster_next_min_days = models.PositiveSmallIntegerField(_("Mũi nhắc lại tiếp theo: sau mũi nhắc trước (ngày)"))
    booster_age_min = models.PositiveSmallIntegerField(_("Tuổi tối thiểu tiêm nhắc lại"))
    # Decision 43/QĐ-BYT certificate slots: 3 primary, 1 additional, 3 boosters.
    max_additional = models.PositiveSmallIntegerField(_("Số mũi bổ sung tối đa"), default=1)
    max_boosters = models.PositiveSmallIntegerField(_("Số mũi nhắc lại tối đa"), default=3)
    overdue_after_days = models.PositiveSmallIntegerField(_("Quá hạn sau ngày đến hạn (ngày)"), default=30)
    source_document = models.CharField(_("Văn bản nguồn"), max_length=250)
    confirmed = models.BooleanField(_("Đã xác minh"), default=True)
    unconfirmed_fields = models.JSONField(_("Giá trị chưa xác minh"), default=list, blank=True)
    notes = models.TextField(_("Ghi chú"), blank=True)

    class Meta:
        verbose_name = _("Quy định mũi bổ sung/nhắc lại")
        ordering = ["valid_from"]

    def __str__(self):
        return f"{self.source_document} ({self.valid_from:%d/%m/%Y})"


class DoseKind(models.TextChoices):
    PRIMARY = "primary", _("Cơ bản")
    ADDITIONAL = "additional", _("Bổ sung")
    BOOSTER = "booster", _("Nhắc lại")


class Source(models.TextChoices):
    MANUAL = "manual", _("Nhập tay")
    IMPORT = "import", pgettext_lazy("data origin", "Nhập từ tệp")


class Injection(VersionedModel):
    """One dose given to one person. `dose_number` counts within its kind (primary 1–3, additional 1, booster 1–3)."""

    # No single-column FK indexes: the composite indexes below lead with person and commune, and every extra index
    # slows the bulk import (bench/vaccination_import.py). No database FK constraints on the references either
    # (db_constraint=False): PostgreSQL checks them row by row (a SELECT … FOR KEY SHARE on the person per dose), which
    # cost a third of a 1.4M-dose import. Every reference is written by services.py (from loaded objects) or by
    # bulk.py after a set-based join proves it exists; PROTECT still guards deletes in the ORM, and
    # services.orphan_report() (scheduled nightly) checks the references set-based. The same holds for facility,
    # vaccinator and overridden_by (always empty in imports, where their per-row deferred checks still cost ~1.5 s).
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="injections", verbose_name=_("Người được tiêm"), db_index=False, db_constraint=False)
    # The person's commune when the dose was recorded: coverage and scoping never join people.
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Xã/phường"), db_index=False, db_constraint=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="injections", verbose_name=_("Vắc xin"), db_index=False, db_constraint=False)
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    dose_kind = models.CharField(_("Loại mũi"), max_length=10, choices=DoseKind.choices, default=DoseKind.PRIMARY)
    dose_number = models.PositiveSmallIntegerField(_("Mũi số"))
    given_on = models.DateField(_("Ngày tiêm"))
    lot = models.CharField(_("Số lô"), max_length=40, blank=True)
    site = models.CharField(_("Điểm tiêm"), max_length=200, blank=True)
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Cơ sở tiêm"), db_index=False, db_constraint=False)
    vaccinator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Người tiêm"), db_index=False, db_constraint=False)
    vaccinator_name = models.CharField(_("Tên người tiêm"), max_length=150, blank=True)
    completes_primary = models.BooleanField(default=False, editable=False)
    warnings = models.JSONField(default=list, blank=True)  # warnings overridden when recorded
    override_reason = models.TextField(_("Lý do chấp nhận cảnh báo"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    batch = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="injections", db_index=False, db_constraint=False)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Mũi tiêm")
        verbose_name_plural = _("Mũi tiêm")
        ordering = ["person", "given_on", "id"]
        # A person's history (status, next dose, checks) reads through the unique dose index, which leads with the
        # person. On PostgreSQL the bookkeeping columns also have database defaults (migration 0006) for the import.
        constraints = [
            # A dose slot is filled once: re-imports and double clicks add nothing.
            models.UniqueConstraint(fields=["person", "dose_kind", "dose_number"], name="vaccination_unique_dose"),
        ]
        indexes = [
            # Daily counts per commune (campaign rates, trend).
            models.Index(fields=["commune", "given_on"], name="vacc_inj_commune_idx"),
            # The injections list's default order: its first page is read from the index, not by sorting every dose.
            models.Index(fields=["-given_on", "-id"], name="vacc_inj_list_idx"),
        ]

    def __str__(self):
        return f"{self.get_dose_kind_display()} {self.dose_number} – {self.product} – {self.given_on:%d/%m/%Y}"


class PersonVaccination(models.Model):
    """One row per vaccinated person with the dates of the milestones: coverage at any date is one grouped scan.

    Maintained by services (single doses) and by the bulk import (one INSERT … SELECT for all touched people).
    """

    # A plain id, not a relation: the summary is derived data rebuilt from injections (merging two vaccinated
    # duplicates must not collide on it); services.refresh_summary() also runs for merged people nightly.
    person_id = models.BigIntegerField(primary_key=True)
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    birth_date = models.DateField()  # date of birth, or 1 July of the birth year when only the year is known
    first_on = models.DateField(null=True)
    primary_done_on = models.DateField(null=True)
    additional_on = models.DateField(null=True)
    booster1_on = models.DateField(null=True)
    last_on = models.DateField(null=True)
    dose_count = models.PositiveSmallIntegerField(default=0)

    jurisdiction_field = "commune"

    class Meta:
        indexes = [
            # Coverage: filter by commune (joined to the unit path), count by birth date and milestone dates.
            models.Index(fields=["commune", "birth_date"], name="vacc_pv_commune_idx"),
        ]


class ImportBatch(models.Model):
    """One uploaded file of injections: its progress and per-row report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn tất")
        REJECTED = "rejected", _("Bị từ chối")
        FAILED = "failed", pgettext_lazy("import status", "Lỗi")

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    mode = models.CharField(max_length=12, default="valid_only")
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped_duplicates = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # first rows in error (line, column, vi, en); full list in the CSV
    message = models.TextField(blank=True)
    # Worker liveness (core.batches): a running batch whose heartbeat is too old lost its worker and is marked
    # failed; its upload is kept (file_path) only until it is done, or while it is failed so that it can be retried.
    file_path = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @classmethod
    def scope_for_user(cls, queryset, user):
        # A batch holds personal data of many communes: its uploader and province-wide users see it.
        if user.sees_everything:
            return queryset
        return queryset.filter(created_by=user)

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else (100 if self.status == "done" else 0)


class Campaign(VersionedModel):
    """A target such as "2nd dose for 18+ reaches 100 % by 31/12/2021" (Resolution/plan cited in `source`)."""

    class Target(models.TextChoices):
        DOSE1 = "dose1", _("Ít nhất 1 mũi")
        FULL = "full", _("Đủ liều cơ bản")
        BOOSTER = "booster", _("Mũi nhắc lại")
        CATCH_UP = "catch_up", _("Tiêm bù đủ số mũi")

    name = models.CharField(_("Tên chiến dịch"), max_length=200)
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    target = models.CharField(_("Chỉ tiêu"), max_length=10, choices=Target.choices)
    # Catch-up (e.g. measles 2025): people of the age range with fewer than `target_doses` doses of a vaccine
    # against the campaign's disease; the age range may start in months (6 months – 10 years).
    target_doses = models.PositiveSmallIntegerField(_("Số mũi cần đủ"), null=True, blank=True)
    age_min_months = models.PositiveSmallIntegerField(_("Từ tháng tuổi"), null=True, blank=True)
    age_min = models.PositiveSmallIntegerField(_("Từ tuổi"))
    age_below = models.PositiveSmallIntegerField(_("Dưới tuổi"), null=True, blank=True)
    target_pct = models.DecimalField(_("Tỷ lệ mục tiêu (%)"), max_digits=5, decimal_places=2, default=100)
    starts_on = models.DateField(_("Bắt đầu"))
    deadline = models.DateField(_("Hạn hoàn thành"))
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Địa bàn"))
    source = models.CharField(pgettext_lazy("target source", "Văn bản chỉ đạo"), max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Chiến dịch tiêm chủng")
        ordering = ["deadline", "name"]

    def __str__(self):
        return self.name


class Visit(models.Model):
    """Outcome of a door-to-door visit by a mobile team (refusals keep their reason)."""

    class Outcome(models.TextChoices):
        VACCINATED = "vaccinated", _("Đã tiêm")
        REFUSED = "refused", _("Từ chối")
        ABSENT = "absent", _("Vắng nhà")
        CONTRAINDICATED = "contraindicated", _("Chống chỉ định")
        MOVED = "moved", _("Đã chuyển đi")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="vaccination_visits")
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(pgettext_lazy("door-to-door visit", "Ngày đến"))
    outcome = models.CharField(pgettext_lazy("visit outcome", "Kết quả"), max_length=16, choices=Outcome.choices)
    reason = models.TextField(_("Lý do"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Lượt đến nhà")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["person", "visited_on"], name="vacc_visit_person_idx")]


class ReconciliationRun(models.Model):
    """One comparison of our records with an extract of the national population database (VNeID)."""

    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)
    # [{"person_id", "kind", "ours", "theirs", "line"}]; kinds in vaccination.reconcile.KINDS
    differences = models.JSONField(default=list)
    fixed_since_previous = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def scope_for_user(cls, queryset, user):
        if user.sees_everything:
            return queryset
        return queryset.filter(created_by=user)


def _certificate_token() -> str:
    import secrets

    # 32 random bytes: opaque (nothing derived from the person's id), cannot be guessed or enumerated.
    return secrets.token_urlsafe(32)


class Certificate(models.Model):
    """One issued vaccination certificate (the PDF's QR code): verifiable until it expires or is revoked."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="vaccination_certificates")
    token = models.CharField(max_length=64, unique=True, default=_certificate_token, editable=False)
    issued_at = models.DateTimeField(_("Cấp lúc"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_on = models.DateField(_("Hết hạn ngày"))
    revoked_at = models.DateTimeField(_("Thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "person__commune"

    class Meta:
        verbose_name = _("Giấy chứng nhận tiêm chủng đã cấp")


class RoutineDose(models.Model):
    """A dose of a vaccine against a disease other than the one the dose registry (`Injection`) follows, e.g. the
    measles-containing vaccines of the expanded programme and of catch-up campaigns. `Injection` keeps its
    COVID-19 rules (schedules, boosters, bulk import, certificates); catch-up targets count these doses."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="routine_doses", verbose_name=_("Người được tiêm"))
    disease = models.ForeignKey("diseases.Disease", on_delete=models.PROTECT, related_name="+", verbose_name=_("Bệnh"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="routine_doses", verbose_name=_("Vắc xin"))
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Xã/phường"))
    dose_number = models.PositiveSmallIntegerField(_("Mũi số"))
    given_on = models.DateField(_("Ngày tiêm"))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="routine_doses",
                                 verbose_name=_("Chiến dịch tiêm chủng"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("Người ghi"))
    created_at = models.DateTimeField(_("Thời điểm ghi"), auto_now_add=True)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Mũi tiêm chủng thường xuyên")
        verbose_name_plural = _("Mũi tiêm chủng thường xuyên")
        ordering = ["person", "given_on", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "disease", "dose_number"], name="vaccination_unique_routine_dose")]
        indexes = [models.Index(fields=["disease", "person", "given_on"], name="vacc_routine_person_idx")]

    def __str__(self):
        return f"{self.product} – mũi {self.dose_number} – {self.given_on:%d/%m/%Y}"
