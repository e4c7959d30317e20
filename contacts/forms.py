from django import forms
from django.utils.translation import gettext_lazy as _

from core.scoping import visible_units
from core.widgets import FastSelect
from geo.models import Level, Sex

from .models import Arrival, Outbreak, Setting

DATE = {"input_formats": ["%d/%m/%Y", "%Y-%m-%d"],
        "widget": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})}


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, **DATE)


class PersonFields(forms.Form):
    """Who: an existing record (chosen among proposed duplicates) or a new one."""

    existing_person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    accept_new = forms.BooleanField(label=_("Không phải những người trên: tạo hồ sơ mới"), required=False)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900, max_value=2100)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices)
    phone = forms.CharField(label=_("Điện thoại"), max_length=15, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    id_number = forms.CharField(label=_("Số CCCD/CMND (nếu có)"), max_length=20, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    commune = forms.ModelChoiceField(label=_("Xã/phường nơi ở"), queryset=None)

    def __init__(self, *args, user=None, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is None:
            communes = visible_units(user).filter(level=Level.COMMUNE)
        self.fields["commune"].queryset = communes.order_by("name")
        if communes.count() == 1:
            self.fields["commune"].initial = communes.first()

    def person_data(self) -> dict:
        keys = ("full_name", "birth_year", "sex", "phone", "id_number", "commune")
        return {k: self.cleaned_data.get(k) or "" if k in ("phone", "id_number") else self.cleaned_data[k] for k in keys}


class ContactForm(PersonFields):
    source_contact = forms.ModelChoiceField(label=_("F2: tiếp xúc qua F1 nào (để trống nếu là F1)"), queryset=None, required=False)
    setting = forms.ChoiceField(label=_("Bối cảnh tiếp xúc"), choices=Setting.choices)
    place = forms.CharField(label=_("Địa điểm tiếp xúc"), max_length=200, required=False)
    first_exposure_on = date_field(_("Ngày tiếp xúc đầu tiên"), required=False)
    last_exposure_on = date_field(_("Ngày tiếp xúc cuối cùng"))
    fully_vaccinated = forms.NullBooleanField(label=_("Đã tiêm đủ liều"), required=False, widget=forms.Select(choices=[
        ("unknown", _("Chưa rõ (tra dữ liệu tiêm chủng)")), ("true", _("Có")), ("false", _("Chưa"))]))
    last_dose_on = date_field(_("Ngày tiêm mũi cuối"), required=False)
    recovered_on = date_field(_("Ngày từng mắc COVID-19 (nếu có)"), required=False)


    def __init__(self, *args, f1s=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Contact

        # The F1 of this case that the caller may see.
        self.fields["source_contact"].queryset = f1s if f1s is not None else Contact.objects.none()
        self.fields["source_contact"].label_from_instance = lambda c: c.person.full_name


class ContactEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    setting = forms.ChoiceField(label=_("Bối cảnh tiếp xúc"), choices=Setting.choices)
    place = forms.CharField(label=_("Địa điểm tiếp xúc"), max_length=200, required=False)
    first_exposure_on = date_field(_("Ngày tiếp xúc đầu tiên"))
    last_exposure_on = date_field(_("Ngày tiếp xúc cuối cùng"))
    fully_vaccinated = forms.NullBooleanField(label=_("Đã tiêm đủ liều"), required=False)
    last_dose_on = date_field(_("Ngày tiêm mũi cuối"), required=False)
    recovered_on = date_field(_("Ngày từng mắc COVID-19 (nếu có)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CheckForm(forms.Form):
    day = date_field(_("Ngày"))
    has_symptoms = forms.BooleanField(label=_("Có triệu chứng"), required=False)
    symptoms = forms.CharField(label=_("Triệu chứng"), max_length=300, required=False)
    temperature = forms.DecimalField(label=_("Nhiệt độ (°C)"), required=False, min_value=30, max_value=45, decimal_places=1)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class ConvertForm(forms.Form):
    confirmed_on = date_field(_("Ngày xác định F0"))
    test = forms.ModelChoiceField(label=_("Xét nghiệm dương tính"), queryset=None, required=False)

    def __init__(self, *args, tests=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test"].queryset = tests


class LinkCaseForm(forms.Form):
    infected_case = forms.IntegerField(label=_("Mã ca bệnh (F0) bị lây"))
    last_exposure_on = date_field(_("Ngày tiếp xúc cuối cùng"))


class OutbreakForm(forms.ModelForm):
    started_on = date_field(_("Ngày bắt đầu"))

    class Meta:
        model = Outbreak
        fields = ["disease", "name", "commune", "place_kind", "place_name", "village", "facility", "started_on", "latitude",
                  "longitude"]
        # Every village and commune of a province user's jurisdiction: written in Python, not option by option.
        widgets = {"village": FastSelect, "commune": FastSelect, "facility": FastSelect}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from diseases.selectors import active_diseases, default_disease_pk
        from facilities.models import Facility
        from geo.models import Village

        # The disease chooses the outbreak rule (closing days); the installation's default disease first and chosen.
        self.fields["disease"].queryset = active_diseases()
        self.fields["disease"].required = False  # not sent (an older page, a script): the default disease
        self.fields["disease"].empty_label = None
        if not self.is_bound:
            self.initial.setdefault("disease", default_disease_pk())
        communes = visible_units(user).filter(level=Level.COMMUNE)
        self.fields["commune"].queryset = communes.order_by("name")
        # Only what the options show (a village's name): a province user's 1,200 villages with their communes loaded
        # as full objects took most of the outbreak page's second.
        self.fields["village"].queryset = (Village.objects.filter(commune__in=communes).order_by("commune__name", "name")
                                           .only("id", "name"))
        self.fields["facility"].queryset = Facility.objects.filter(unit__in=visible_units(user)).order_by("name")


class ArrivalFields(forms.Form):
    origin = forms.CharField(label=_("Đến từ (tỉnh/thành phố, quốc gia)"), max_length=200)
    arrived_on = date_field(_("Ngày đến"))
    means = forms.ChoiceField(label=_("Phương tiện"), choices=Arrival.Means.choices)
    symptoms = forms.CharField(label=_("Triệu chứng (sốt, ho, khó thở…) nếu có"), max_length=300, required=False)
    fully_vaccinated = forms.NullBooleanField(label=_("Đã tiêm đủ liều vắc xin COVID-19"), required=False)


class ArrivalForm(PersonFields, ArrivalFields):
    pass


class PublicDeclarationForm(PersonFields, ArrivalFields):
    """No account: the person declares himself. Phone is required so the station can call back."""

    phone = forms.CharField(label=_("Điện thoại"), max_length=15, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    consent = forms.BooleanField(label=_("Tôi cam kết thông tin khai báo là đúng sự thật"))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot for bots

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The public never sees or picks existing records.
        del self.fields["existing_person"], self.fields["accept_new"]
