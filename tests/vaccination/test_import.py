"""Bulk import of national-platform exports: matching, every row validated, report in vi+en, idempotence."""
import datetime as dt
import io

import pytest

from core.imports import FileRejected
from vaccination.bulk import DoseImporter
from vaccination.models import Injection, PersonVaccination

D = dt.date
TODAY = D(2022, 2, 14)
HEADER = "STT,Số CCCD/CMND,Họ và tên,Ngày sinh,Mã xã,Tên vắc xin,Loại mũi,Mũi số,Ngày tiêm,Số lô,Cơ sở tiêm\n"


@pytest.fixture
def people(commune_a, commune_b, person_factory):
    return {
        "an": person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=D(1980, 3, 4), id_number="062080000001"),
        "binh": person_factory(commune_a, full_name="Trần Thị Bình", date_of_birth=D(1975, 6, 1)),
        "cuong": person_factory(commune_b, full_name="Lê Văn Cường", birth_year=1950),
    }


def run(text, mode="all", by=None, name="doses.csv"):
    from geo.importers import Operator

    return DoseImporter(by=by or Operator(), mode=mode, today=TODAY).run(text.encode("utf-8"), name)


def good_file(commune_a, commune_b):
    return HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,FA1234,TYT Quang Trung\n"
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,22/09/2021,FA1235,TYT Quang Trung\n"
        f"3,,TRẦN THỊ BÌNH,1/6/1975,{commune_a.code},AstraZeneca,,1,2021-08-01,AB1,\n"
        f"4,,Le Van Cuong,1950,{commune_b.code},Vero Cell,Cơ bản,1,01/10/2021,,\n"
    )


@pytest.mark.parametrize("probe_registry", [False, True], ids=["one-scan", "index-probes"])
def test_it_imports_matching_people_by_id_or_by_name_birth_and_commune(people, commune_a, commune_b, probe_registry, monkeypatch):
    monkeypatch.setattr(DoseImporter, "probe_registry", probe_registry)
    # an unknown ID is still matched by name + date of birth + commune
    result = run(good_file(commune_a, commune_b).replace(f"3,,TRẦN THỊ BÌNH,1/6/1975,{commune_a.code}",
                                                         f"3,062175000999,TRẦN THỊ BÌNH,1/6/1975,{commune_a.code}"))
    assert result.errors == [] and result.saved and result.imported == 4
    an = Injection.objects.filter(person=people["an"]).order_by("dose_number")
    assert [i.given_on for i in an] == [D(2021, 9, 1), D(2021, 9, 22)] and an[1].completes_primary
    assert an[0].lot == "FA1234" and an[0].source == "import"
    assert Injection.objects.get(person=people["binh"]).product.code == "astrazeneca"
    assert Injection.objects.get(person=people["cuong"]).product.code == "sinopharm"
    assert PersonVaccination.objects.get(person_id=people["an"].pk).primary_done_on == D(2021, 9, 22)


def test_it_adds_nothing_when_the_same_file_is_imported_twice(people, commune_a, commune_b):
    run(good_file(commune_a, commune_b))
    again = run(good_file(commune_a, commune_b))
    assert again.imported == 0 and again.skipped_duplicates == 4 and again.errors == []
    assert Injection.objects.count() == 4


