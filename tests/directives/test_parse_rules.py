"""Each deadline form, collective fan-out, unknown agencies, damaged text, and a directive the seeds never showed."""
import datetime as dt

import pytest

from directives.catalog import standard_catalog
from directives.parser import find_deadlines, find_recurrence, parse

DISTRICTS = ["Thành phố Kon Tum", "Huyện Đắk Glei", "Huyện Đăk Hà"]


@pytest.mark.parametrize("text,expected", [
    ("Hoàn thành trước ngày 15 tháng 02 năm 2022.", dt.date(2022, 2, 15)),
    ("báo cáo UBND tỉnh trước ngày 08/01/2022.", dt.date(2022, 1, 8)),
    ("Chậm nhất ngày 31/12/2021 phải hoàn thành", dt.date(2021, 12, 31)),
    ("hoàn thành tiêm mũi 2 trong tháng 01/2022", dt.date(2022, 1, 31)),
    ("hoàn thành trong tháng 02/2024", dt.date(2024, 2, 29)),
    ("mũi thứ 3 cho người từ 18 tuổi trở lên trong Quý I/2022.", dt.date(2022, 3, 31)),
    ("trong quý IV năm 2022", dt.date(2022, 12, 31)),
    ("xong trước 20/3/2022", dt.date(2022, 3, 20)),
])
def test_it_reads_every_deadline_form(text, expected):
    assert [d["date"] for d in find_deadlines(text)] == [expected]


def test_it_does_not_take_a_reference_date_or_an_age_for_a_deadline():
    assert find_deadlines("theo Văn bản số 2916/UBND-KGVX ngày 07 tháng 8 năm 2020") == []
    assert find_deadlines("tiêm cho người từ 12-17 tuổi") == []


@pytest.mark.parametrize("text,expected", [
    ("báo cáo trước 14h00 hàng ngày", {"every": "day", "before": "14:00"}),
    ("báo cáo trước 16 giờ 30 hằng ngày", {"every": "day", "before": "16:30"}),
    ("hằng ngày trước 9h gửi Sở Y tế", {"every": "day", "before": "09:00"}),
    ("báo cáo trước 15h00 thứ Sáu hằng tuần", {"every": "week", "before": "15:00", "day": "friday"}),
])
def test_it_reads_recurring_reports(text, expected):
    assert find_recurrence(text) == expected


def test_it_fans_collective_addressees_out_to_each_district():
    cat = standard_catalog(DISTRICTS)
    text = "Kính gửi: Ủy ban nhân dân các huyện, thành phố.\n\n1. Ủy ban nhân dân các huyện, thành phố rà soát người từ vùng dịch về.\n"
    task = parse(text, cat)["tasks"][0]
    assert task["assignees"] == [f"Ủy ban nhân dân {d}" for d in DISTRICTS]


def test_it_offers_an_unknown_agency_as_new_instead_of_dropping_it():
    cat = standard_catalog(DISTRICTS)
    text = "1. Trung tâm Kiểm soát bệnh tật tỉnh tổ chức giám sát trọng điểm; báo cáo trước ngày 20/02/2022.\n"
    got = parse(text, cat)
    assert got["tasks"][0]["assignees"] == ["Trung tâm Kiểm soát bệnh tật tỉnh"]
    assert got["new_agencies"] == ["Trung tâm Kiểm soát bệnh tật tỉnh"]
    assert any("Trung tâm Kiểm soát bệnh tật tỉnh" in w for w in got["warnings"])


