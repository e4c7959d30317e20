"""Write functions of the testing app. Views, API, imports and jobs all go through here; each call is one
transaction with its audit rows."""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.services import record
from core.concurrency import touched, update_versioned
from core.dataversion import bump
from core.errors import Invalid
from geo.eras import check_unit_on

from . import rules
from .models import LineageAlert, Pool, PoolMember, Result, Sequencing, Test, TestKind
from .signals import test_recorded


def today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def record_test(*, by, person, kind: str, sample_code: str, taken_on: dt.date, result: str = Result.PENDING,
                reported_on: dt.date | None = None, ct_value=None, lab=None, reason: str = "", pool_member=None,
                disease=None) -> Test:
    """A sample taken (and possibly its result). Self-tests are declared by the person; staff record them.
    `disease`: a Disease or its code; None is the installation's default disease."""
    sample_code = (sample_code or "").strip()
    if not sample_code:
        raise Invalid("Cần mã mẫu.", "A sample code is required.", field="sample_code")
    if kind not in TestKind.values:
        raise Invalid("Loại xét nghiệm không hợp lệ.", "Unknown test kind.", field="kind")
    if result != Result.PENDING and reported_on is None:
        reported_on = taken_on if kind != TestKind.RT_PCR else None
        if reported_on is None:
            raise Invalid("Cần ngày trả kết quả.", "The result date is required.", field="reported_on")
    rules.check_dates(taken_on, reported_on, today=today())
    ct = rules.check_ct(kind, ct_value)
    if Test.objects.filter(sample_code=sample_code).exists():
        raise Invalid(f"Mã mẫu {sample_code} đã có.", f"Sample code {sample_code} already exists.", field="sample_code")
    from diseases.selectors import get_disease

    disease = get_disease(disease)  # an unknown code is a clear refusal (UnknownDisease is an Invalid)
    rules.check_kind(kind, disease, taken_on)
    test = Test.objects.create(
        disease=disease, person=person, kind=kind, sample_code=sample_code, taken_on=taken_on, reported_on=reported_on, result=result,
        ct_value=ct, lab=lab, reason=reason, pool_member=pool_member, created_by=by if getattr(by, "pk", None) else None,
    )
    record(actor=by, action="create", obj=test, person_id=person.pk,
           changes={"kind": (None, kind), "sample_code": (None, sample_code), "result": (None, result)})
    bump("testing")  # the tests list's cached total (core.dataversion)
    test_recorded.send(sender=Test, by=by, test=test)  # supplies takes stock; never refuses care (docs/supplies.md)
    return test


@transaction.atomic
def report_result(*, by, test: Test, result: str, reported_on: dt.date, ct_value=None, expected_version: int | None = None) -> Test:
    if result not in (Result.NEGATIVE, Result.POSITIVE, Result.INVALID):
        raise Invalid("Kết quả không hợp lệ.", "Unknown result.", field="result")
    rules.check_dates(test.taken_on, reported_on, today=today())
    ct = rules.check_ct(test.kind, ct_value)
    changes = {"result": result, "reported_on": reported_on, "ct_value": ct}
    old = {k: getattr(test, k) for k in changes}
    update_versioned(test, expected_version=test.version if expected_version is None else expected_version, changes=changes)
    record(actor=by, action="update", obj=test, person_id=test.person_id, changes={k: (old[k], v) for k, v in changes.items()})
    if test.pool_member_id:
        _member_result(test)
    return test


# --- Pooled RT-PCR ---------------------------------------------------------------------------------
@transaction.atomic
def create_pool(*, by, code: str, size: int, commune, taken_on: dt.date, lab=None) -> Pool:
    if size not in Pool.SIZES:
        raise Invalid("Chỉ gộp 5, 10 hoặc 20 mẫu.", "Pools hold 5, 10 or 20 samples.", field="size")
    rules.check_dates(taken_on, None, today=today())
    check_unit_on(commune, taken_on, what_vi="Mẫu gộp", what_en="A pooled sample")
    if Pool.objects.filter(code=code).exists():
        raise Invalid(f"Mã mẫu gộp {code} đã có.", f"Pool code {code} already exists.", field="code")
    pool = Pool.objects.create(code=code, size=size, commune=commune, taken_on=taken_on, lab=lab)
    record(actor=by, action="create", obj=pool, changes={"code": (None, code), "size": (None, size)})
    return pool


