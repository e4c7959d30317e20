from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Pool, Result, TestKind

DATE = {"input_formats": ["%d/%m/%Y", "%Y-%m-%d"],
        "widget": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})}


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, **DATE)


class TestForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    disease = forms.ChoiceField(label=_("Bệnh"), choices=[], required=False)
    kind = forms.ChoiceField(label=_("Loại xét nghiệm"), choices=TestKind.choices)
    sample_code = forms.CharField(label=_("Mã mẫu"), max_length=40)
    taken_on = date_field(_("Ngày lấy mẫu"))
    result = forms.ChoiceField(label=_("Kết quả"), choices=Result.choices, initial=Result.PENDING)
    reported_on = date_field(_("Ngày trả kết quả"), required=False)
    ct_value = forms.DecimalField(label=_("Giá trị CT (RT-PCR)"), required=False, decimal_places=1, max_digits=4)
    reason = forms.CharField(label=_("Lý do xét nghiệm"), max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from diseases.selectors import disease_choices

        # The default disease first and chosen; a single-disease installation does not ask.
        self.fields["disease"].choices = disease_choices()
        # Offer only the kinds some disease of the picker takes (IgM / NS1 where a case definition names them);
        # a kind that does not fit the chosen disease is still refused by testing.services.record_test.
        from .rules import allowed_kinds

        codes = [c for c, _n in self.fields["disease"].choices] or [None]
        offered = {k for code in codes for k in allowed_kinds(code)}
        self.fields["kind"].choices = [c for c in TestKind.choices if c[0] in offered]
        if len(self.fields["disease"].choices) < 2:
            del self.fields["disease"]


class ResultForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Kết quả"), choices=[c for c in Result.choices if c[0] != Result.PENDING])
    reported_on = date_field(_("Ngày trả kết quả"))
    ct_value = forms.DecimalField(label=_("Giá trị CT (RT-PCR)"), required=False, decimal_places=1, max_digits=4)


class PoolForm(forms.Form):
    code = forms.CharField(label=_("Mã mẫu gộp"), max_length=40)
    size = forms.TypedChoiceField(label=_("Số mẫu gộp"), choices=[(s, s) for s in Pool.SIZES], coerce=int)
    commune = forms.ModelChoiceField(label=_("Nơi lấy mẫu"), queryset=None)
    taken_on = date_field(_("Ngày lấy mẫu"))

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class PoolResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Kết quả mẫu gộp"), choices=[(Result.NEGATIVE, Result.NEGATIVE.label), (Result.POSITIVE, Result.POSITIVE.label)])
    reported_on = date_field(_("Ngày trả kết quả"))
    ct_value = forms.DecimalField(label=_("Giá trị CT"), required=False, decimal_places=1, max_digits=4)


class MemberTestForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    sample_code = forms.CharField(label=_("Mã mẫu đơn"), max_length=40)
    taken_on = date_field(_("Ngày lấy mẫu"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp kết quả (CSV hoặc XLSX)"))
    valid_only = forms.BooleanField(label=_("Chỉ nhập các dòng hợp lệ"), required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Tên đợt sàng lọc"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Địa bàn tổ chức"), queryset=None)
    deadline = date_field(_("Hạn (ngày phải có kết quả)"))
    within_days = forms.IntegerField(label=_("Xét nghiệm âm tính trong vòng (ngày) trước hạn"), min_value=1, max_value=60, initial=3)
    accepted_kinds = forms.MultipleChoiceField(label=_("Loại xét nghiệm được chấp nhận"), choices=TestKind.choices,
                                               widget=forms.CheckboxSelectMultiple, initial=[TestKind.RAPID_ANTIGEN, TestKind.RT_PCR])

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("Danh sách (CSV hoặc XLSX)"))
