"""Choice lists of the case registry. Labels are UI text; thresholds live in diseases.RuleSet."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class TestKind(models.TextChoices):
    RT_PCR = "rt_pcr", _("RT-PCR")
    RAPID_ANTIGEN = "rapid_antigen", _("Test nhanh kháng nguyên")
    # Tests of other diseases; which ones confirm is the disease's case definition (diseases, kind case_definition).
    PCR = "pcr", _("PCR")
    IGM = "igm", _("Kháng thể IgM")
    NS1 = "ns1", _("Kháng nguyên NS1")


class Classification(models.TextChoices):
    SUSPECTED = "suspected", _("Ca nghi ngờ")
    PROBABLE = "probable", _("Ca có thể")
    CONFIRMED = "confirmed", _("Ca xác định")


class DetectedIn(models.TextChoices):
    COMMUNITY = "community", _("Tại cộng đồng")
    QUARANTINE = "quarantine", _("Trong khu cách ly / đang cách ly")
    FACILITY = "facility", _("Tại cơ sở y tế / khu phong tỏa")


class CareSetting(models.TextChoices):
    HOME = "home", _("Tại nhà")
    CENTRALISED = "centralised", _("Cơ sở thu dung, điều trị tập trung")
    HOSPITAL = "hospital", _("Bệnh viện")


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang điều trị")
    TRANSFERRED = "transferred", _("Đã chuyển viện")
    RECOVERED = "recovered", _("Khỏi bệnh")
    DIED = "died", _("Tử vong")
    LOST = "lost", _("Mất liên lạc")


class Severity(models.TextChoices):
    ASYMPTOMATIC = "asymptomatic", _("Không triệu chứng")
    MILD = "mild", _("Nhẹ")
    MODERATE = "moderate", _("Trung bình")
    SEVERE = "severe", _("Nặng")
    CRITICAL = "critical", _("Nguy kịch")


SEVERITY_ORDER = ["asymptomatic", "mild", "moderate", "severe", "critical"]


class VaccinationStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Chưa rõ")
    NONE = "none", _("Chưa tiêm")
    PARTIAL = "partial", _("Chưa đủ liều")
    FULL = "full", _("Đã tiêm đủ liều")


# Symptoms of the 261/QĐ-BYT monitoring form (Phụ lục 2). Which of them are warning signs is rule data.
SYMPTOMS = [
    ("fatigue", _("Mệt mỏi")), ("cough", _("Ho")), ("sputum", _("Ho ra đờm")), ("chills", _("Ớn lạnh/gai rét")),
    ("conjunctivitis", _("Viêm kết mạc (mắt đỏ)")), ("loss_taste_smell", _("Mất vị giác/khứu giác")),
    ("diarrhoea", _("Tiêu chảy")), ("sore_throat", _("Đau họng")), ("headache", _("Nhức đầu")),
    ("dizziness", _("Chóng mặt")), ("nausea", _("Buồn nôn/nôn")), ("myalgia", _("Đau nhức cơ")),
    ("fever", _("Sốt")),
    ("haemoptysis", _("Ho ra máu")),
    ("dyspnoea", _("Khó thở, thở hụt hơi (trẻ em: thở rên, rút lõm lồng ngực, khò khè)")),
    ("chest_pain", _("Đau tức ngực thường xuyên, bó thắt ngực")),
    ("altered_consciousness", _("Thay đổi ý thức: lú lẫn, lơ mơ, li bì, co giật")),
    ("cyanosis", _("Tím môi, tím đầu móng tay/chân, da xanh, lạnh đầu ngón")),
    ("cannot_drink", _("Không thể uống/bú, ăn kém, nôn (trẻ em)")),
    ("acute_illness", _("Mắc thêm bệnh cấp tính (sốt xuất huyết, tay chân miệng…)")),
    ("other_instability", _("Bất kỳ tình trạng bất ổn nào khác")),
]
SYMPTOM_CODES = {c for c, _l in SYMPTOMS}
SYMPTOM_LABELS = dict(SYMPTOMS)


class MedicineItem(models.TextChoices):
    PACKAGE_A = "package_a", _("Gói thuốc A (hạ sốt, vitamin)")
    PACKAGE_B = "package_b", _("Gói thuốc B (kháng viêm, chống đông)")
    PACKAGE_C = "package_c", _("Gói thuốc C (kháng virus)")
    MOLNUPIRAVIR = "molnupiravir", _("Molnupiravir")
    PARACETAMOL = "paracetamol", _("Paracetamol")
    OTHER = "other", _("Khác")


ANTIVIRAL_ITEMS = {MedicineItem.PACKAGE_C, MedicineItem.MOLNUPIRAVIR}


class SupportKind(models.TextChoices):
    FOOD = "food", _("Lương thực, thực phẩm")
    CASH = "cash", _("Tiền mặt")
    GOODS = "goods", _("Nhu yếu phẩm")
    OTHER = "other", _("Khác")