def test_it_reports_every_bad_row_and_saves_nothing(people, commune_a, commune_b):
    bad = HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,,\n"
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,10/09/2021,,\n"  # too early (9 days)
        "3,999999999999,Không Có Ai,01/01/1990,,Pfizer,Cơ bản,1,01/09/2021,,\n"  # unmatched
        f"4,,Trần Thị Bình,01/06/1975,{commune_a.code},Sputnik X,,1,01/08/2021,,\n"  # unknown product
        f"5,,Trần Thị Bình,01/06/1975,{commune_a.code},Moderna,,1,31/02/2021,,\n"  # no such date
        f"6,,Lê Văn Cường,1950,{commune_b.code},Vero Cell,,1,01/03/2022,,\n"  # future
        f"7,,Lê Văn Cường,1950,{commune_b.code},Covaxin,,1,01/11/2021,,\n"  # before approval (10/11/2021)
        f"8,,Lê Văn Cường,1950,{commune_b.code},Vero Cell,,3,01/12/2021,,\n"  # out of order / too many
        "9,12AB,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,,\n"  # malformed ID
    )
    result = run(bad)
    assert not result.saved and Injection.objects.count() == 0
    by_line = {}
    for e in result.errors:
        by_line.setdefault(e["line"], set()).add(e["code"])
    assert by_line[3] == {"too_early"}
    assert "unmatched" in by_line[4]
    assert by_line[5] == {"product"}
    assert by_line[6] == {"given_date"}
    assert by_line[7] == {"future"}
    assert by_line[8] == {"before_approval"}
    assert by_line[9] == {"too_many"}
    assert "bad_id" in by_line[10]
    assert 2 not in by_line
    e = next(e for e in result.errors if e["line"] == 3)
    assert e["column"] == "Ngày tiêm" and e["message_vi"].startswith("Quá sớm") and e["message_en"].startswith("Too early")
    # valid_only keeps the good row
    partial = run(bad, mode="valid_only")
    assert partial.saved and partial.imported == 1 and Injection.objects.count() == 1


