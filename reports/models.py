"""Daily situation reports (báo cáo tình hình), hand-entered outside figures, and feedback from citizens and businesses."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel, VersionedModel

from .roles import FEEDBACK_TRIAGE, REPORT_READERS


class ReportSetup(VersionedModel):
    """Header and signature block of the daily report (Decree 30/2020/NĐ-CP layout). One row."""

    issuer_parent = models.CharField(_("Cơ quan chủ quản"), max_length=150, default="ỦY BAN NHÂN DÂN TỈNH KON TUM")
    issuer = models.CharField(_("Cơ quan ban hành"), max_length=150, default="BAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH COVID-19")
    symbol = models.CharField(_("Ký hiệu"), max_length=40, default="BC-BCĐ")
    place = models.CharField(_("Địa danh"), max_length=60, default="Kon Tum")
    recipients = models.TextField(_("Nơi nhận (mỗi dòng một nơi)"), default="Thường trực Tỉnh ủy (b/c);\nThường trực HĐND tỉnh (b/c);\nChủ tịch, các PCT UBND tỉnh;\nCác thành viên Ban Chỉ đạo tỉnh;\nLưu: VT.")
    signer_capacity = models.CharField(_("Thẩm quyền ký"), max_length=120, default="KT. TRƯỞNG BAN\nPHÓ TRƯỞNG BAN")
    signer = models.CharField(_("Người ký"), max_length=100, blank=True)
    cut_time = models.TimeField(_("Giờ chốt số liệu"), default="07:00")

    class Meta:
        verbose_name = _("Thiết lập báo cáo")

    @classmethod
    def current(cls) -> "ReportSetup":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    @classmethod
    def scope_for_user(cls, qs, user):
        return qs if user.has_role(REPORT_READERS) else qs.none()


class OutsideFigures(VersionedModel):
    """Figures from outside the system (Ministry of Health, WHO), as in the opening of a directive: entered by hand."""

    day = models.DateField(_("Ngày số liệu"), unique=True)
    national_cases = models.PositiveBigIntegerField(_("Số ca mắc cả nước (cộng dồn)"), null=True, blank=True)
    national_deaths = models.PositiveBigIntegerField(_("Số ca tử vong cả nước (cộng dồn)"), null=True, blank=True)
    national_population = models.PositiveBigIntegerField(_("Dân số cả nước"), null=True, blank=True)
    world_rank = models.PositiveIntegerField(_("Xếp hạng số ca mắc trên thế giới"), null=True, blank=True)
    world_rank_per_million = models.PositiveIntegerField(_("Xếp hạng số ca/1 triệu dân"), null=True, blank=True)
    countries = models.PositiveIntegerField(_("Số quốc gia và vùng lãnh thổ"), null=True, blank=True)
    province_population = models.PositiveBigIntegerField(_("Dân số của tỉnh"), null=True, blank=True)
    source = models.CharField(_("Nguồn"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Số liệu bên ngoài")
        verbose_name_plural = _("Số liệu bên ngoài")
        ordering = ["-day"]

    @classmethod
    def scope_for_user(cls, qs, user):
        return qs if user.has_role(REPORT_READERS) else qs.none()


class SituationReport(TimeStampedModel):
    day = models.DateField(_("Ngày báo cáo"))
    cut_at = models.DateTimeField(_("Số liệu tính đến"))
    number = models.CharField(_("Số, ký hiệu"), max_length=40, blank=True)
    data = models.JSONField(default=dict)
    docx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("Báo cáo tình hình")
        verbose_name_plural = _("Báo cáo tình hình")
        ordering = ["-day", "-created_at"]

    def __str__(self):
        return f"Báo cáo {self.number} ngày {self.day:%d/%m/%Y}"

    @classmethod
    def scope_for_user(cls, qs, user):
        return qs if user.has_role(REPORT_READERS) else qs.none()


class Feedback(VersionedModel):
    """A citizen's or business's feedback on the epidemic measures (seed 004, item 4), triaged to an agency."""

    class Topic(models.TextChoices):
        MEASURES = "measures", _("Biện pháp phòng, chống dịch")
        BUSINESS = "business", _("Sản xuất, kinh doanh an toàn")
        VACCINATION = "vaccination", _("Tiêm chủng")
        TESTING = "testing", _("Xét nghiệm")
        CARE = "care", _("Cách ly, điều trị tại nhà")
        SUPPORT = "support", _("Hỗ trợ, an sinh xã hội")
        OTHER = "other", _("Khác")

    class Sender(models.TextChoices):
        CITIZEN = "citizen", pgettext_lazy("feedback author", "Người dân")
        BUSINESS = "business", _("Doanh nghiệp")

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        ASSIGNED = "assigned", _("Đã chuyển cơ quan xử lý")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã đóng")

    topic = models.CharField(_("Chủ đề"), max_length=12, choices=Topic.choices, default=Topic.MEASURES)
    sender_kind = models.CharField(_("Người gửi là"), max_length=10, choices=Sender.choices, default=Sender.CITIZEN)
    text = models.TextField(_("Nội dung phản ánh, kiến nghị"))
    unit = models.ForeignKey("geo.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Địa bàn"))
    # Contact details: shown only to the triage staff, never on a public page.
    name = models.CharField(_("Họ tên / tên doanh nghiệp"), max_length=200, blank=True)
    contact = models.CharField(_("Điện thoại hoặc email"), max_length=100, blank=True)
    agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Cơ quan xử lý"))
    answer = models.TextField(_("Trả lời"), blank=True)
    status = models.CharField(_("Tình trạng"), max_length=10, choices=Status.choices, default=Status.NEW)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Phản ánh, kiến nghị")
        verbose_name_plural = _("Phản ánh, kiến nghị")
        ordering = ["-created_at"]

    @classmethod
    def scope_for_user(cls, qs, user):
        if user.sees_everything or user.role in FEEDBACK_TRIAGE:
            return qs
        if user.role == "agency_officer" and user.agency_id:
            return qs.filter(agency_id=user.agency_id)
        if user.role in ("district_health", "regional_health"):
            from core.scoping import unit_q

            return qs.filter(unit_q(user, "unit"))  # a district or a health region: the feedback of its area
        return qs.none()


class Circular54Report(TimeStampedModel):
    """A weekly or monthly summary report under Circular 54/2015/TT-BYT, generated from the case records and
    archived with its files. A commune's report marked `submitted` is that commune's sending of the report (its
    first submission for a period decides timeliness); the province's reports are generated by the schedule."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Báo cáo tuần")
        MONTHLY = "monthly", _("Báo cáo tháng")

    kind = models.CharField(_("Loại báo cáo"), max_length=8, choices=Kind.choices)
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị báo cáo"))
    period_start = models.DateField(_("Từ ngày"))
    period_end = models.DateField(_("Đến ngày"))
    submitted = models.BooleanField(_("Đã gửi"), default=False)
    data = models.JSONField(default=dict)
    pdf = models.FileField(upload_to="reports/tt54/%Y/%m/", blank=True)
    xlsx = models.FileField(upload_to="reports/tt54/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seconds = models.FloatField(default=0)

    jurisdiction_field = "unit"

    class Meta:
        verbose_name = _("Báo cáo theo Thông tư 54")
        verbose_name_plural = _("Báo cáo theo Thông tư 54")
        ordering = ["-period_start", "kind", "-created_at"]
        indexes = [models.Index(fields=["kind", "period_start", "unit"], name="reports_tt54_period_idx")]
