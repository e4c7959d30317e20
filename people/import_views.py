"""The people import page: upload a CSV/XLSX, see every bad row (line, column, reason in Vietnamese and English)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.batches import start_import
from core.roles import PERSON_EDITORS
from core.scoping import visible_units
from geo.models import Level


class PersonImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))
    default_commune = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Xã mặc định (cho dòng không ghi xã)"),
    )
    valid_only = forms.BooleanField(
        label=_("Chỉ nhập các dòng hợp lệ (bỏ qua dòng lỗi)"), required=False,
        help_text=_("Nếu không chọn, tệp có một dòng lỗi sẽ không được nhập dòng nào."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = visible_units(user).filter(level=Level.COMMUNE).select_related("parent").order_by("path")
        field = self.fields["default_commune"]
        field.queryset = communes
        field.label_from_instance = lambda u: f"{u.name} – {u.parent.name}" if u.parent_id else u.name
        if len(communes[:2]) == 1:
            field.initial = communes[0]


@login_required
def person_import(request):
    if not request.user.has_role(PERSON_EDITORS):
        raise PermissionDenied
    form = PersonImportForm(request.POST or None, request.FILES or None, user=request.user)
    batch = None
    if request.method == "POST" and form.is_valid():
        commune = form.cleaned_data["default_commune"]
        batch = start_import(kind="people", by=request.user, upload=form.cleaned_data["file"], options={
            "mode": "valid_only" if form.cleaned_data["valid_only"] else "all", "default_commune": commune.pk if commune else None})
    return render(request, "people/import.html", {"form": form, "batch": batch})
