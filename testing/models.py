"""Samples and tests (RT-PCR with CT values, rapid antigen by staff, self-tests), pooled RT-PCR, sequencing.

A Test is one sample of one person and its result. A Pool (gộp mẫu) holds the samples of at most `size`
people tested together; a positive pool puts every member under follow-up until each has an individual result.
testing sits below cases and contacts: it never imports them (a positive result offers the case through the
contacts app's pages).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from diseases.selectors import default_disease_pk


def _ancestor_paths(path: str) -> list[str]:
    """"/62/608/23281/" → ["/62/", "/62/608/", "/62/608/23281/"]."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


class TestKind(models.TextChoices):
    __test__ = False  # not a pytest class
    RT_PCR = "rt_pcr", _("RT-PCR")
    RAPID_ANTIGEN = "rapid_antigen", _("Test nhanh kháng nguyên (nhân viên y tế)")
    SELF_TEST = "self_test", _("Tự xét nghiệm (người dân tự khai)")
    # Lab tests of other diseases: offered only where the disease's case definition names them (testing.rules).
    IGM = "igm", _("Xét nghiệm kháng thể IgM")
    NS1 = "ns1", _("Test kháng nguyên NS1")


class Result(models.TextChoices):
    PENDING = "pending", _("Chờ kết quả")
    NEGATIVE = "negative", _("Âm tính")
    POSITIVE = "positive", _("Dương tính")
    INVALID = "invalid", _("Không xác định")


class Test(VersionedModel):
    disease = models.ForeignKey("diseases.Disease", null=True, blank=True, default=default_disease_pk, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("Bệnh"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="tests", verbose_name=_("Người được xét nghiệm"))
    kind = models.CharField(_("Loại xét nghiệm"), max_length=20, choices=TestKind.choices)
    sample_code = models.CharField(_("Mã mẫu"), max_length=40, unique=True)
    lab = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="tests", verbose_name=_("Nơi xét nghiệm"))
    taken_on = models.DateField(_("Ngày lấy mẫu"))
    reported_on = models.DateField(_("Ngày trả kết quả"), null=True, blank=True)
    result = models.CharField(_("Kết quả"), max_length=10, choices=Result.choices, default=Result.PENDING)
    ct_value = models.DecimalField(_("Giá trị CT"), max_digits=4, decimal_places=1, null=True, blank=True)
    reason = models.CharField(_("Lý do xét nghiệm"), max_length=120, blank=True)
    # Set when the test is the individual re-test of a member of a positive pool.
    pool_member = models.OneToOneField("PoolMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="individual_test")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "person__commune"
    __test__ = False  # not a pytest class

    class Meta:
        verbose_name = _("Xét nghiệm")
        verbose_name_plural = _("Xét nghiệm")
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(reported_on__isnull=True) | models.Q(reported_on__gte=models.F("taken_on")),
                                   name="testing_reported_after_taken"),
        ]
        indexes = [
            # A person's tests, newest first (detail pages, "positive test offers a case").
            models.Index(fields=["person", "-taken_on"], name="testing_person_idx"),
            # Pending and positive lists.
            models.Index(fields=["result", "-taken_on"], name="testing_result_idx"),
            # The tests list's default order: its first page is read from the index, not by sorting every test.
            models.Index(fields=["-taken_on", "-id"], name="testing_list_idx"),
        ]

    def __str__(self):
        return f"{self.sample_code} – {self.get_kind_display()}"


class Pool(VersionedModel):
    """A pooled RT-PCR sample (mẫu gộp). Status is a state machine, advanced only by testing.services."""

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("Đang gộp mẫu")
        SENT = "sent", _("Đã gửi, chờ kết quả")
        NEGATIVE = "negative", _("Âm tính (mọi thành viên âm tính)")
        FOLLOW_UP = "follow_up", _("Dương tính – đang xét nghiệm đơn từng người")
        RESOLVED = "resolved", _("Dương tính – đã có kết quả đơn của mọi người")

    SIZES = (5, 10, 20)

    code = models.CharField(_("Mã mẫu gộp"), max_length=40, unique=True)
    size = models.PositiveSmallIntegerField(_("Số mẫu gộp"), choices=[(5, "5"), (10, "10"), (20, "20")])
    commune = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Nơi lấy mẫu"))
    lab = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="pools", verbose_name=_("Nơi xét nghiệm"))
    taken_on = models.DateField(_("Ngày lấy mẫu"))
    reported_on = models.DateField(_("Ngày trả kết quả"), null=True, blank=True)
    status = models.CharField(_("Trạng thái"), max_length=12, choices=Status.choices, default=Status.COLLECTING)
    ct_value = models.DecimalField(_("Giá trị CT"), max_digits=4, decimal_places=1, null=True, blank=True)

    jurisdiction_field = "commune"

    class Meta:
        verbose_name = _("Mẫu gộp")
        verbose_name_plural = _("Mẫu gộp")
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__in=[5, 10, 20]), name="testing_pool_size"),
            models.CheckConstraint(condition=models.Q(reported_on__isnull=True) | models.Q(reported_on__gte=models.F("taken_on")),
                                   name="testing_pool_reported_after_taken"),
        ]

    def __str__(self):
        return f"{self.code} ({self.size})"


