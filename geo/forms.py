from django import forms
from django.utils.translation import gettext_lazy as _

from core.scoping import visible_units

from .models import Level, Structure, Village


class VillageForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=None, label=_("Xã/phường/thị trấn"))
    name = forms.CharField(label=_("Tên thôn/làng/tổ dân phố"), max_length=120)
    kind = forms.ChoiceField(label=_("Loại"), choices=Village.Kind.choices, initial=Village.Kind.THON)
    code = forms.CharField(label=_("Mã (nếu có)"), max_length=20, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = visible_units(user).filter(level=Level.COMMUNE).select_related("parent").order_by("path")
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = lambda u: f"{u.name} – {u.parent.name}" if u.parent_id else u.name
        if len(communes[:2]) == 1:
            self.fields["commune"].initial = communes[0]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))
    valid_only = forms.BooleanField(
        label=_("Chỉ nhập các dòng hợp lệ (bỏ qua dòng lỗi)"), required=False,
        help_text=_("Nếu không chọn, tệp có một dòng lỗi sẽ không được nhập dòng nào."),
    )


class BoundaryImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp GeoJSON"))
    code_property = forms.CharField(
        label=_("Thuộc tính chứa mã GSO (để trống: ma_xa / ma_huyen / ma_tinh)"), required=False, max_length=60,
    )
    structure = forms.ChoiceField(label=_("Cơ cấu hành chính"), choices=Structure.choices, initial=Structure.PRE_2025)


class RegionForm(forms.Form):
    """A health region: its name, the centre that serves it, and its communes (of the installation's province)."""

    name = forms.CharField(label=_("Tên khu vực"), max_length=150)
    centre_name = forms.CharField(label=_("Cơ sở y tế phụ trách"), max_length=200, required=False,
                                  help_text=_("Ví dụ: Trung tâm Y tế khu vực Đăk Tô"))
    communes = forms.ModelMultipleChoiceField(queryset=None, label=_("Các xã/phường"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, province=None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import HealthRegion

        # The 2025 communes of the province only: a pre-2025 commune or another province's is not offered (and the
        # service refuses it when posted anyway).
        self.fields["communes"].queryset = (province.children.filter(level=Level.COMMUNE).order_by("name_folded")
                                            if province is not None else Village.objects.none())
        # Say beside each commune which other region already holds it (a commune is in at most one region).
        links = HealthRegion.communes.through.objects.filter(healthregion__province=province)
        if region is not None:
            links = links.exclude(healthregion_id=region.pk)
        taken = dict(links.values_list("administrativeunit_id", "healthregion__name")) if province is not None else {}
        self.fields["communes"].label_from_instance = (
            lambda u: f"{u.name} ({_('thuộc %(region)s') % {'region': taken[u.pk]}})" if u.pk in taken else u.name)
