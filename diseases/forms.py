import json

from django import forms
from django.utils.translation import gettext_lazy as _

from core.parsing import ParseError, parse_date

from .models import RuleKind
from .rules import is_ruleset_kind


class DateField(forms.CharField):
    """dd/mm/yyyy as users write it."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_date(value)
        except ParseError as exc:
            raise forms.ValidationError(str(exc))


class RuleVersionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại quy định"), choices=lambda: [
        (k, label) for k, label in RuleKind.choices if is_ruleset_kind(k)])
    name = forms.CharField(label=_("Tên phiên bản"), max_length=200)
    source_document = forms.CharField(label=_("Văn bản nguồn"), max_length=200, help_text=_("Ví dụ: 261/QĐ-BYT ngày 31/01/2022"))
    valid_from = DateField(label=_("Hiệu lực từ (dd/mm/yyyy)"))
    values = forms.CharField(label=_("Giá trị (JSON)"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_values(self):
        try:
            return json.loads(self.cleaned_data["values"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("JSON không hợp lệ: %(err)s") % {"err": exc})
