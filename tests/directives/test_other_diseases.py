"""Directives of other diseases and of the two-level government (from 01/07/2025): measles and dengue directives
addressed to "UBND các xã, phường, đặc khu" fan out to every commune's People's Committee, monthly recurrences
("trước ngày 25 hằng tháng") are read and scheduled, and a general health directive works as the COVID-19 ones do.
The texts (tests/directives/fixtures/other/) are written for these tests, not taken from the seeds."""
import datetime as dt
from pathlib import Path

import pytest

from directives.catalog import standard_catalog
from directives.parser import find_deadlines, find_recurrence, parse

OTHER = Path(__file__).parent / "fixtures" / "other"
COMMUNES = ["Phường Kon Tum", "Xã Đăk Hà", "Đặc khu Lý Sơn"]
UBND = [f"Ủy ban nhân dân {c}" for c in COMMUNES]


def text(name):
    return (OTHER / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("phrase,expected", [
    ("báo cáo Ủy ban nhân dân tỉnh trước ngày 25 hằng tháng.", {"every": "month", "day": 25, "before": None}),
    ("báo cáo trước ngày 5 hàng tháng", {"every": "month", "day": 5, "before": None}),
    ("Báo cáo về Sở Y tế trước 16 giờ ngày 20 hằng tháng.", {"every": "month", "day": 20, "before": "16:00"}),
    ("báo cáo kết quả về Sở Y tế hằng tháng, trước ngày 25.", {"every": "month", "day": 25, "before": None}),
    ("gửi Sở Y tế chậm nhất vào ngày 10 hằng tháng.", {"every": "month", "day": 10, "before": None}),
    ("báo cáo trước 15 giờ thứ Sáu hằng tuần", {"every": "week", "day": "friday", "before": "15:00"}),
])
def test_it_reads_monthly_recurrences(phrase, expected):
    assert find_recurrence(phrase) == expected
    assert find_deadlines(phrase, 2025) == []  # a day of every month is not a one-off deadline


def test_a_measles_directive_of_the_two_level_government_fans_out_to_every_commune():
    d = parse(text("measles_2025.txt"), standard_catalog(commune_names=COMMUNES))
    assert (d["kind"], d["number"], d["date"]) == ("công văn", "1234/UBND-KGVX", "2025-09-15")
    assert d["subject"] == "tăng cường phòng, chống dịch bệnh Sởi"
    assert d["addressees"][-1] == "Ủy ban nhân dân các xã, phường, đặc khu"
    tasks = {t["ref"]: t for t in d["tasks"]}
    t1 = tasks["1"]
    assert t1["assignees"][0] == "Sở Y tế" and t1["lead"] == ["Sở Y tế"]
    assert set(UBND) <= set(t1["coordinating"])
    assert t1["deadline"] == "2025-10-31" and t1["recurrence"] == {"every": "month", "day": 25, "before": None}
    assert tasks["2"]["assignees"] == ["Sở Giáo dục và Đào tạo"] and tasks["2"]["deadline"] == "2025-10-15"
    # Item 3 names the communes in its heading; its bullets are the communes' tasks.
    assert tasks["3.1"]["assignees"] == UBND and tasks["3.1"]["deadline"] == "2025-09-25"  # 10 days from signing
    assert tasks["3.2"]["assignees"] == UBND and tasks["3.2"]["recurrence"] == {"every": "month", "day": 20, "before": "16:00"}
    assert d["new_agencies"] == [] and not [w for w in d["warnings"] if "no agency" in w]
    assert d["signer"] == "Nguyễn Văn Phước"


def test_a_dengue_directive_reads_its_monthly_and_weekly_reports():
    d = parse(text("dengue_2025.txt"), standard_catalog(commune_names=COMMUNES))
    t1, t2 = d["tasks"]
    assert t1["assignees"] == UBND and t1["recurrence"] == {"every": "month", "day": 25, "before": None}
    assert t2["assignees"] == ["Sở Y tế"] and t2["recurrence"] == {"every": "week", "day": "friday", "before": "15:00"}


def test_without_the_2025_communes_the_addressee_is_kept_as_written():
    d = parse(text("dengue_2025.txt"), standard_catalog())
    assert d["tasks"][0]["assignees"] == ["UBND các xã, phường, đặc khu"]
    assert d["new_agencies"] == ["UBND các xã, phường, đặc khu"]


def test_a_general_health_directive_of_the_department_reads_like_the_covid_ones():
    d = parse(text("health_general.txt"), standard_catalog(district_names=["Thành phố Kon Tum", "Huyện Đăk Hà"]))
    assert d["issuer"] == "Sở Y tế Tỉnh Kon Tum" or d["issuer"].startswith("Sở Y tế")
    t1, t2 = d["tasks"]
    assert t1["recurrence"] == {"every": "month", "day": 10, "before": None}
    assert t2["assignees"] == ["Ủy ban nhân dân Thành phố Kon Tum", "Ủy ban nhân dân Huyện Đăk Hà"]
    assert t2["deadline"] == "2024-03-31"


@pytest.fixture
def communes_2025(kontum):
    """The communes of the 2025 province that took over Kon Tum (loaded with the units)."""
    from directives.catalog import province_communes_2025

    communes = province_communes_2025()
    assert communes and all(c.structure == "2025" for c in communes)
    return communes


def test_confirming_creates_one_assignment_per_commune_and_monthly_occurrences(personas, communes_2025):
    from directives import services
    from directives.models import Assignment, Occurrence

    d = services.register_directive(by=personas["health_dept"], text=text("dengue_2025.txt"))
    tasks = [{**t, "deadline": None} for t in d.parsed["tasks"]]
    services.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    monthly = Assignment.objects.filter(task__ref="1")
    assert sorted(a.agency.name for a in monthly) == sorted(f"Ủy ban nhân dân {c.name}" for c in communes_2025)
    assert {a.agency.unit_id for a in monthly} == {c.pk for c in communes_2025}  # each committee is tied to its commune
    assert monthly[0].task.recurrence_label == "Hằng tháng, ngày 25 trước 24:00"
    Occurrence.objects.all().delete()
    for day in (dt.date(2025, 10, 24), dt.date(2025, 10, 25), dt.date(2025, 11, 3)):
        services.create_occurrences(day)
    assert Occurrence.objects.filter(assignment__in=monthly).count() == len(communes_2025)
    assert set(Occurrence.objects.filter(assignment__in=monthly).values_list("day", flat=True)) == {dt.date(2025, 10, 25)}
    # The weekly task falls on Fridays only (24/10/2025 was a Friday).
    weekly = Occurrence.objects.filter(assignment__task__ref="2")
    assert set(weekly.values_list("day", flat=True)) == {dt.date(2025, 10, 24)}


def test_a_monthly_day_beyond_the_months_end_falls_on_its_last_day():
    from directives.services import _due_on

    rec = {"every": "month", "day": 31}
    assert _due_on(dt.date(2025, 2, 28), rec) and not _due_on(dt.date(2025, 2, 27), rec)
    assert _due_on(dt.date(2025, 3, 31), rec)
