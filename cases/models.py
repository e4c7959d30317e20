"""The case registry (F0): cases, their timeline, monitoring checks, alerts, transfers, medicine, support,
admissions to beds and recovery certificates.

Every record here is place-bound through the case's commune of residence at confirmation.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from diseases.models import Disease, RuleSet
from facilities.models import BedType, Facility, Team
from geo.models import AdministrativeUnit
from people.models import Person

from .choices import (
    CareSetting,
    Classification,
    DetectedIn,
    MedicineItem,
    Severity,
    Status,
    SupportKind,
    TestKind,
    VaccinationStatus,
)


def new_token() -> str:
    # 32 random bytes: cannot be guessed or enumerated.
    return secrets.token_urlsafe(32)


class Case(VersionedModel):
    """One confirmed infection (F0) of one person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("Người bệnh"))
    disease = models.ForeignKey(Disease, on_delete=models.PROTECT, related_name="cases")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("Xã/phường cư trú"))
    confirmed_on = models.DateField(_("Ngày xác định"))
    test_kind = models.CharField(_("Loại xét nghiệm khẳng định"), max_length=16, choices=TestKind.choices, blank=True)
    # Classification under the disease's case definition (diseases, kind case_definition): a suspected case has the
    # clinical picture, a confirmed one a positive confirming test or an epidemiological link (cases.services).
    classification = models.CharField(_("Phân loại"), max_length=10, choices=Classification.choices, default=Classification.CONFIRMED)
    epi_link = models.BooleanField(_("Liên quan dịch tễ với ca xác định"), default=False)
    clinical_signs = models.JSONField(_("Dấu hiệu lâm sàng"), default=list, blank=True)
    investigation = models.JSONField(_("Phiếu điều tra ca bệnh"), default=dict, blank=True)
    test_place = models.CharField(_("Nơi xét nghiệm"), max_length=200, blank=True)
    symptom_onset = models.DateField(_("Ngày khởi phát"), null=True, blank=True)
    detected_in = models.CharField(_("Nơi phát hiện"), max_length=12, choices=DetectedIn.choices, default=DetectedIn.COMMUNITY)
    care_setting = models.CharField(_("Nơi điều trị"), max_length=12, choices=CareSetting.choices, default=CareSetting.HOME)
    status = models.CharField(_("Tình trạng"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    severity = models.CharField(_("Mức độ"), max_length=12, choices=Severity.choices, default=Severity.MILD)
    on_oxygen = models.BooleanField(_("Đang thở oxy"), default=False)
    # Risk group, as recorded at confirmation (the person's record may change later).
    vaccination_status = models.CharField(_("Tình trạng tiêm chủng"), max_length=8, choices=VaccinationStatus.choices, default=VaccinationStatus.UNKNOWN)
    has_comorbidity = models.BooleanField(_("Có bệnh nền"), default=False)
    comorbidity_stable = models.BooleanField(_("Bệnh nền đang điều trị ổn định"), default=False)
    is_pregnant = models.BooleanField(_("Đang mang thai"), default=False)
    is_breastfeeding = models.BooleanField(_("Đang cho con bú"), default=False)
    can_self_care = models.BooleanField(_("Tự chăm sóc được hoặc có người chăm sóc"), default=True)
    has_phone = models.BooleanField(_("Có điện thoại liên lạc"), default=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", verbose_name=_("Tổ chăm sóc"))
    station = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="station_cases", verbose_name=_("Trạm y tế phụ trách"))
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="treated_cases", verbose_name=_("Cơ sở điều trị"))
    release_due_on = models.DateField(_("Ngày đến hạn xét nghiệm khỏi bệnh"), null=True, blank=True)
    release_test_on = models.DateField(_("Ngày xét nghiệm khỏi bệnh"), null=True, blank=True)
    release_test_result = models.CharField(_("Kết quả xét nghiệm khỏi bệnh"), max_length=10, blank=True)
    released_on = models.DateField(_("Ngày khỏi bệnh"), null=True, blank=True)
    died_on = models.DateField(_("Ngày tử vong"), null=True, blank=True)
    # Kept up to date by the services (conditional updates, never by an edit form): the board reads them.
    last_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_medicine_at = models.DateTimeField(null=True, blank=True, editable=False)
    self_report_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    source_contact_id = models.BigIntegerField(null=True, blank=True, help_text="contacts.Contact this case came from")
    source_ref = models.CharField(max_length=100, blank=True, help_text="e.g. testing.Result id or import line")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "commune"
    # The choice lists, reachable as Case.Status.ACTIVE etc. by other apps.
    Status = Status
    CareSetting = CareSetting
    DetectedIn = DetectedIn
    TestKind = TestKind

    class Meta:
        verbose_name = _("Ca bệnh")
        verbose_name_plural = _("Ca bệnh")
        ordering = ["-confirmed_on", "-id"]
        indexes = [
            # The "unreachable" board: active home cases of an area, by last check.
            models.Index(fields=["status", "care_setting", "commune"], name="cases_board_idx"),
            models.Index(fields=["confirmed_on"], name="cases_confirmed_idx"),
            models.Index(fields=["person"], name="cases_person_idx"),
            # The leadership dashboard and the Circular 54 reports: one disease's cases over a range of report dates,
            # or of onset dates (the onset, else the confirmation: cases.selectors.case_day).
            # The commune and age come along (PostgreSQL: index-only scans for the curve and the per-commune counts).
            models.Index(fields=["disease", "confirmed_on"], include=["commune"], name="cases_disease_day_idx"),
            models.Index(models.F("disease"), Coalesce("symptom_onset", "confirmed_on"), include=["commune"], name="cases_disease_onset_idx"),
        ]

    def __str__(self):
        return f"F0 #{self.pk} {self.person.full_name if self.person_id else ''}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_fully_vaccinated(self) -> bool:
        return self.vaccination_status == VaccinationStatus.FULL


class CaseEvent(models.Model):
    """The case's timeline: every change of setting, status, team, and every alert, transfer, dispensing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("Thời điểm"))
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["at", "id"]


class Check(models.Model):
    """One monitoring check (phiếu theo dõi sức khỏe, 261/QĐ-BYT Phụ lục 2), by a health worker or the patient."""

    # No single-column index: cases_check_case_idx (case, taken_at) serves every lookup by case, and each index
    # costs on every insert (checks arrive hundreds per second).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checks", db_index=False)
    taken_at = models.DateTimeField(_("Thời điểm đo"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_patient = models.BooleanField(_("Người bệnh tự báo"), default=False)
    respiratory_rate = models.PositiveSmallIntegerField(_("Nhịp thở (lần/phút)"), null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("Mạch (lần/phút)"), null=True, blank=True)
    temperature = models.DecimalField(_("Nhiệt độ (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    systolic = models.PositiveSmallIntegerField(_("Huyết áp tối đa (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("Huyết áp tối thiểu (mmHg)"), null=True, blank=True)
    symptoms = models.JSONField(_("Triệu chứng"), default=list, blank=True)
    warning_signs = models.JSONField(default=list, blank=True)
    rule_set = models.ForeignKey(RuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            # A double tap or a retried request is stored once.
            models.UniqueConstraint(fields=["case", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="cases_check_idempotent"),
        ]
        indexes = [models.Index(fields=["case", "taken_at"], name="cases_check_case_idx")]


class Alert(models.Model):
    """Raised by a check meeting a warning sign, or by a patient asking for help. Someone must acknowledge it."""

    class Source(models.TextChoices):
        CHECK = "check", _("Dấu hiệu cảnh báo")
        HELP = "help", _("Người bệnh cần hỗ trợ")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    check_record = models.OneToOneField(Check, null=True, blank=True, on_delete=models.CASCADE, related_name="alert")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.CHECK)
    raised_at = models.DateTimeField()
    signs = models.JSONField(default=list)
    message = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("Xử trí"), max_length=300, blank=True)

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-raised_at"]
        indexes = [
            # The board: unacknowledged alerts older than the limit.
            models.Index(fields=["acknowledged_at", "raised_at"], name="cases_alert_open_idx"),
        ]


class Transfer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    at = models.DateTimeField(_("Thời điểm chuyển"))
    from_setting = models.CharField(max_length=12, choices=CareSetting.choices)
    destination = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Nơi chuyển đến"))
    destination_text = models.CharField(_("Nơi chuyển đến (ghi rõ)"), max_length=200, blank=True)
    reason = models.CharField(_("Lý do"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-at"]


class Dispensing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispensings")
    item = models.CharField(_("Thuốc / gói thuốc"), max_length=16, choices=MedicineItem.choices)
    item_text = models.CharField(_("Tên thuốc (nếu khác)"), max_length=120, blank=True)
    quantity = models.PositiveIntegerField(_("Số lượng"))
    given_at = models.DateTimeField(_("Thời điểm cấp"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rule_set = models.ForeignKey(RuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("Ghi chú"), max_length=300, blank=True)

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-given_at"]


class SupportRecord(models.Model):
    """Support given to an isolated household (an sinh xã hội)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("Hình thức"), max_length=8, choices=SupportKind.choices)
    amount = models.DecimalField(_("Giá trị (đồng)"), max_digits=12, decimal_places=0)
    description = models.CharField(_("Nội dung"), max_length=200, blank=True)
    given_on = models.DateField(_("Ngày hỗ trợ"))
    fund = models.CharField(_("Nguồn kinh phí / quỹ"), max_length=120)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-given_on"]


