"""Pooled RT-PCR: sizes, never more members than the size, and the state machine to individual results."""
import datetime as dt

import pytest

from core.errors import Invalid
from testing import services
from testing.models import Pool, PoolMember, Result

D = dt.date(2022, 2, 10)


@pytest.fixture
def pool5(personas, commune_a):
    return services.create_pool(by=personas["lab"], code="G-001", size=5, commune=commune_a, taken_on=D)


def fill(pool, by, commune, n):
    from tests.conftest import make_person

    return [services.add_member(by=by, pool=pool, person=make_person(commune, full_name=f"Người {i}", birth_year=1990 + i))
            for i in range(n)]


def test_it_accepts_only_pools_of_5_10_or_20(personas, commune_a):
    with pytest.raises(Invalid):
        services.create_pool(by=personas["lab"], code="G-x", size=7, commune=commune_a, taken_on=D)
    assert services.create_pool(by=personas["lab"], code="G-20", size=20, commune=commune_a, taken_on=D).size == 20


def test_it_refuses_a_member_over_the_pool_size(pool5, personas, commune_a, person_factory):
    fill(pool5, personas["lab"], commune_a, 5)
    with pytest.raises(Invalid) as exc:
        services.add_member(by=personas["lab"], pool=pool5, person=person_factory(commune_a, full_name="Thứ Sáu"))
    assert "đã đủ 5" in exc.value.vi
    assert pool5.members.count() == 5


def test_it_marks_every_member_negative_with_a_negative_pool(pool5, personas, commune_a):
    fill(pool5, personas["lab"], commune_a, 3)
    services.send_pool(by=personas["lab"], pool=pool5)
    services.report_pool_result(by=personas["lab"], pool=pool5, result=Result.NEGATIVE, reported_on=D)
    pool5.refresh_from_db()
    assert pool5.status == Pool.Status.NEGATIVE
    assert not pool5.members.filter(follow_up=PoolMember.FollowUp.AWAITING).exists()


def test_it_follows_every_member_of_a_positive_pool_until_each_has_a_result(pool5, personas, commune_a):
    members = fill(pool5, personas["lab"], commune_a, 3)
    with pytest.raises(Invalid):  # a result before the pool was sent is out of order
        services.report_pool_result(by=personas["lab"], pool=pool5, result=Result.POSITIVE, reported_on=D)
    services.send_pool(by=personas["lab"], pool=pool5)
    with pytest.raises(Invalid):
        services.add_member(by=personas["lab"], pool=pool5, person=members[0].person)
    services.report_pool_result(by=personas["lab"], pool=pool5, result=Result.POSITIVE, reported_on=D, ct_value="28,5".replace(",", "."))
    assert pool5.status == Pool.Status.FOLLOW_UP
    assert pool5.members.filter(follow_up=PoolMember.FollowUp.AWAITING).count() == 3
    day = D + dt.timedelta(days=1)
    services.record_member_test(by=personas["lab"], member=members[0], sample_code="S-1", taken_on=day,
                                result=Result.POSITIVE, reported_on=day, ct_value=22)
    services.record_member_test(by=personas["lab"], member=members[1], sample_code="S-2", taken_on=day,
                                result=Result.NEGATIVE, reported_on=day)
    pool5.refresh_from_db()
    assert pool5.status == Pool.Status.FOLLOW_UP  # one member still awaiting
    pending = services.record_member_test(by=personas["lab"], member=members[2], sample_code="S-3", taken_on=day)
    pool5.refresh_from_db()
    assert pool5.status == Pool.Status.FOLLOW_UP
    services.report_result(by=personas["lab"], test=pending, result=Result.NEGATIVE, reported_on=day)
    pool5.refresh_from_db()
    assert pool5.status == Pool.Status.RESOLVED
    assert [m.follow_up for m in pool5.members.all()] == ["positive", "negative", "negative"]
    with pytest.raises(Invalid):
        services.report_pool_result(by=personas["lab"], pool=pool5, result=Result.NEGATIVE, reported_on=day)