def test_a_dose_in_a_gap_of_every_schedule_is_the_rule_bases_refusal_naming_disease_kind_and_date(people, commune_a,
                                                                                                  person_factory):
    """No schedule version of COVID-19 covers 10/01/2022 (every version closed on 31/12/2021): the row is refused as
    every other rule kind's gap is (diseases.rules.NoRuleInForce); a date covered by some schedule but none of the
    product and age keeps the age message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vaccination.models import Schedule

    person_factory(commune_a, full_name="Phạm Minh Châu", date_of_birth=D(2010, 5, 1))
    Schedule.objects.update(valid_to=D(2021, 12, 31))
    rows = HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,10/01/2022,,\n"  # in the gap
        f"2,,Phạm Minh Châu,01/05/2010,{commune_a.code},Moderna,,1,01/12/2021,,\n"  # covered, not at 11 years old
    )
    result = run(rows)
    assert not result.saved and Injection.objects.count() == 0
    gap, age = sorted(result.errors, key=lambda e: e["line"])
    assert (gap["line"], gap["code"], gap["column"]) == (2, "no_schedule_rule", "Ngày tiêm")
    assert gap["message_vi"].startswith("Không có quy định lịch tiêm chủng cho COVID-19 vào ngày 10/01/2022")
    assert gap["message_en"].startswith("No vaccination schedule rule for COVID-19 on 10/01/2022")
    assert (age["line"], age["code"]) == (3, "schedule")
    assert age["message_en"] == "No schedule of this product for the person's age on that date."

    # Set-based: forty rows in the gap cost the queries of one.
    def queries(n):
        text = HEADER + "".join(f"{i},062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,{10 + i % 9}/01/2022,,\n"
                                for i in range(n))
        with CaptureQueriesContext(connection) as ctx:
            assert {e["code"] for e in run(text).errors} >= {"no_schedule_rule"}
        return len(ctx.captured_queries)

    assert queries(40) == queries(1)


def test_it_rejects_forbidden_mixes_conflicts_and_duplicates_in_the_file(people, commune_a):
    first = HEADER + "1,062080000001,Nguyễn Văn An,04/03/1980,,Vero Cell,Cơ bản,1,01/08/2021,,\n"
    assert run(first).imported == 1
    result = run(HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,01/09/2021,,\n"  # Sinopharm → Pfizer
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Vero Cell,Cơ bản,1,02/08/2021,,\n"  # conflicts with the recorded dose 1
        f"3,,Trần Thị Bình,01/06/1975,{commune_a.code},AstraZeneca,,1,01/08/2021,,\n"
        f"4,,Trần Thị Bình,01/06/1975,{commune_a.code},AstraZeneca,,1,01/08/2021,,\n"
    ))
    codes = {(e["line"], e["code"]) for e in result.errors}
    assert codes == {(2, "forbidden_mix"), (3, "conflict"), (5, "duplicate_in_file")}


def test_it_checks_boosters_against_the_policy_in_force(people):
    rows = HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,15/06/2021,,\n"
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,06/07/2021,,\n"
        "3,062080000001,Nguyễn Văn An,04/03/1980,,Moderna,Nhắc lại,1,01/01/2022,,\n"  # 179 days < 180
    )
    result = run(rows)
    assert [(e["line"], e["code"]) for e in result.errors] == [(4, "too_early")]
    ok = rows.replace("01/01/2022", "02/01/2022")
    assert run(ok).imported == 3


def test_it_refuses_people_outside_the_importers_jurisdiction(people, personas, commune_a, commune_b):
    result = run(good_file(commune_a, commune_b), by=personas["commune_a"], mode="valid_only")
    assert {(e["line"], e["code"]) for e in result.errors} == {(5, "out_of_scope")}
    assert result.imported == 3


def test_it_reads_xlsx_and_rejects_unreadable_files(people):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Số CCCD/CMND", "Họ và tên", "Ngày sinh", "Tên vắc xin", "Mũi số", "Ngày tiêm"])
    ws.append(["062080000001", "Nguyễn Văn An", dt.datetime(1980, 3, 4), "Moderna", 1, dt.datetime(2021, 9, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    from geo.importers import Operator

    result = DoseImporter(by=Operator(), today=TODAY).run(buf.getvalue(), "doses.xlsx")
    assert result.imported == 1 and result.errors == []
    with pytest.raises(FileRejected):
        DoseImporter(by=Operator(), today=TODAY).run(b"Ho ten,Ngay\nA,B\n", "x.csv")
    with pytest.raises(FileRejected):
        DoseImporter(by=Operator(), today=TODAY).run("Họ và tên;Ngày sinh\n".encode("utf-16-le")[:-1] + b"\xff\xfe\x00", "x.csv")


def test_it_imports_from_the_command_line_with_a_progress_bar_and_an_error_report(people, commune_a, commune_b, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "doses.csv"
    path.write_text(good_file(commune_a, commune_b), encoding="utf-8")
    out = io.StringIO()
    call_command("import_doses", str(path), stdout=out)
    text = out.getvalue()
    assert "100%" in text and "4 nhập/imported" in text and Injection.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1,,Không Ai,01/01/1990,,Pfizer,,1,01/09/2021,,\n", encoding="utf-8")
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        call_command("import_doses", str(bad), "--errors", str(report), stdout=io.StringIO())
    assert "Person not found" in report.read_text(encoding="utf-8-sig")


def test_it_keeps_the_summary_and_the_indexes_right_after_a_large_import(people, commune_a, commune_b):
    """A large import rebuilds the indexes (same definitions, unique ones included) and sums up from the rows it
    holds: the figures are the ones a full recomputation gives, for people with earlier doses and people whose new
    rows were refused."""
    from django.db import connection

    from geo.importers import Operator
    from vaccination.services import refresh_summary

    assert run(HEADER + "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,,\n").imported == 1

    def indexes():
        with connection.cursor() as cur:
            return {table: sorted((name, tuple(i["columns"]), i["unique"], i["primary_key"]) for name, i in
                                  connection.introspection.get_constraints(cur, table).items()
                                  if i["index"] or i["unique"] or i["primary_key"])
                    for table in ("vaccination_injection", "vaccination_personvaccination")}

    before = indexes()
    importer = DoseImporter(by=Operator(), mode="valid_only", today=TODAY)
    importer.rebuild_indexes_from = 0
    text = HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,22/09/2021,,\n"
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Nhắc lại,1,01/03/2022,,\n"  # in the future: refused
        f"3,,Trần Thị Bình,01/06/1975,{commune_a.code},AstraZeneca,,1,01/08/2021,,\n"
        f"4,,Le Van Cuong,1950,{commune_b.code},Pfizer-X,Cơ bản,1,01/10/2021,,\n"  # unknown product: refused
    )
    result = importer.run(text.encode("utf-8"), "doses.csv")
    assert result.imported == 2 and {e["line"] for e in result.errors} == {3, 5}
    # every index is back, the unique dose slot and the primary keys included
    assert indexes() == before
    assert ("vaccination_unique_dose", ("person_id", "dose_kind", "dose_number"), True, False) in before["vaccination_injection"]
    assert any(primary for *_, primary in before["vaccination_personvaccination"])
    fields = ["person_id", "commune_id", "birth_date", "first_on", "primary_done_on", "additional_on", "booster1_on",
              "last_on", "dose_count"]
    summary = sorted(PersonVaccination.objects.values_list(*fields))
    assert [(s[0], s[4], s[8]) for s in summary if s[0] == people["an"].pk] == [(people["an"].pk, D(2021, 9, 22), 2)]
    assert not PersonVaccination.objects.filter(person_id=people["cuong"].pk).exists()
    refresh_summary([p.pk for p in people.values()])
    assert sorted(PersonVaccination.objects.values_list(*fields)) == summary


def test_it_keeps_line_numbers_across_blank_lines_and_reads_semicolons_and_windows_1258(people, commune_a):
    text = ("Số CCCD/CMND;Họ và tên;Ngày sinh;Mã xã;Tên vắc xin;Mũi số;Ngày tiêm;Số lô\n"
            "062080000001;Nguyễn Văn An;04/03/1980;;Moderna;1;2021-09-01;\n"
            "\n"
            f";Trần Thị Bình;1/6/1975;{commune_a.code};AstraZeneca;1;2021;\n"  # the year alone is not a date given
            f";Trần Thị Bình;1/6/1975;{commune_a.code};AstraZeneca;1;01.08.2021;{'L' * 41}\n")  # lot too long
    from geo.importers import Operator
    from tests.people.helpers import to_cp1258

    result = DoseImporter(by=Operator(), mode="valid_only", today=TODAY).run(to_cp1258(text), "doses.csv")
    assert {(e["line"], e["code"]) for e in result.errors} == {(4, "given_date"), (5, "lot")}
    e = next(e for e in result.errors if e["code"] == "lot")
    assert e["column"] == "Số lô" and "40" in e["message_vi"] and "40" in e["message_en"]
    assert result.imported == 1 and Injection.objects.get().given_on == D(2021, 9, 1)


def test_an_id_number_is_checked_by_the_registrys_rules_even_when_the_name_matches(people, commune_a):
    # Issue #11: an 11-digit CCCD was accepted because the name + date of birth + commune matched.
    body = HEADER + (f"1,06208000000,Trần Thị Bình,01/06/1975,{commune_a.code},Pfizer,Cơ bản,1,01/09/2021,,\n"
                     f"2,999175000001,Trần Thị Bình,01/06/1975,{commune_a.code},Pfizer,Cơ bản,1,01/09/2021,,\n"
                     f"3,,Trần Thị Bình 2,01/06/1975,{commune_a.code},Pfizer,Cơ bản,1,01/09/2021,,\n")
    result = run(body, mode="valid_only")
    assert result.imported == 0 and Injection.objects.count() == 0
    codes = {(e["line"], e["code"]) for e in result.errors}
    assert {(2, "bad_id"), (3, "bad_id"), (4, "bad_name")} <= codes
    e = next(e for e in result.errors if e["line"] == 2)
    assert e["column"] == "Số CCCD/CMND" and "CCCD" in e["message_vi"] and "CCCD" in e["message_en"]
