"""Contacts (F1/F2) of cases, their daily follow-up, outbreaks (ổ dịch) and arrivals from outbreak areas.

A Contact links a person to the case (F0) he was exposed to. Its quarantine/precaution period, test dates and
follow-up end are computed by contacts.rules from the F1 rule set in force on the last exposure date and stored
with the rule that applied, so the screen can say which rule it was. When the contact tests positive it is
converted into a case in one step: `converted_case` keeps the link, so the chain of transmission stays whole.
The chain is the graph of cases: source_case → converted_case, walked with a recursive CTE (contacts.chains).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import VersionedModel
from diseases.selectors import default_disease_pk


class Generation(models.TextChoices):
    F1 = "F1", _("F1 – tiếp xúc gần với F0")
    F2 = "F2", _("F2 – tiếp xúc gần với F1")


class Setting(models.TextChoices):
    HOUSEHOLD = "household", _("Hộ gia đình")
    WORKPLACE = "workplace", _("Nơi làm việc")
    SCHOOL = "school", _("Trường học")
    COMMUNITY = "community", _("Cộng đồng")
    HEALTH_FACILITY = "health_facility", _("Cơ sở y tế")
    TRANSPORT = "transport", _("Phương tiện giao thông")


class VaccinationSource(models.TextChoices):
    DECLARED = "declared", _("Người tiếp xúc khai báo")
    REGISTRY = "registry", _("Theo dữ liệu tiêm chủng")
    UNKNOWN = "unknown", _("Chưa rõ")


class Outbreak(VersionedModel):
    """A named cluster (ổ dịch) with its place; closed when the outbreak rule's N days pass without a new case."""

    class PlaceKind(models.TextChoices):
        COMMUNE = "commune", _("Xã/phường")
        VILLAGE = "village", _("Thôn/làng/tổ dân phố")
        FACILITY = "facility", _("Cơ sở y tế")
        SCHOOL = "school", _("Trường học")
        INDUSTRIAL_PARK = "industrial_park", _("Khu công nghiệp")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        CLOSED = "closed", _("Đã kết thúc")

    name = models.CharField(_("Tên ổ dịch"), max_length=200)
    # The disease whose outbreak rule (closing days, cluster window) applies; empty on the COVID-19 seeds' rows.
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Bệnh"))
    # Opened by cluster detection (contacts.clusters) rather than by hand.
    detected = models.BooleanField(_("Phát hiện tự động từ chùm ca bệnh"), default=False)
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Xã/phường"))
    place_kind = models.CharField(_("Loại địa điểm"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.VILLAGE)
    place_name = models.CharField(_("Địa điểm"), max_length=200, blank=True)
    village = models.ForeignKey("geo.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Thôn/làng"))
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Cơ sở"))
    latitude = models.FloatField(_("Vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("Kinh độ"), null=True, blank=True)
    started_on = models.DateField(_("Ngày bắt đầu"))
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("Ngày kết thúc"), null=True, blank=True)
    closing_rule = models.ForeignKey("diseases.RuleSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="outbreaks", verbose_name=_("Ca bệnh"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Ổ dịch")
        verbose_name_plural = _("Ổ dịch")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["status", "commune"], name="contacts_outbreak_status_idx")]  # active map/list

    def __str__(self):
        return self.name

    @property
    def disease_code(self) -> str:
        return self.disease.code if self.disease_id else "covid19"


