import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from diseases import forms as diseases_forms
from facilities.models import BedType, Facility, Team

from .choices import (
    SYMPTOMS,
    CareSetting,
    Classification,
    DetectedIn,
    MedicineItem,
    Severity,
    Status,
    SupportKind,
    TestKind,
    VaccinationStatus,
)


class DateField(diseases_forms.DateField):
    """dd/mm/yyyy as users write it (parsing from diseases.forms), with the numeric keypad and the date shown back that way."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value


class CaseForm(forms.Form):
    disease = forms.ChoiceField(label=_("Bệnh"), required=False, choices=[])
    classification = forms.ChoiceField(label=_("Phân loại"), choices=Classification.choices, initial=Classification.CONFIRMED,
                                       required=False)  # not given: confirmed, as before other diseases
    confirmed_on = DateField(label=_("Ngày xác định (dd/mm/yyyy)"))
    test_kind = forms.ChoiceField(label=_("Loại xét nghiệm khẳng định"), required=False,
                                  choices=[("", _("Chưa có xét nghiệm")), *TestKind.choices])
    epi_link = forms.BooleanField(label=_("Liên quan dịch tễ với ca xác định"), required=False)
    clinical_signs = forms.MultipleChoiceField(label=_("Dấu hiệu lâm sàng"), required=False, choices=[], widget=forms.CheckboxSelectMultiple)
    test_place = forms.CharField(label=_("Nơi xét nghiệm"), required=False)
    symptom_onset = DateField(label=_("Ngày khởi phát"), required=False)
    detected_in = forms.ChoiceField(label=_("Nơi phát hiện"), choices=DetectedIn.choices)
    care_setting = forms.ChoiceField(label=_("Nơi điều trị"), choices=CareSetting.choices)
    severity = forms.ChoiceField(label=_("Mức độ"), choices=Severity.choices, initial="mild")
    vaccination_status = forms.ChoiceField(label=_("Tình trạng tiêm chủng"), required=False,
                                           choices=[("", _("Theo sổ tiêm chủng (nếu có)")), *VaccinationStatus.choices])
    has_comorbidity = forms.BooleanField(label=_("Có bệnh nền"), required=False)
    comorbidity_stable = forms.BooleanField(label=_("Bệnh nền đang điều trị ổn định"), required=False)
    is_pregnant = forms.BooleanField(label=_("Đang mang thai"), required=False)
    is_breastfeeding = forms.BooleanField(label=_("Đang cho con bú"), required=False)
    can_self_care = forms.BooleanField(label=_("Tự chăm sóc được hoặc có người chăm sóc"), required=False, initial=True)
    has_phone = forms.BooleanField(label=_("Có điện thoại liên lạc"), required=False, initial=True)
    team = forms.ModelChoiceField(label=_("Tổ chăm sóc"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        # The diseases and their clinical signs come from the disease packs (docs/diseases.md).
        import datetime as dt

        from core.errors import Invalid
        from diseases.selectors import active_diseases, definition

        diseases = list(active_diseases())
        self.fields["disease"].choices = [(d.code, d.name) for d in diseases]
        signs = {}
        for d in diseases:
            try:
                entries = definition(d, dt.date.today()).value("signs") or []
            except Invalid:
                continue
            for e in entries:
                if isinstance(e, dict) and e.get("code") and e["code"] not in signs:
                    signs[e["code"]] = e.get("vi") or e["code"]
        self.fields["clinical_signs"].choices = list(signs.items())
        if not signs:
            del self.fields["clinical_signs"]


class CaseEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=[(Status.ACTIVE, Status.ACTIVE.label), (Status.LOST, Status.LOST.label)])
    care_setting = forms.ChoiceField(label=_("Nơi điều trị"), choices=CareSetting.choices)
    severity = forms.ChoiceField(label=_("Mức độ"), choices=Severity.choices)
    on_oxygen = forms.BooleanField(label=_("Đang thở oxy"), required=False)
    vaccination_status = forms.ChoiceField(label=_("Tình trạng tiêm chủng"), choices=VaccinationStatus.choices)
    has_comorbidity = forms.BooleanField(label=_("Có bệnh nền"), required=False)
    comorbidity_stable = forms.BooleanField(label=_("Bệnh nền đang điều trị ổn định"), required=False)
    is_pregnant = forms.BooleanField(label=_("Đang mang thai"), required=False)
    is_breastfeeding = forms.BooleanField(label=_("Đang cho con bú"), required=False)
    can_self_care = forms.BooleanField(label=_("Tự chăm sóc được hoặc có người chăm sóc"), required=False)
    has_phone = forms.BooleanField(label=_("Có điện thoại liên lạc"), required=False)
    team = forms.ModelChoiceField(label=_("Tổ chăm sóc"), queryset=Team.objects.none(), required=False)
    station = forms.ModelChoiceField(label=_("Trạm y tế phụ trách"), queryset=Facility.objects.none(), required=False)

    def __init__(self, *args, teams=None, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        if stations is not None:
            self.fields["station"].queryset = stations


class CheckForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)
    spo2 = forms.CharField(label=_("SpO2 (%)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    respiratory_rate = forms.CharField(label=_("Nhịp thở (lần/phút)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    pulse = forms.CharField(label=_("Mạch (lần/phút)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    temperature = forms.CharField(label=_("Nhiệt độ (°C)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    systolic = forms.CharField(label=_("Huyết áp tối đa (mmHg)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    diastolic = forms.CharField(label=_("Huyết áp tối thiểu (mmHg)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    symptoms = forms.MultipleChoiceField(label=_("Triệu chứng"), choices=SYMPTOMS, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, rule=None, **kwargs):
        """`rule`: the warning-sign rule in force for the case's disease (cases.services.check_rule). The form then
        asks only for the measures that rule judges and lists the disease's own warning signs when it labels them
        (dengue), in the user's language; without a rule it is the COVID-19 form of 261/QĐ-BYT."""
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex
        if rule is None:
            return
        from django.utils.translation import get_language

        from .rules import MEASURES, own_symptoms, symptom_choices, used_measures

        for m in set(MEASURES) - set(used_measures(rule)):
            del self.fields[m]
        self.fields["symptoms"].choices = symptom_choices(rule, "en" if (get_language() or "").startswith("en") else "vi")
        self.own_signs = bool(own_symptoms(rule))
        if self.own_signs:
            self.fields["symptoms"].label = _("Dấu hiệu cảnh báo")

    own_signs = False


class TransferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    destination = forms.ModelChoiceField(label=_("Bệnh viện / cơ sở chuyển đến"), queryset=Facility.objects.none(), required=False)
    destination_text = forms.CharField(label=_("Hoặc ghi rõ nơi chuyển đến"), required=False)
    reason = forms.CharField(label=_("Lý do"), required=False)
    bed_type = forms.ChoiceField(label=_("Loại giường"), choices=BedType.choices, initial=BedType.ORDINARY, required=False)

    def clean_bed_type(self):
        return self.cleaned_data.get("bed_type") or BedType.ORDINARY

    def __init__(self, *args, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations if destinations is not None else Facility.objects.filter(
            kind__in=[Facility.Kind.PROVINCIAL_HOSPITAL, Facility.Kind.DISTRICT_HEALTH_CENTRE, Facility.Kind.CENTRALISED_FACILITY], is_active=True)


class DispensingForm(forms.Form):
    item = forms.ChoiceField(label=_("Thuốc / gói thuốc"), choices=MedicineItem.choices)
    item_text = forms.CharField(label=_("Tên thuốc (nếu khác)"), required=False)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1)
    note = forms.CharField(label=_("Ghi chú"), required=False)


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=SupportKind.choices)
    amount = forms.DecimalField(label=_("Giá trị (đồng)"), min_value=0, decimal_places=0)
    description = forms.CharField(label=_("Nội dung"), required=False)
    given_on = DateField(label=_("Ngày hỗ trợ"))
    fund = forms.CharField(label=_("Nguồn kinh phí / quỹ"))


class ReleaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    on = DateField(label=_("Ngày xét nghiệm / khỏi bệnh"))
    test_result = forms.ChoiceField(label=_("Kết quả test nhanh"), choices=[
        ("negative", _("Âm tính")), ("positive", _("Dương tính")), ("", _("Không xét nghiệm (đã đủ thời gian tối đa)"))], required=False)
    self_test = forms.BooleanField(label=_("Người bệnh tự test dưới giám sát của nhân viên y tế"), required=False)


class AdmissionForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Cơ sở"), queryset=Facility.objects.none())
    bed_type = forms.ChoiceField(label=_("Loại giường"), choices=BedType.choices)

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities if facilities is not None else Facility.objects.none()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp danh sách ca bệnh (CSV hoặc XLSX)"))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=[("all", _("Không nhập gì")), ("valid_only", _("Nhập các dòng hợp lệ"))])