@transaction.atomic
def add_member(*, by, pool: Pool, person) -> PoolMember:
    # Lock the pool row so two samplers cannot both add the last place.
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    if pool.status != Pool.Status.COLLECTING:
        raise Invalid("Mẫu gộp đã đóng, không thêm người được.", "The pool is closed; no one can be added.")
    count = pool.members.count()
    if count >= pool.size:
        raise Invalid(
            f"Mẫu gộp {pool.code} đã đủ {pool.size} người.",
            f"Pool {pool.code} already holds its {pool.size} members.",
        )
    if pool.members.filter(person=person).exists():
        raise Invalid("Người này đã có trong mẫu gộp.", "This person is already in the pool.")
    member = PoolMember.objects.create(pool=pool, person=person, position=count + 1)
    record(actor=by, action="create", obj=pool, person_id=person.pk, note=f"pool member {count + 1}/{pool.size}")
    return member


def _transition(pool: Pool, new: str, **changes) -> None:
    rules.check_transition(pool.status, new)
    updated = Pool.objects.filter(pk=pool.pk, status=pool.status).update(status=new, **changes, **touched(Pool))
    if updated != 1:
        raise Invalid("Mẫu gộp vừa được người khác cập nhật.", "The pool was just changed by someone else.")
    pool.status = new
    for k, v in changes.items():
        setattr(pool, k, v)


@transaction.atomic
def send_pool(*, by, pool: Pool) -> Pool:
    if not pool.members.exists():
        raise Invalid("Mẫu gộp chưa có ai.", "The pool has no members.")
    _transition(pool, Pool.Status.SENT)
    record(actor=by, action="update", obj=pool, changes={"status": (Pool.Status.COLLECTING, Pool.Status.SENT)})
    return pool


@transaction.atomic
def report_pool_result(*, by, pool: Pool, result: str, reported_on: dt.date, ct_value=None) -> Pool:
    """Negative: every member is negative. Positive: every member must now get an individual test."""
    rules.check_dates(pool.taken_on, reported_on, today=today())
    ct = rules.check_ct(TestKind.RT_PCR, ct_value)
    old = pool.status
    if result == Result.NEGATIVE:
        _transition(pool, Pool.Status.NEGATIVE, reported_on=reported_on, ct_value=None)
    elif result == Result.POSITIVE:
        _transition(pool, Pool.Status.FOLLOW_UP, reported_on=reported_on, ct_value=ct)
        pool.members.update(follow_up=PoolMember.FollowUp.AWAITING)
    else:
        raise Invalid("Kết quả mẫu gộp phải là âm tính hoặc dương tính.", "A pool result is negative or positive.")
    members = list(pool.members.values_list("person_id", flat=True))
    record(actor=by, action="update", obj=pool, changes={"status": (old, pool.status)}, records={"people": members})
    return pool


@transaction.atomic
def record_member_test(*, by, member: PoolMember, sample_code: str, taken_on: dt.date, result: str = Result.PENDING,
                       reported_on: dt.date | None = None, ct_value=None, lab=None) -> Test:
    """The individual RT-PCR of a member of a positive pool."""
    member = PoolMember.objects.select_for_update().select_related("pool", "person").get(pk=member.pk)
    if member.follow_up == PoolMember.FollowUp.NONE:
        raise Invalid("Chỉ lấy mẫu đơn cho thành viên của mẫu gộp dương tính.", "Individual re-tests are for members of a positive pool.")
    if hasattr(member, "individual_test"):
        raise Invalid("Thành viên này đã có mẫu đơn.", "This member already has an individual sample.")
    if taken_on < member.pool.taken_on:
        raise Invalid("Mẫu đơn lấy trước mẫu gộp.", "The individual sample predates the pool.", field="taken_on")
    test = record_test(by=by, person=member.person, kind=TestKind.RT_PCR, sample_code=sample_code, taken_on=taken_on,
                       result=result, reported_on=reported_on, ct_value=ct_value, lab=lab or member.pool.lab,
                       reason=f"Mẫu gộp {member.pool.code} dương tính", pool_member=member)
    _member_result(test)
    return test