def test_it_reads_a_directive_the_seeds_never_showed():
    cat = standard_catalog(DISTRICTS)
    text = """ỦY BAN NHÂN DÂN
TỈNH KON TUM
Số: 512/UBND-KGVX
V/v triển khai tiêm vắc xin cho trẻ em
Kon Tum, ngày 03 tháng 3 năm 2022
Kính gửi:
- Sở Y tế;
- Sở Giáo dục và Đào tạo;
- UBND các huyện, thành phố.
Thực hiện Công văn số 1234/BYT-DP ngày 01/3/2022 của Bộ Y tế, Ủy ban nhân dân tỉnh yêu cầu:
1. Sở Y tế chủ trì, phối hợp với Sở Giáo dục và Đào tạo xây dựng kế hoạch tiêm vắc xin cho trẻ từ 5 đến dưới 12 tuổi, trình UBND tỉnh trước ngày 10/3/2022.
2. Sở Giáo dục và Đào tạo:
- Lập danh sách học sinh theo từng trường; hoàn thành trong tháng 3/2022.
- Báo cáo số học sinh đã tiêm trước 16h00 hằng ngày về Sở Y tế.
3. UBND huyện Đăk Hà, UBND thành phố Kon Tum bố trí điểm tiêm tại trường học trong Quý II/2022./.
Nơi nhận:
- Như trên;
- Lưu: VT, KGVX.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Y Ngọc
"""
    got = parse(text, cat)
    assert (got["kind"], got["number"], got["date"]) == ("công văn", "512/UBND-KGVX", "2022-03-03")
    assert got["subject"] == "triển khai tiêm vắc xin cho trẻ em"
    assert got["issuer"] == "Ủy ban nhân dân tỉnh Kon Tum"
    assert (got["signer"], got["signer_capacity"]) == ("Y Ngọc", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    assert got["addressees"] == ["Sở Y tế", "Sở Giáo dục và Đào tạo", "UBND các huyện, thành phố"]
    assert got["references"] == [{"kind": "công văn", "number": "1234/BYT-DP", "date": "2022-03-01"}]
    t = {x["ref"]: x for x in got["tasks"]}
    assert list(t) == ["1", "2.1", "2.2", "3"]
    # "chủ trì, phối hợp với": both are assigned, the first leads.
    assert t["1"]["assignees"] == ["Sở Y tế", "Sở Giáo dục và Đào tạo"]
    assert (t["1"]["lead"], t["1"]["coordinating"]) == (["Sở Y tế"], ["Sở Giáo dục và Đào tạo"])
    assert t["1"]["deadline"] == "2022-03-10"
    assert t["2.1"]["assignees"] == ["Sở Giáo dục và Đào tạo"] and t["2.1"]["deadline"] == "2022-03-31"
    assert t["2.2"]["recurrence"] == {"every": "day", "before": "16:00"}
    assert t["3"]["assignees"] == ["Ủy ban nhân dân Huyện Đăk Hà", "Ủy ban nhân dân Thành phố Kon Tum"]
    assert t["3"]["deadline"] == "2022-06-30"


def test_it_flags_what_it_could_not_read():
    cat = standard_catalog(DISTRICTS)
    text = "1. Sở Y tế tăng cường giám sát.\n\n3. Sở Tài chính bố trí kinh ph\ufffd\ufffd.\n\n4. Tăng cường kiểm tra.\n"
    got = parse(text, cat)
    assert [t["ref"] for t in got["tasks"]] == ["1", "3", "4"]
    warnings = " ".join(got["warnings"])
    assert "Item 2 is missing" in warnings
    assert "Unreadable characters" in warnings
    assert "Task 4: no agency found" in warnings


def test_it_reads_a_plan_with_parts_lettered_sub_items_and_relative_deadlines():
    cat = standard_catalog(DISTRICTS)
    text = """ỦY BAN NHÂN DÂN
TỈNH KON TUM
Số: 77/KH-UBND
Kon Tum, ngày 10 tháng 01 năm 2022
KẾ HOẠCH
Về việc tiêm vắc xin phòng COVID-19 liều nhắc lại
I. MỤC ĐÍCH, YÊU CẦU
1. Bảo đảm tiêm an toàn, đúng đối tượng.
II. TỔ CHỨC THỰC HIỆN
1. Sở Y tế:
a) Xây dựng kế hoạch chi tiết, trình UBND tỉnh trong vòng 05 ngày làm việc kể từ ngày ký.
b) Tổng hợp, báo cáo kết quả trước 16 giờ thứ Sáu hằng tuần.
2. Sở Tài chính bố trí kinh phí trong thời hạn 10 ngày.
Nơi nhận:
- Như trên;
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Y Ngọc
"""
    got = parse(text, cat)
    assert (got["kind"], got["number"], got["date"]) == ("kế hoạch", "77/KH-UBND", "2022-01-10")
    assert got["subject"] == "tiêm vắc xin phòng COVID-19 liều nhắc lại"
    t = {x["ref"]: x for x in got["tasks"]}
    assert list(t) == ["I.1", "II.1.1", "II.1.2", "II.2"]
    assert t["II.1.1"]["assignees"] == ["Sở Y tế"] and t["II.1.1"]["deadline"] == "2022-01-17"  # 5 working days
    assert t["II.1.2"]["recurrence"] == {"every": "week", "day": "friday", "before": "16:00"}
    assert t["II.2"]["assignees"] == ["Sở Tài chính"] and t["II.2"]["deadline"] == "2022-01-20"
    assert not any("missing" in w for w in got["warnings"])


def test_it_reads_a_telegram_and_ends_a_new_agencys_name_at_its_verb():
    cat = standard_catalog(DISTRICTS)
    text = """ỦY BAN NHÂN DÂN
TỈNH KON TUM
Số: 05/CĐ-UBND
Kon Tum, ngày 20 tháng 01 năm 2022
CÔNG ĐIỆN
Về việc tăng cường phòng, chống dịch COVID-19 dịp Tết Nguyên đán
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:
- Giám đốc các Sở, ban, ngành thuộc tỉnh;
- Chủ tịch Ủy ban nhân dân các huyện, thành phố.
Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:
1. Giám đốc Sở Văn hóa, Thể thao và Du lịch không tổ chức lễ hội đông người; báo cáo kết quả trước ngày 25/01.
2. Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh phối hợp với Sở Y tế kiểm soát người từ vùng dịch về tỉnh.
3. Trung tâm Kiểm soát bệnh tật tỉnh báo cáo số ca mắc hằng ngày trước 16 giờ về Sở Y tế.
4. Giao Sở Tài chính tham mưu bố trí kinh phí, hoàn thành trong tháng 02 năm 2022./.
Nơi nhận:
- Như trên;
CHỦ TỊCH
Lê Ngọc Tuấn
"""
    got = parse(text, cat)
    assert (got["kind"], got["number"], got["subject"]) == ("công điện", "05/CĐ-UBND", "tăng cường phòng, chống dịch COVID-19 dịp Tết Nguyên đán")
    assert got["addressees"] == ["Giám đốc các Sở, ban, ngành thuộc tỉnh", "Chủ tịch Ủy ban nhân dân các huyện, thành phố"]
    t = {x["ref"]: x for x in got["tasks"]}
    assert t["1"]["assignees"] == ["Sở Văn hóa, Thể thao và Du lịch"] and t["1"]["deadline"] == "2022-01-25"  # year of the telegram
    assert t["2"]["assignees"] == ["Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh"] and t["2"]["coordinating"] == ["Sở Y tế"]
    assert t["3"]["assignees"] == ["Trung tâm Kiểm soát bệnh tật tỉnh"] and t["3"]["recurrence"] == {"every": "day", "before": "16:00"}
    assert got["new_agencies"] == ["Trung tâm Kiểm soát bệnh tật tỉnh"]
    assert t["4"]["assignees"] == ["Sở Tài chính"] and t["4"]["deadline"] == "2022-02-28"
    assert (got["signer"], got["signer_capacity"]) == ("Lê Ngọc Tuấn", "CHỦ TỊCH")


def test_a_collective_addressee_is_kept_when_there_is_nothing_to_fan_out_to():
    cat = standard_catalog([])  # no districts loaded yet
    task = parse("1. Ủy ban nhân dân các huyện, thành phố rà soát người về từ vùng dịch.\n", cat)["tasks"][0]
    assert task["assignees"] == ["Ủy ban nhân dân các huyện, thành phố"]
