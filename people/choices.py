"""Reference lists for the people registry."""
from django.db import models
from django.utils.translation import gettext_lazy as _

# The 54 ethnic groups of Vietnam (Danh mục các dân tộc Việt Nam, Quyết định 121-TCTK/PPCĐ), in official order.
ETHNICITIES = [
    "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "HMông", "Dao", "Gia-rai", "Ngái", "Ê-đê", "Ba Na",
    "Xơ-Đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra-glai", "Xtiêng", "Bru-Vân Kiều", "Thổ",
    "Giáy", "Cơ-tu", "Gié-Triêng", "Mạ", "Khơ-mú", "Co", "Tà-ôi", "Chơ-ro", "Kháng", "Xinh-mun", "Hà Nhì", "Chu-ru",
    "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống", "Bố Y",
    "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ-măm",
]
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNICITIES, start=1)]
assert len(ETHNICITY_CHOICES) == 54


class IdKind(models.TextChoices):
    CCCD = "cccd", _("CCCD (12 số)")
    CMND = "cmnd", _("CMND (9 số)")
    PASSPORT = "passport", _("Hộ chiếu")
    NONE = "none", _("Không có giấy tờ")


class Comorbidity(models.TextChoices):
    # Appendix 01 of 4038/QĐ-BYT and 261/QĐ-BYT: conditions that raise the risk of severe COVID-19.
    DIABETES = "diabetes", _("Đái tháo đường")
    CHRONIC_LUNG = "chronic_lung", _("Bệnh phổi tắc nghẽn mạn tính và bệnh phổi khác")
    ASTHMA = "asthma", _("Hen phế quản")
    CANCER = "cancer", _("Ung thư")
    CHRONIC_KIDNEY = "chronic_kidney", _("Bệnh thận mạn tính")
    TRANSPLANT = "transplant", _("Ghép tạng, thủy tủy, tế bào gốc")
    CARDIOVASCULAR = "cardiovascular", _("Bệnh tim mạch")
    HYPERTENSION = "hypertension", _("Tăng huyết áp")
    CEREBROVASCULAR = "cerebrovascular", _("Bệnh lý mạch máu não")
    OBESITY = "obesity", _("Béo phì, thừa cân")
    CHRONIC_LIVER = "chronic_liver", _("Bệnh gan mạn tính")
    HIV = "hiv", _("HIV/AIDS")
    DOWN_SYNDROME = "down_syndrome", _("Hội chứng Down")
    NEUROLOGICAL = "neurological", _("Bệnh thần kinh, sa sút trí tuệ")
    SICKLE_THALASSEMIA = "blood_disorder", _("Bệnh hồng cầu hình liềm, thalassemia, bệnh máu mạn tính")
    OTHER = "other", _("Bệnh mạn tính khác")
