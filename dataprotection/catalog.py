"""What the system knows about its own processing, for the impact-assessment dossier (hồ sơ đánh giá tác động xử lý
dữ liệu cá nhân) and the data-subject export. Categories are read from the models; purposes, recipients and security
measures are facts of this code base, stated once here."""
from django.utils.translation import gettext_lazy as _

# Apps whose person-linked records are health data: sensitive personal data (Law 91/2025/QH15; Decree 13/2023 Art. 2).
HEALTH_APPS = {"cases", "testing", "vaccination", "contacts"}
# Person fields that are sensitive on their own (ethnic origin) or identify directly.
SENSITIVE_PERSON_FIELDS = {"ethnicity"}
IDENTIFYING_PERSON_FIELDS = {"full_name", "name_folded", "date_of_birth", "id_kind", "id_number", "phone", "street",
                             "workplace", "guardian", "guardian_name", "guardian_phone"}
# Columns never written to an export (internal bookkeeping).
SKIP_FIELDS = {"name_folded", "version"}

BASIC = _("Dữ liệu cá nhân cơ bản")
SENSITIVE = _("Dữ liệu cá nhân nhạy cảm")

PURPOSES = [
    (_("Giám sát, phát hiện và quản lý ca bệnh truyền nhiễm"), _("Luật Phòng, chống bệnh truyền nhiễm 2007; xử lý không cần sự đồng ý trong tình trạng khẩn cấp về dịch bệnh")),
    (_("Truy vết, cách ly và theo dõi người tiếp xúc, người nhập cảnh"), _("Luật Phòng, chống bệnh truyền nhiễm 2007")),
    (_("Xét nghiệm và trả kết quả"), _("Nhiệm vụ của cơ quan y tế")),
    (_("Tiêm chủng và cấp chứng nhận tiêm chủng"), _("Nghị định 104/2016/NĐ-CP về tiêm chủng")),
    (_("Đánh giá cấp độ dịch, báo cáo và chỉ đạo"), _("Dữ liệu tổng hợp, không định danh")),
    (_("Nghiên cứu dịch tễ"), _("Chỉ dữ liệu đã ẩn danh hoá (xuất cho nghiên cứu)")),
]

RECIPIENTS = [
    (_("Ban Chỉ đạo tỉnh"), _("Số liệu tổng hợp, báo cáo; không xem danh sách cá nhân ngoài nhiệm vụ")),
    (_("Sở Y tế, Trung tâm Y tế huyện, Trạm Y tế xã"), _("Hồ sơ cá nhân trong địa bàn phụ trách")),
    (_("Tổ chăm sóc, tổ cộng đồng"), _("Người bệnh, người tiếp xúc trong xã của tổ")),
    (_("Phòng xét nghiệm, điểm tiêm chủng"), _("Người được xét nghiệm, người được tiêm")),
    (_("Sở, ban, ngành khác"), _("Nhiệm vụ chỉ đạo; không xem hồ sơ sức khoẻ cá nhân")),
    (_("Người dân"), _("Tra cứu chứng nhận của chính mình bằng mã")),
    (_("Bộ Công an (A05)"), _("Thông báo sự cố vi phạm dữ liệu trong 72 giờ")),
]

SECURITY_MEASURES = [
    _("Phân quyền theo vai trò và địa bàn ở một nơi duy nhất (core/scoping.py); hồ sơ ngoài địa bàn trả lời 404"),
    _("Nhật ký kiểm toán chỉ ghi thêm cho mọi lần xem, sửa, xuất dữ liệu cá nhân"),
    _("Xác thực hai lớp cho quản trị viên; khoá tài khoản khi nhập sai mật khẩu nhiều lần"),
    _("HTTPS, cookie an toàn, HSTS khi chạy sản xuất"),
    _("Sao lưu hằng đêm, mã hoá AES-256-GCM, bản sao ngoài máy, diễn tập khôi phục tự động"),
    _("Ẩn danh hoá hồ sơ hết thời hạn lưu; dữ liệu nghiên cứu chỉ xuất dạng ẩn danh"),
    _("Sổ đăng ký yêu cầu của chủ thể dữ liệu và sổ sự cố vi phạm với thời hạn thông báo 72 giờ"),
]


def person_models():
    """Person and every model that points at a person: (model, field linking to the person or None)."""
    from people.models import Person

    out = [(Person, None)]
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if model is Person or model._meta.app_label in {"dataprotection", "audit"} or rel.many_to_many:
            continue
        out.append((model, rel.field.name))
    return out


def categories() -> list[dict]:
    """One row per personal-data field the system stores, with its category."""
    rows = []
    for model, link in person_models():
        app = model._meta.app_label
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in SKIP_FIELDS or field.name == link:
                continue
            sensitive = app in HEALTH_APPS or (app == "people" and field.name in SENSITIVE_PERSON_FIELDS)
            rows.append({
                "record": str(model._meta.verbose_name),
                "record_type": model._meta.label_lower,
                "field": str(field.verbose_name),
                "category": SENSITIVE if sensitive else BASIC,
                "identifying": app == "people" and field.name in IDENTIFYING_PERSON_FIELDS,
            })
    return rows
