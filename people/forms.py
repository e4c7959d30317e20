from django import forms
from django.utils.translation import gettext_lazy as _

from core.scoping import visible_units
from geo import areas
from geo.models import AdministrativeUnit, Level, Village

from .choices import Comorbidity
from .models import Person


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: đây không phải người đã có trong danh sách trùng"), required=False
    )
    comorbidities = forms.MultipleChoiceField(
        label=_("Bệnh nền"), choices=Comorbidity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh (dd/mm/yyyy)"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )
    birth_year = forms.IntegerField(label=_("Năm sinh (nếu không rõ ngày)"), required=False, min_value=1900, max_value=2100)
    # Typed as people write them ("+84 168 912 3456", "091.234.5678"); normalised to 10 digits by the services.
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    guardian_phone = forms.CharField(label=_("Điện thoại người giám hộ"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    # Not a model-form field (re-homing owns the column, `editable=False`): offered on 2025 installations below.
    former_commune = forms.ModelChoiceField(queryset=AdministrativeUnit.objects.none(), required=False)

    class Meta:
        model = Person
        fields = [
            "full_name", "date_of_birth", "birth_year", "sex", "id_kind", "id_number", "phone", "ethnicity",
            "occupation", "workplace", "commune", "village", "street", "comorbidities", "is_pregnant",
            "is_immunocompromised", "guardian_name", "guardian_phone",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = visible_units(user).filter(level=Level.COMMUNE)
        self.fields["commune"].queryset = communes.select_related("parent")
        self.fields["village"].queryset = Village.objects.filter(commune__in=communes)
        if areas.installation_structure() == areas.FROM_2025:
            # Where someone registered on a commune of today lived before 01/07/2025, so that his records of that
            # time go on its unit (geo.eras); re-homing sets it for the people it moves.
            former = self.fields["former_commune"]
            choices = communes.filter(structure=areas.PRE_2025)
            if self.instance.former_commune_id:  # kept even when outside the user's area (he moved since)
                choices = choices | AdministrativeUnit.objects.filter(pk=self.instance.former_commune_id)
            former.queryset = choices.select_related("parent")
            former.initial = self.instance.former_commune_id
            # Names repeat across former districts: the district says which (from the joined parent, no query each).
            former.label_from_instance = lambda unit: f"{unit.name}, {unit.parent.name}" if unit.parent_id else unit.name
            former.required = False
            former.label = _("Xã/phường cũ (trước 01/07/2025)")
            former.help_text = _("Nơi ở trước ngày sắp xếp đơn vị hành chính, nếu đã biết: các hồ sơ trước ngày đó "
                                 "(mũi tiêm, ca bệnh) được ghi vào xã/phường cũ này.")
        else:
            del self.fields["former_commune"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        if communes.count() == 1:
            self.fields["commune"].initial = communes.first()

    def _clean_phone(self, name):
        from .rules import Invalid, normalize_phone

        try:
            return normalize_phone(self.cleaned_data.get(name) or "")
        except Invalid as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_guardian_phone(self):
        return self._clean_phone("guardian_phone")

    def clean(self):
        data = super().clean()
        if not data.get("date_of_birth") and not data.get("birth_year"):
            self.add_error("birth_year", _("Cần ngày sinh hoặc năm sinh."))
        if data.get("date_of_birth"):
            data["birth_year"] = data["date_of_birth"].year
        return data


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Giữ hồ sơ"))
    duplicate = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Hồ sơ trùng (sẽ gộp vào)"))

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset
        self.fields["duplicate"].queryset = queryset


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit):
        return obj.full_name()