class Admission(models.Model):
    """A case in a bed of a centralised facility or hospital. Occupancy = admissions not yet discharged."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="admissions")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="admissions")
    bed_type = models.CharField(_("Loại giường"), max_length=10, choices=BedType.choices, default=BedType.ORDINARY)
    admitted_at = models.DateTimeField(_("Thời điểm nhập"))
    discharged_at = models.DateTimeField(_("Thời điểm ra"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    jurisdiction_field = "case__commune"

    class Meta:
        ordering = ["-admitted_at"]
        constraints = [
            # One open admission per case at a time.
            models.UniqueConstraint(fields=["case"], condition=models.Q(discharged_at__isnull=True), name="cases_one_open_admission"),
        ]
        indexes = [models.Index(fields=["facility", "discharged_at"], name="cases_adm_occupancy_idx")]


class RecoveryCertificate(models.Model):
    """Giấy xác nhận khỏi bệnh COVID-19. The QR code leads to a public page that shows only name, birth year, dates."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("Số giấy"), max_length=30, unique=True)
    issued_on = models.DateField(_("Ngày cấp"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verify_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # A revoked certificate's QR code answers "revoked" (a leaked or wrongly issued paper); issuing again gives a new code.
    revoked_at = models.DateTimeField(_("Thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(_("Lý do thu hồi"), max_length=200, blank=True)

    jurisdiction_field = "case__commune"
