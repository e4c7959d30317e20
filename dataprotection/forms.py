import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diseases.forms import DateField

from .models import RequestKind, SubjectRequest


class DateTimeField(forms.CharField):
    """dd/mm/yyyy hh:mm, in the installation's time zone."""

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                return timezone.make_aware(dt.datetime.strptime(value, fmt))
            except ValueError:
                continue
        raise forms.ValidationError(_("Ngày giờ không hợp lệ, ghi dd/mm/yyyy hh:mm"))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=RequestKind.choices)
    person = forms.IntegerField(label=_("Mã hồ sơ người (số #)"), min_value=1)
    requester = forms.CharField(label=_("Người yêu cầu (chủ thể hoặc người đại diện)"), max_length=150)
    received_on = DateField(label=_("Ngày nhận (dd/mm/yyyy)"))
    detail = forms.CharField(label=_("Nội dung yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Quyết định"), choices=SubjectRequest.Decision.choices)
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), widget=forms.Textarea(attrs={"rows": 3}))
    answered_on = DateField(label=_("Ngày trả lời (dd/mm/yyyy)"))


class BreachForm(forms.Form):
    title = forms.CharField(label=_("Sự cố"), max_length=200)
    detected_at = DateTimeField(label=_("Phát hiện lúc (dd/mm/yyyy hh:mm)"))
    categories = forms.CharField(label=_("Loại dữ liệu bị ảnh hưởng"), max_length=300)
    affected_people = forms.IntegerField(label=_("Số người bị ảnh hưởng"), min_value=0, initial=0)
    affected_records = forms.IntegerField(label=_("Số bản ghi bị ảnh hưởng"), min_value=0, initial=0)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Biện pháp khắc phục"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NotifiedForm(forms.Form):
    notified_at = DateTimeField(label=_("Đã thông báo A05 lúc (dd/mm/yyyy hh:mm)"))
    reference = forms.CharField(label=_("Số văn bản thông báo"), max_length=100, required=False)
