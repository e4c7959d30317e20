from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from diseases.forms import DateField

from .models import ReceiptSource


class FastSelect(forms.Select):
    """A select rendered in Python: Django renders each option through a template (about 1 ms apiece), and a store
    page offers hundreds of items and lots."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import escape, format_html
        from django.utils.safestring import mark_safe

        attrs = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else str(value)
        parts = [format_html('<select name="{}"{}>', name, mark_safe("".join(f' {k}="{escape(v)}"' for k, v in attrs.items() if v is not True)
                                                                      + "".join(f" {k}" for k, v in attrs.items() if v is True)))]
        for key, label in self.choices:
            key = "" if key is None else str(getattr(key, "value", key))
            parts.append(f'<option value="{escape(key)}"{" selected" if key == chosen else ""}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))


class ReceiptForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Vật tư"), queryset=None, widget=FastSelect)
    lot_code = forms.CharField(label=_("Số lô"), max_length=40, required=False)
    expires_on = DateField(label=_("Hạn dùng (dd/mm/yyyy)"), required=False)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=10_000_000)
    document = forms.CharField(label=_("Chứng từ nguồn"), max_length=120, help_text=_("Hóa đơn, quyết định phân bổ, biên bản tài trợ…"))
    source = forms.ChoiceField(label=_("Nguồn"), choices=ReceiptSource.choices)

    def __init__(self, *args, items=None, **kw):
        super().__init__(*args, **kw)
        self.fields["item"].queryset = items


class LotActionForm(forms.Form):
    """Issue, return, disposal or count of one lot held by the store."""

    ACTIONS = [("issue", _("Xuất sử dụng")), ("return", _("Nhập trả lại")), ("disposal", _("Hủy (hết hạn, hỏng)")),
               ("count", _("Kiểm kê (số đếm được)"))]
    action = forms.ChoiceField(label=_("Thao tác"), choices=ACTIONS)
    lot = forms.ModelChoiceField(label=_("Lô"), queryset=None, widget=FastSelect)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=0, max_value=10_000_000)
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)

    def __init__(self, *args, lots=None, **kw):
        super().__init__(*args, **kw)
        self.fields["lot"].queryset = lots


class DispatchForm(forms.Form):
    to_store = forms.ModelChoiceField(label=_("Kho nhận"), queryset=None)
    lot = forms.ModelChoiceField(label=_("Lô"), queryset=None, widget=FastSelect)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=10_000_000)
    document = forms.CharField(label=_("Số phiếu xuất"), max_length=120, required=False)

    def __init__(self, *args, stores=None, lots=None, **kw):
        super().__init__(*args, **kw)
        self.fields["to_store"].queryset = stores
        self.fields["lot"].queryset = lots


class RequestForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Vật tư"), queryset=None, widget=FastSelect)
    quantity = forms.IntegerField(label=_("Số lượng đề nghị"), min_value=1, max_value=10_000_000)
    need_note = forms.CharField(label=_("Căn cứ nhu cầu"), max_length=300, required=False)

    def __init__(self, *args, items=None, **kw):
        super().__init__(*args, **kw)
        self.fields["item"].queryset = items


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Quyết định"), choices=[("1", _("Duyệt")), ("0", pgettext_lazy("decision", "Từ chối"))], coerce=lambda v: v == "1")
    quantity = forms.IntegerField(label=_("Số lượng duyệt"), min_value=1, max_value=10_000_000, required=False)
    from_store = forms.ModelChoiceField(label=_("Xuất ngay từ kho"), queryset=None, required=False, widget=FastSelect)
    note = forms.CharField(label=_("Ý kiến"), max_length=300, required=False)

    def __init__(self, *args, stores=None, **kw):
        super().__init__(*args, **kw)
        self.fields["from_store"].queryset = stores


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy bút toán"), max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp XLSX hoặc CSV"))