class VectorControlAction(models.Model):
    """One vector-control action of a (dengue) outbreak: larval source reduction or spraying, with its dates and
    coverage (households reached out of households targeted), as the outbreak response records it."""

    class Kind(models.TextChoices):
        LARVAL = "larval", _("Diệt lăng quăng/bọ gậy")
        SPRAYING = "spraying", _("Phun hóa chất diệt muỗi")
        OTHER = "other", _("Biện pháp khác")

    outbreak = models.ForeignKey(Outbreak, on_delete=models.CASCADE, related_name="vector_actions", verbose_name=_("Ổ dịch"))
    kind = models.CharField(_("Biện pháp"), max_length=10, choices=Kind.choices)
    started_on = models.DateField(_("Từ ngày"))
    ended_on = models.DateField(_("Đến ngày"))
    households_targeted = models.PositiveIntegerField(_("Số hộ cần xử lý"))
    households_covered = models.PositiveIntegerField(_("Số hộ đã xử lý"))
    round_number = models.PositiveSmallIntegerField(_("Lần/đợt"), default=1)
    note = models.CharField(_("Ghi chú"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    jurisdiction_field = "outbreak__commune"

    class Meta:
        verbose_name = _("Biện pháp xử lý véc-tơ")
        verbose_name_plural = _("Biện pháp xử lý véc-tơ")
        ordering = ["outbreak", "started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ended_on__gte=models.F("started_on")), name="contacts_vector_dates"),
            models.CheckConstraint(condition=models.Q(households_covered__lte=models.F("households_targeted")), name="contacts_vector_coverage"),
        ]

    @property
    def coverage(self) -> float:
        return self.households_covered / self.households_targeted if self.households_targeted else 0.0


class Contact(VersionedModel):
    class Status(models.TextChoices):
        FOLLOWING = "following", _("Đang theo dõi")
        RELEASED = "released", _("Đã hết theo dõi")
        CONVERTED = "converted", _("Đã thành F0")

    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("Người tiếp xúc"))
    source_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("Ca nguồn (F0)"))
    # For an F2: the F1 through whom the exposure happened.
    source_contact = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="secondary_contacts", verbose_name=_("F1 nguồn"))
    generation = models.CharField(_("Phân loại"), max_length=2, choices=Generation.choices, default=Generation.F1)
    setting = models.CharField(_("Bối cảnh tiếp xúc"), max_length=20, choices=Setting.choices, default=Setting.HOUSEHOLD)
    place = models.CharField(_("Địa điểm tiếp xúc"), max_length=200, blank=True)
    first_exposure_on = models.DateField(_("Ngày tiếp xúc đầu tiên"))
    last_exposure_on = models.DateField(_("Ngày tiếp xúc cuối cùng"))
    # The day tracing found this person (the daily report's "new F1"), not the day the row was typed in.
    identified_on = models.DateField(_("Ngày xác định là người tiếp xúc"), null=True, blank=True)
    fully_vaccinated = models.BooleanField(_("Đã tiêm đủ liều"), null=True, blank=True)
    last_dose_on = models.DateField(_("Ngày tiêm mũi cuối"), null=True, blank=True)
    recovered_on = models.DateField(_("Ngày từng mắc COVID-19 (nếu có)"), null=True, blank=True)
    vaccination_source = models.CharField(_("Nguồn thông tin tiêm chủng"), max_length=10, choices=VaccinationSource.choices, default=VaccinationSource.UNKNOWN)
    # Computed by contacts.rules from `rule_set` (the F1 rule in force on last_exposure_on).
    rule_set = models.ForeignKey("diseases.RuleSet", on_delete=models.PROTECT, related_name="+", verbose_name=_("Quy định áp dụng"))
    protected = models.BooleanField(_("Được tính là đã tiêm đủ/khỏi bệnh"), default=False)
    quarantine_days = models.PositiveSmallIntegerField(_("Số ngày cách ly"), default=0)
    quarantine_end = models.DateField(_("Hết cách ly"), null=True, blank=True)
    test_dates = models.JSONField(_("Ngày xét nghiệm"), default=list, blank=True)
    follow_up_end = models.DateField(_("Hết theo dõi"))
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.FOLLOWING)
    converted_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="from_contacts", verbose_name=_("Ca bệnh sau chuyển F0"))
    converted_on = models.DateField(_("Ngày chuyển F0"), null=True, blank=True)
    outbreak = models.ForeignKey(Outbreak, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts", verbose_name=pgettext_lazy("contact's outbreak", "Ổ dịch"))
    last_check_on = models.DateField(_("Lần theo dõi gần nhất"), null=True, blank=True, editable=False)
    note = models.TextField(_("Ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "person__commune"

    class Meta:
        verbose_name = _("Người tiếp xúc")
        verbose_name_plural = _("Người tiếp xúc")
        ordering = ["-last_exposure_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_exposure_on__gte=models.F("first_exposure_on")), name="contacts_exposure_order"),
            models.UniqueConstraint(fields=["person", "source_case"], name="contacts_once_per_case"),
        ]
        indexes = [
            # Chain walk (recursive CTE): down from a case, up from a case.
            models.Index(fields=["source_case", "converted_case"], name="contacts_chain_down_idx"),
            models.Index(fields=["converted_case", "source_case"], name="contacts_chain_up_idx"),
            # Daily follow-up and the unmonitored list.
            models.Index(fields=["status", "follow_up_end"], name="contacts_followup_idx"),
        ]

    def __str__(self):
        return f"{self.generation} {self.person.full_name if self.person_id else ''}"


class ContactCheck(models.Model):
    """One day's follow-up of a contact: symptoms, temperature, a test result if taken."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="checks")
    day = models.DateField(_("Ngày theo dõi"))
    has_symptoms = models.BooleanField(_("Có triệu chứng"), default=False)
    symptoms = models.CharField(_("Triệu chứng"), max_length=300, blank=True)
    temperature = models.DecimalField(_("Nhiệt độ (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    test = models.ForeignKey("testing.Test", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Xét nghiệm"))
    note = models.CharField(_("Ghi chú"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    jurisdiction_field = "contact__person__commune"

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["contact", "day"], name="contacts_one_check_per_day")]


class Arrival(VersionedModel):
    """A person arriving from an outbreak area, monitored like a contact under the F1 rule of the time."""

    class Means(models.TextChoices):
        CAR = "car", _("Ô tô")
        BUS = "bus", _("Xe khách")
        MOTORBIKE = "motorbike", _("Xe máy")
        PLANE = "plane", _("Máy bay")
        TRAIN = "train", _("Tàu hỏa")
        OTHER = "other", _("Khác")

    class Via(models.TextChoices):
        STAFF = "staff", _("Cán bộ nhập")
        PUBLIC_FORM = "public_form", _("Tự khai báo y tế")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="arrivals", verbose_name=_("Người đến"))
    origin = models.CharField(_("Đến từ (địa phương có dịch)"), max_length=200)
    arrived_on = models.DateField(_("Ngày đến"))
    means = models.CharField(_("Phương tiện"), max_length=10, choices=Means.choices, default=Means.CAR)
    has_symptoms = models.BooleanField(_("Có triệu chứng"), default=False)
    symptoms = models.CharField(_("Triệu chứng"), max_length=300, blank=True)
    fully_vaccinated = models.BooleanField(_("Đã tiêm đủ liều"), null=True, blank=True)
    rule_set = models.ForeignKey("diseases.RuleSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    follow_up_end = models.DateField(_("Hết theo dõi"), null=True, blank=True)
    test_dates = models.JSONField(_("Ngày xét nghiệm"), default=list, blank=True)
    via = models.CharField(_("Nguồn"), max_length=12, choices=Via.choices, default=Via.STAFF)
    # Daily follow-up like a contact's: the day of the last call/visit, kept by services.record_arrival_check.
    last_check_on = models.DateField(_("Lần theo dõi gần nhất"), null=True, blank=True, editable=False)
    last_check_note = models.CharField(_("Ghi chú theo dõi"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "person__commune"

    class Meta:
        verbose_name = _("Người đến từ vùng dịch")
        verbose_name_plural = _("Người đến từ vùng dịch")
        ordering = ["-arrived_on", "-id"]
        indexes = [models.Index(fields=["arrived_on"], name="contacts_arrival_date_idx")]
