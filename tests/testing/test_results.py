"""Tests and results: kinds, CT values, and results dated before their sample refused with nothing saved."""
import datetime as dt

import pytest

from core.errors import Invalid
from testing import services
from testing.models import LineageAlert, Result, Test, TestKind

D = dt.date(2022, 2, 10)


def test_it_refuses_a_result_reported_before_the_sample_was_taken(personas, commune_a, person_factory):
    person = person_factory(commune_a)
    with pytest.raises(Invalid) as exc:
        services.record_test(by=personas["commune_a"], person=person, kind=TestKind.RT_PCR, sample_code="A1",
                             taken_on=D, result=Result.POSITIVE, reported_on=D - dt.timedelta(days=1), ct_value=20)
    assert "trước ngày lấy mẫu" in exc.value.vi and "before the sample" in exc.value.en
    assert not Test.objects.exists()
    test = services.record_test(by=personas["commune_a"], person=person, kind=TestKind.RT_PCR, sample_code="A1", taken_on=D)
    with pytest.raises(Invalid):
        services.report_result(by=personas["lab"], test=test, result=Result.POSITIVE, reported_on=D - dt.timedelta(days=2))
    test.refresh_from_db()
    assert test.result == Result.PENDING and test.version == 1


def test_it_keeps_ct_values_for_rt_pcr_only(personas, commune_a, person_factory):
    person = person_factory(commune_a)
    with pytest.raises(Invalid):
        services.record_test(by=personas["commune_a"], person=person, kind=TestKind.RAPID_ANTIGEN, sample_code="R1",
                             taken_on=D, result=Result.POSITIVE, ct_value=25)
    rapid = services.record_test(by=personas["commune_a"], person=person, kind=TestKind.RAPID_ANTIGEN, sample_code="R1",
                                 taken_on=D, result=Result.POSITIVE)
    assert rapid.reported_on == D  # a rapid test is read on the spot
    self_test = services.record_test(by=personas["commune_a"], person=person, kind=TestKind.SELF_TEST, sample_code="T1",
                                     taken_on=D, result=Result.NEGATIVE)
    assert self_test.get_kind_display().startswith("Tự xét nghiệm")
    pcr = services.record_test(by=personas["lab"], person=person, kind=TestKind.RT_PCR, sample_code="P1", taken_on=D,
                               result=Result.POSITIVE, reported_on=D, ct_value="18.4")
    assert str(pcr.ct_value) == "18.4"
    with pytest.raises(Invalid):
        services.record_test(by=personas["lab"], person=person, kind=TestKind.RT_PCR, sample_code="P2", taken_on=D,
                             result=Result.POSITIVE, reported_on=D, ct_value=60)


def test_it_raises_an_alert_for_a_lineage_new_in_the_province(personas, commune_a, commune_b, person_factory):
    def positive(code, commune):
        t = services.record_test(by=personas["lab"], person=person_factory(commune, full_name=code), kind=TestKind.RT_PCR,
                                 sample_code=code, taken_on=D, result=Result.POSITIVE, reported_on=D, ct_value=20)
        return services.request_sequencing(by=personas["lab"], test=t, requested_on=D)

    first = services.report_lineage(by=personas["lab"], sequencing=positive("S1", commune_a), lineage="ba.2", reported_on=D)
    assert first is not None and first.lineage == "BA.2" and first.province.path == "/62/"
    assert services.report_lineage(by=personas["lab"], sequencing=positive("S2", commune_b), lineage="BA.2", reported_on=D) is None
    assert services.report_lineage(by=personas["lab"], sequencing=positive("S3", commune_b), lineage="AY.57", reported_on=D)
    from core.scoping import scope

    assert scope(LineageAlert.objects.all(), personas["commune_b"]).count() == 2  # province-wide alerts
    assert scope(LineageAlert.objects.all(), personas["agency"]).count() == 0
    # The lab acknowledges it once, through the service, with one audit row.
    from audit.models import AuditEvent

    assert services.acknowledge_lineage_alert(by=personas["lab"], alert=first)
    assert not services.acknowledge_lineage_alert(by=personas["lab"], alert=first)
    first.refresh_from_db()
    assert first.acknowledged_by == personas["lab"]
    assert AuditEvent.objects.filter(target_type="testing.lineagealert", target_id=str(first.pk), action="update").count() == 1