class PoolMember(models.Model):
    class FollowUp(models.TextChoices):
        NONE = "none", _("—")
        AWAITING = "awaiting", _("Cần lấy mẫu đơn")
        NEGATIVE = "negative", _("Âm tính (mẫu đơn)")
        POSITIVE = "positive", _("Dương tính (mẫu đơn)")

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="pool_memberships")
    position = models.PositiveSmallIntegerField()
    follow_up = models.CharField(_("Theo dõi sau mẫu gộp dương tính"), max_length=10, choices=FollowUp.choices, default=FollowUp.NONE)

    jurisdiction_field = "person__commune"

    class Meta:
        ordering = ["pool", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="testing_pool_member_once"),
            models.UniqueConstraint(fields=["pool", "position"], name="testing_pool_position_once"),
        ]
        indexes = [models.Index(fields=["follow_up"], name="testing_pool_followup_idx")]  # the "awaiting" list


class Sequencing(VersionedModel):
    """Genome sequencing of a positive sample: requested, then the lineage (e.g. BA.2) is reported."""

    test = models.ForeignKey(Test, on_delete=models.PROTECT, related_name="sequencings", verbose_name=_("Mẫu dương tính"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="sequencings")
    requested_on = models.DateField(_("Ngày gửi giải trình tự"))
    lab_name = models.CharField(_("Đơn vị giải trình tự"), max_length=200, blank=True)
    lineage = models.CharField(_("Biến thể (dòng)"), max_length=40, blank=True)
    reported_on = models.DateField(_("Ngày có kết quả"), null=True, blank=True)

    jurisdiction_field = "person__commune"

    class Meta:
        verbose_name = _("Giải trình tự gen")
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["lineage"], name="testing_lineage_idx")]  # "seen before in the province?"


class LineageAlert(models.Model):
    """Raised when a lineage is reported for the first time in a province."""

    province = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    lineage = models.CharField(max_length=40)
    sequencing = models.ForeignKey(Sequencing, on_delete=models.PROTECT, related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Cảnh báo biến thể mới")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["province", "lineage"], name="testing_lineage_alert_once")]

    @classmethod
    def scope_for_user(cls, queryset, user):
        """An alert concerns the whole province: everyone whose jurisdiction lies in it sees it."""
        if user.sees_everything:
            return queryset
        from core.scoping import jurisdiction_paths

        paths = jurisdiction_paths(user)  # a unit, or a health region's communes
        if not paths:
            return queryset.none()
        return queryset.filter(province__path__in={a for p in paths for a in _ancestor_paths(p)})


class Campaign(VersionedModel):
    """A screening campaign: a target group must show a negative test taken within N days before a date.

    E.g. after Tết 2022 every teacher and school worker needed a negative rapid test (seed 002, item 10).
    """

    name = models.CharField(_("Tên đợt sàng lọc"), max_length=200)
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Địa bàn tổ chức"))
    deadline = models.DateField(_("Hạn (ngày phải có kết quả)"))
    within_days = models.PositiveSmallIntegerField(_("Xét nghiệm trong vòng (ngày) trước hạn"))
    accepted_kinds = models.JSONField(_("Loại xét nghiệm được chấp nhận"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Đợt xét nghiệm sàng lọc")
        ordering = ["-deadline", "-id"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_for_user(cls, queryset, user):
        """A campaign concerns its whole area: seen from above (province, district) and from every unit inside it.
        Its targets are scoped by their own commune (CampaignTarget)."""
        if user.sees_everything:
            return queryset
        from core.scoping import jurisdiction_paths, unit_q

        paths = jurisdiction_paths(user)  # a unit, or a health region's communes
        if not paths:
            return queryset.none()
        above = [a for p in paths for a in _ancestor_paths(p)]
        return queryset.filter(models.Q(unit__path__in=above) | unit_q(user, "unit"))


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="campaign_targets")
    group = models.CharField(_("Trường / đơn vị"), max_length=200)

    jurisdiction_field = "person__commune"

    class Meta:
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="testing_campaign_target_once")]
        indexes = [models.Index(fields=["campaign", "group"], name="testing_campaign_group_idx")]  # compliance per unit
