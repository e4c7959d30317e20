"""The criteria versions and measures the system starts with (loaded by migration 0002_seed_criteria_and_measures).

Every threshold cites its source as found in shared/domain/rules-research.md §1.4 and §2. Values marked [NF]
(not found in a primary text) or [I] (inferred from worked examples) carry confirmed=False: the UI flags them and
the Department of Health (accounts.roles.RULE_EDITORS) may correct them.
"""
import datetime as dt

HP = "Cổng TTĐT Y tế Hải Phòng: “mức độ 1 (0 - < 20 ca)” (rules-research 2.1) [C]"
VNE = "VnExpress 4421798: “150 ca/100.000/tuần … rất cao” theo hướng dẫn cũ (rules-research 2.1) [C]"
NF_50 = "Ngưỡng 50 được trích dẫn rộng rãi nhưng chưa đối chiếu văn bản gốc 4800 (rules-research 2.1) [NF]"
HN_COV = "4800/QĐ-BYT tiêu chí 2; TB 816/TB-UBND Hà Nội: “≥18 tuổi tiêm ít nhất 1 liều … tối thiểu 70%” [C]"
HN_OLD = "4800/QĐ-BYT tiêu chí 2; TB UBND Hà Nội: “≥50 tuổi tiêm đủ liều … tối thiểu 80%” (nhóm tuổi có thể là 65+) [C]"
MATRIX_I = "Suy ra từ ví dụ Hà Nội (Đống Đa 177 ca, bao phủ đạt → cấp 3; 20 ca đạt → cấp 2); ma trận 4800 chưa tìm thấy [I]"
RAISE = "Dự thảo 9/2021 (vietbao 271722): không đạt 80% người >50 tuổi tiêm đủ liều thì tăng 1 cấp, trừ cấp 4 hoặc không có ca mắc [C-draft]"
NO_LOWER_C2 = "Dự thảo 9/2021 (vietbao 271722): không đạt chỉ số 2, 3 thì không được giảm cấp độ [C-draft]"
NO_LOWER_C3 = "4800/QĐ-BYT theo bản tin tiếng Anh của Chính phủ (10/1/2022): không đạt tiêu chí 3 thì giữ nguyên cấp độ; câu chữ tiếng Việt [NF]"
C3_DRAFT = "Dự thảo TP.HCM 9/2021 (sggpnews 94926): 100% xã có phương án trạm y tế lưu động, tổ chăm sóc F0 [C-draft]"
C3_NF = "Ngưỡng số của tiêu chí 3 chưa tìm thấy trong văn bản gốc [NF]"


def v(value, source, confirmed=True, op=">="):
    entry = {"value": value, "source": source, "confirmed": confirmed}
    if op != ">=":
        entry["op"] = op
    return entry


V4800 = {
    "code": "4800-qd-byt",
    "name": "Quyết định 4800/QĐ-BYT (12/10/2021)",
    "source_document": "4800/QĐ-BYT ngày 12/10/2021 hướng dẫn tạm thời thực hiện Nghị quyết 128/NQ-CP",
    "valid_from": dt.date(2021, 10, 12),
    "valid_to": dt.date(2022, 1, 26),
    "values": {
        "c1_cases_band2_from": v(20, HP + "; Hà Nội cuối 11/2021: 20 ca → nhóm 2"),
        "c1_cases_band3_from": v(50, NF_50, False),
        "c1_cases_band4_from": v(150, VNE),
        "c2_adult_1dose_min": v(70, HN_COV),
        "c2_elderly_full_min": v(80, HN_OLD),
        "c2_elderly_age": v(50, "TB UBND Hà Nội sau 11/2021 và dự thảo BYT: 50+ (thông báo đầu 11/2021 dùng 65+) [C]"),
        "c3_mobile_stations_required": v(True, C3_DRAFT, False),
        "c3_home_care_required": v(True, C3_DRAFT, False),
        "c3_free_beds_per_100k_min": v(None, C3_NF, False),
        "c3_icu_beds_per_100k_min": v(None, C3_NF, False),
        "matrix_covered": v([1, 2, 3, 3], MATRIX_I, False),
        "matrix_not_covered": v([2, 3, 4, 4], RAISE, False),
        "no_raise_without_cases": v(True, RAISE, False),
        "c2_unmet_no_lowering": v(True, NO_LOWER_C2, False),
        "c3_unmet_no_lowering": v(True, NO_LOWER_C3, False),
        "window_days": v(7, "128/NQ-CP: ca mắc mới/100.000 dân/tuần; Hà Nội dùng số 14 ngày quy về tuần (kienthuc 168870) [C]"),
    },
}

