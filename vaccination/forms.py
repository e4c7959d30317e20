from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.parsing import ParseError, parse_date

from .models import DoseKind, Product, Schedule


class VnDateField(forms.CharField):
    """A date written dd/mm/yyyy (core.parsing.parse_date)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_date(value)
        except ParseError as exc:
            raise forms.ValidationError(f"{exc.vi} / {exc.en}")


class DoseForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.all(), label=_("Vắc xin"))
    dose_kind = forms.ChoiceField(choices=DoseKind.choices, label=_("Loại mũi"), initial=DoseKind.PRIMARY)
    dose_number = forms.IntegerField(min_value=1, max_value=9, label=_("Mũi số"), initial=1)
    given_on = VnDateField(label=_("Ngày tiêm (dd/mm/yyyy)"))
    lot = forms.CharField(label=_("Số lô"), required=False, max_length=40)
    site = forms.CharField(label=_("Điểm tiêm"), required=False, max_length=200)
    override_reason = forms.CharField(label=_("Lý do chấp nhận cảnh báo (cán bộ giám sát)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX xuất từ Nền tảng tiêm chủng"))
    valid_only = forms.BooleanField(label=_("Nhập các dòng hợp lệ, báo cáo các dòng lỗi"), required=False)


class ScheduleForm(forms.ModelForm):
    valid_from = VnDateField(label=_("Hiệu lực từ"))
    valid_to = VnDateField(label=_("Hiệu lực đến"), required=False)

    class Meta:
        model = Schedule
        fields = ["valid_from", "valid_to", "age_min", "age_below", "primary_doses", "min_interval_days",
                  "recommended_interval_days", "mixable_with", "usable_as_booster", "source_document", "confirmed",
                  "unconfirmed_fields", "notes"]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Tên chỉ tiêu"), max_length=200)
    disease = forms.ChoiceField(label=_("Bệnh"), required=False, choices=[])
    target = forms.ChoiceField(label=_("Chỉ tiêu"), choices=[("dose1", _("Ít nhất 1 mũi")), ("full", _("Đủ liều cơ bản")), ("booster", _("Mũi nhắc lại")),
                                                             ("catch_up", _("Tiêm bù đủ số mũi"))])
    age_min = forms.IntegerField(label=_("Từ tuổi"), min_value=0, max_value=120, required=False)
    age_min_months = forms.IntegerField(label=_("Từ tháng tuổi"), min_value=0, max_value=1440, required=False,
                                        help_text=_("Tiêm bù: để trống thì lấy theo chính sách của bệnh đang có hiệu lực"))
    target_doses = forms.IntegerField(label=_("Số mũi cần đủ"), min_value=1, max_value=10, required=False)
    age_below = forms.IntegerField(label=_("Dưới tuổi"), min_value=1, max_value=121, required=False)
    target_pct = forms.DecimalField(label=_("Tỷ lệ mục tiêu (%)"), min_value=1, max_value=100, initial=100)
    starts_on = VnDateField(label=_("Bắt đầu (dd/mm/yyyy)"))
    deadline = VnDateField(label=_("Hạn hoàn thành (dd/mm/yyyy)"))
    unit = forms.ModelChoiceField(queryset=None, label=_("Địa bàn"))
    source = forms.CharField(label=pgettext_lazy("target source", "Văn bản chỉ đạo"), max_length=250, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.scoping import visible_units

        self.fields["unit"].queryset = visible_units(user).order_by("path")
        from diseases.selectors import disease_choices

        self.fields["disease"].choices = disease_choices()

    def clean(self):
        data = super().clean()
        if data.get("target") != "catch_up":
            if data.get("age_min") is None:
                self.add_error("age_min", _("Cần nhập từ tuổi."))
            data.pop("age_min_months", None)
            data.pop("target_doses", None)
            if not data.get("disease"):
                data.pop("disease", None)
        return data