def _member_result(test: Test) -> None:
    member = PoolMember.objects.select_related("pool").get(pk=test.pool_member_id)
    mapping = {Result.NEGATIVE: PoolMember.FollowUp.NEGATIVE, Result.POSITIVE: PoolMember.FollowUp.POSITIVE}
    if test.result not in mapping:
        return
    PoolMember.objects.filter(pk=member.pk).update(follow_up=mapping[test.result])
    pool = member.pool
    if pool.status == Pool.Status.FOLLOW_UP and not pool.members.filter(follow_up=PoolMember.FollowUp.AWAITING).exists():
        _transition(pool, Pool.Status.RESOLVED)


# --- Sequencing ------------------------------------------------------------------------------------
def province_of(unit):
    from geo.models import AdministrativeUnit

    first = unit.path.strip("/").split("/")[0]
    return AdministrativeUnit.objects.get(path=f"/{first}/")


@transaction.atomic
def request_sequencing(*, by, test: Test, requested_on: dt.date, lab_name: str = "") -> Sequencing:
    if test.result != Result.POSITIVE:
        raise Invalid("Chỉ giải trình tự mẫu dương tính.", "Only positive samples are sequenced.")
    if requested_on < test.taken_on:
        raise Invalid("Ngày gửi trước ngày lấy mẫu.", "The request predates the sample.", field="requested_on")
    seq = Sequencing.objects.create(test=test, person=test.person, requested_on=requested_on, lab_name=lab_name)
    record(actor=by, action="create", obj=seq, person_id=test.person_id)
    return seq


@transaction.atomic
def report_lineage(*, by, sequencing: Sequencing, lineage: str, reported_on: dt.date) -> LineageAlert | None:
    """Record the lineage; if the province has never seen it, raise (and return) an alert."""
    lineage = lineage.strip().upper()
    if not lineage:
        raise Invalid("Cần tên biến thể.", "The lineage is required.", field="lineage")
    if reported_on < sequencing.requested_on:
        raise Invalid("Ngày có kết quả trước ngày gửi mẫu.", "The result predates the request.", field="reported_on")
    old = sequencing.lineage
    update_versioned(sequencing, expected_version=sequencing.version, changes={"lineage": lineage, "reported_on": reported_on})
    record(actor=by, action="update", obj=sequencing, person_id=sequencing.person_id, changes={"lineage": (old, lineage)})
    province = province_of(sequencing.person.commune)
    seen = (Sequencing.objects.filter(lineage=lineage, person__commune__path__startswith=province.path)
            .exclude(pk=sequencing.pk).exists())
    if seen or LineageAlert.objects.filter(province=province, lineage=lineage).exists():
        return None
    alert = LineageAlert.objects.create(province=province, lineage=lineage, sequencing=sequencing)
    record(actor=by, action="create", obj=alert, person_id=sequencing.person_id, note=f"new lineage {lineage} in {province}")
    return alert


@transaction.atomic
def acknowledge_lineage_alert(*, by, alert: LineageAlert) -> bool:
    """The lab acknowledges a lineage alert, once: False when someone already had (no second audit row)."""
    done = LineageAlert.objects.filter(pk=alert.pk, acknowledged_by__isnull=True).update(acknowledged_by=by)
    if done:
        record(actor=by, action="update", obj=alert, note="Đã xác nhận cảnh báo")
    return bool(done)