C218 = "218/QĐ-BYT ngày 27/01/2022"
V218 = {
    "code": "218-qd-byt",
    "name": "Quyết định 218/QĐ-BYT (27/01/2022)",
    "source_document": "218/QĐ-BYT ngày 27/01/2022 (thay thế 4800/QĐ-BYT, hiệu lực từ ngày ký)",
    "valid_from": dt.date(2022, 1, 27),
    "valid_to": None,
    "values": {
        "c1_cases_band2_from": v(20, f"{C218}: ngưỡng chưa tìm thấy, tạm giữ như 4800 [NF]", False),
        "c1_cases_band3_from": v(50, f"{C218}: ngưỡng chưa tìm thấy, tạm giữ như 4800 [NF]", False),
        "c1_cases_band4_from": v(600, f"{C218}: rất cao khi >600 ca/100.000/tuần (VnExpress 4421798) [C]", True, ">"),
        "c1_oxygen_band2_from": v(None, f"{C218}: ngưỡng người bệnh thở oxy chưa tìm thấy [NF]", False),
        "c1_oxygen_band3_from": v(None, f"{C218}: [NF]", False),
        "c1_oxygen_band4_from": v(None, f"{C218}: [NF]", False),
        "c1_deaths_band2_from": v(None, f"{C218}: ngưỡng tử vong chưa tìm thấy [NF]", False),
        "c1_deaths_band3_from": v(None, f"{C218}: [NF]", False),
        "c1_deaths_band4_from": v(None, f"{C218}: [NF]", False),
        "c2_full_min": v(75, f"{C218} tiêu chí 2: ít nhất 75% dân số tiêm đủ liều (VnExpress 4421798); mẫu số [NF]"),
        "c2_high_risk_full_min": v(90, f"{C218} tiêu chí 2: ít nhất 90% người có nguy cơ cao tiêm đủ liều (VnExpress 4421798)"),
        "c3_mobile_stations_required": v(True, f"{C218} tiêu chí 3: năng lực quản lý, chăm sóc F0 cấp xã (VCCI) [C-descriptive]", False),
        "c3_home_care_required": v(True, f"{C218} tiêu chí 3: năng lực quản lý, chăm sóc F0 cấp xã (VCCI) [C-descriptive]", False),
        "c3_free_beds_per_100k_min": v(None, f"{C218}: giường trống/100.000 dân cấp huyện, số [NF]", False),
        "c3_icu_beds_per_100k_min": v(None, f"{C218}: giường ICU cấp tỉnh, số [NF]", False),
        "matrix_covered": v([1, 2, 3, 3], f"{C218}: ma trận chưa tìm thấy, tạm giữ như 4800 [NF]", False),
        "matrix_not_covered": v([2, 3, 4, 4], f"{C218}: ma trận chưa tìm thấy, tạm giữ như 4800 [NF]", False),
        "no_raise_without_cases": v(True, f"{C218}: tạm giữ như 4800 [NF]", False),
        "c2_unmet_no_lowering": v(True, f"{C218}: tạm giữ như 4800 [NF]", False),
        "c3_unmet_no_lowering": v(True, f"{C218}: tạm giữ như 4800 [NF]", False),
        "window_days": v(7, f"{C218}: ca mắc mới/100.000 dân/tuần [C]"),
    },
}

VERSIONS = [V4800, V218]

S128 = "128/NQ-CP (11/10/2021) mục IV, tóm tắt LuatVietnam/afamily (rules-research 1.4)"
# (level, category, text, confirmed)
MEASURES = [
    (1, "gatherings", "Tổ chức hoạt động tập trung đông người trong nhà và ngoài trời, thực hiện 5K và các điều kiện theo quy định.", True),
    (2, "gatherings", "Hạn chế tập trung đông người; số người tối đa do UBND tỉnh quy định.", False),
    (3, "gatherings", "Hạn chế tập trung đông người ở mức cao hơn; số người tối đa do UBND tỉnh quy định.", False),
    (4, "gatherings", "Hạn chế tối đa tập trung đông người.", False),
    (1, "schools", "Dạy và học trực tiếp.", True),
    (2, "schools", "Dạy học trực tiếp có thể bị hạn chế theo quyết định của địa phương.", True),
    (3, "schools", "Dạy học trực tiếp có thể bị hạn chế theo quyết định của địa phương.", True),
    (4, "schools", "Dạy học trực tiếp có thể bị hạn chế theo quyết định của địa phương.", True),
    (1, "services", "Dịch vụ nguy cơ cao (karaoke, massage, quán bar…) hoạt động hoặc hoạt động hạn chế theo quyết định của tỉnh.", True),
    (2, "services", "Dịch vụ nguy cơ cao hoạt động hạn chế hoặc tạm dừng theo quyết định của tỉnh.", False),
    (3, "services", "Dịch vụ nguy cơ cao tạm dừng hoạt động.", False),
    (4, "services", "Dịch vụ nguy cơ cao tạm dừng hoạt động.", True),
    (1, "transport", "Vận tải hành khách công cộng hoạt động; hàng không, đường sắt theo quy định riêng.", True),
    (4, "transport", "Hạn chế vận tải hành khách công cộng.", False),
    (1, "markets", "Trung tâm thương mại, siêu thị, chợ, nhà hàng hoạt động.", True),
    (2, "markets", "Trung tâm thương mại, siêu thị, chợ, nhà hàng hoạt động.", True),
    (3, "markets", "Trung tâm thương mại, siêu thị, chợ, nhà hàng hoạt động.", True),
    (4, "markets", "Nhà hàng và chợ truyền thống hoạt động hạn chế.", True),
    (1, "tourism", "Khách sạn, khu nghỉ dưỡng, điểm du lịch hoạt động.", True),
    (2, "tourism", "Khách sạn, khu nghỉ dưỡng, điểm du lịch hoạt động.", True),
    (3, "tourism", "Khách sạn, khu nghỉ dưỡng, điểm du lịch hoạt động hạn chế.", True),
    (4, "tourism", "Khách sạn, khu nghỉ dưỡng, điểm du lịch có thể tạm dừng.", True),
    (1, "production", "Vận chuyển hàng hóa, nhà máy, công trình xây dựng hoạt động.", True),
    (2, "production", "Vận chuyển hàng hóa, nhà máy, công trình xây dựng hoạt động.", True),
    (3, "production", "Vận chuyển hàng hóa, nhà máy, công trình xây dựng hoạt động.", True),
    (4, "production", "Vận chuyển hàng hóa, nhà máy, công trình xây dựng hoạt động.", True),
    (3, "other", "Bắt buộc đeo khẩu trang nơi công cộng (trừ trẻ em dưới 5 tuổi).", False),
    (4, "other", "Bắt buộc đeo khẩu trang nơi công cộng (trừ trẻ em dưới 5 tuổi).", False),
]
MEASURE_SOURCE = S128
