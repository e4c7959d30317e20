"""The people registry: everyone the system records (cases, contacts, vaccinated people…)."""
import datetime as dt

from django.conf import settings
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
    # The pre-2025 commune of his time, kept when a re-homing run put him on his 2025 commune (people.rehoming).
    # No database constraint (units are never deleted; PROTECT holds in Django) and no index (nothing searches by it):
    # a re-homing run sets it on hundreds of thousands of rows, and each per-row check or index entry costs.
    former_commune = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="former_residents",
                                       verbose_name=_("Xã/phường trước 01/07/2025"), editable=False, db_constraint=False,
                                       db_index=False)
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
            # The high-risk people per commune (vaccination's coverage for epidemic levels: the country's weekly run
            # reads them all): a tenth of the people, read from the index alone instead of filtering every row.
            models.Index(fields=["commune", "id"], name="people_high_risk_commune_idx",
                         condition=models.Q(merged_into__isnull=True) & (~models.Q(comorbidities=[]) | models.Q(is_immunocompromised=True))),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.birth_year})"

    def age_on(self, on: dt.date) -> int | None:
        return age_on(self.date_of_birth, self.birth_year, on)

    def commune_on(self, on: dt.date):
        """The commune of his time: the pre-2025 one he was re-homed from for a date before 01/07/2025."""
        from geo.eras import START_2025

        if self.former_commune_id and on is not None and on < START_2025:
            return self.former_commune
        return self.commune

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


def province_wide(user) -> bool:
    """Whoever may run or undo a re-homing: a person editor of the whole province (or the installation)."""
    from core.roles import PERSON_EDITORS

    if getattr(user, "sees_everything", False):
        return True
    unit = getattr(user, "jurisdiction_unit", None)
    return bool(unit is not None and unit.level == "province" and user.has_role(PERSON_EDITORS))


class RehomingRun(models.Model):
    """One re-homing of the province's people from their pre-2025 commune to the 2025 one (people.rehoming)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")
        UNDONE = "undone", _("Đã hoàn tác")

    status = models.CharField(_("Trạng thái"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("Thời điểm tạo"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(default=dict, blank=True)  # {"one_to_one": n, "village": n, "address": n, "unresolved": n, "seconds": s}
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @classmethod
    def scope_for_user(cls, queryset, user):
        # A run covers the whole province: its page is for those who see the whole installation.
        return queryset if province_wide(user) else queryset.none()


class RehomingMove(models.Model):
    """A person's move (or proposed move) from his pre-2025 commune to a 2025 commune, in one run."""

    class Method(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("Xã cũ nhập trọn vào một xã mới")
        VILLAGE = "village", _("Theo thôn/làng")
        ADDRESS = "address", _("Theo địa chỉ")
        REVIEWED = "reviewed", _("Người dùng chọn")
        NONE = "none", _("Chưa xác định")

    class State(models.TextChoices):
        MOVED = "moved", _("Đã chuyển")
        PROPOSED = "proposed", _("Đề xuất, chờ xem xét")
        UNRESOLVED = "unresolved", _("Chưa xác định được, chờ xem xét")
        UNDONE = "undone", _("Đã hoàn tác")

    # A log written by INSERT … SELECT, a row per person of the province: no database constraints (the deferred
    # foreign-key checks, four per row, cost more than the insert itself); Django keeps CASCADE/PROTECT.
    run = models.ForeignKey(RehomingRun, on_delete=models.CASCADE, related_name="moves", db_index=False, db_constraint=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rehoming_moves", db_index=False, db_constraint=False)
    old_commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    new_commune = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False)
    method = models.CharField(_("Cách xác định"), max_length=12, choices=Method.choices)
    state = models.CharField(_("Trạng thái"), max_length=12, choices=State.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    jurisdiction_field = "old_commune"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="people_rehome_unique_person")]
        indexes = [
            # Review list: pending moves of the user's old communes; "is this person already pending?".
            models.Index(fields=["state", "old_commune"], name="people_rehome_state_idx"),
            models.Index(fields=["person", "state"], name="people_rehome_person_idx"),
        ]
