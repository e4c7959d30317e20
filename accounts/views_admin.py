"""User management pages: system administrators (the whole installation) and the Department of Health (its province).

Access: accounts.roles "users.manage"; which users and places: accounts.services (User.scope_for_user through
core.scoping). Every change goes through accounts.services, which writes the audit row."""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Invalid
from core.imports import FileRejected
from core.scoping import scope, visible_units
from core.views import role_required, scoped_object

from . import imports, services
from .models import Agency, ApiToken, User
from .roles import USER_MANAGERS, Role


def _units(by):
    # Units of this installation that `by` may give, on both structures (geo.areas).
    from geo.areas import installation_units_q

    return visible_units(by).filter(installation_units_q()).order_by("path")


def _roles(by, current=None):
    return services.roles_offered(by, current)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indented by depth, so the province → district → commune tree reads in a plain select.
        return "\u2003" * (obj.path.count("/") - 2) + obj.name


class UserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"))
    unit = UnitChoiceField(label=gettext_lazy("Địa bàn phụ trách"), queryset=None, required=False)
    facility = forms.ModelChoiceField(label=gettext_lazy("Cơ sở"), queryset=None, required=False)
    agency = forms.ModelChoiceField(label=gettext_lazy("Cơ quan"), queryset=Agency.objects.all(), required=False)
    region = forms.ModelChoiceField(label=gettext_lazy("Khu vực y tế"), queryset=None, required=False,
                                    help_text=gettext_lazy("Địa bàn của cán bộ Trung tâm Y tế khu vực"))
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    def __init__(self, *args, by, editing=False, current_role=None, **kw):
        super().__init__(*args, **kw)
        from facilities.models import Facility
        from geo.models import HealthRegion

        self.fields["role"].choices = _roles(by, current_role)
        self.fields["region"].queryset = scope(HealthRegion.objects.all(), by).order_by("name")
        self.fields["unit"].queryset = _units(by)
        self.fields["facility"].queryset = scope(Facility.objects.all(), by).order_by("name")
        if editing:
            del self.fields["username"]


def _form_values(form) -> dict:
    return {k: form.cleaned_data[k] for k in services.PROFILE_FIELDS if k in form.cleaned_data}


def _apply_invalid(form, exc: Invalid) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@role_required(USER_MANAGERS)
def user_list(request):
    qs = services.manageable_users(request.user).select_related("unit", "facility", "agency", "region")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    if request.GET.get("role") in Role.values:
        qs = qs.filter(role=request.GET["role"])
    if request.GET.get("active") in ("0", "1"):
        qs = qs.filter(is_active=request.GET["active"] == "1")
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    # The filter lists every role a user may have, those of the other structure included (users who kept theirs).
    context = {"page_obj": page, "q": q, "roles": [(v, label) for v, label in Role.choices if v != Role.SYSADMIN or request.user.sees_everything],
               "querystring": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page")}
    return render(request, "accounts/users/_results.html" if request.htmx else "accounts/users/list.html", context)


@role_required(USER_MANAGERS)
def user_create(request):
    form = UserForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_user(by=request.user, username=form.cleaned_data["username"], **_form_values(form))
        except Invalid as exc:
            _apply_invalid(form, exc)
        else:
            messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": user.username})
            return render(request, "accounts/users/password.html", {"target": user, "password": password})
    return render(request, "accounts/users/form.html", {"form": form})


@role_required(USER_MANAGERS)
def user_detail(request, pk):
    target = scoped_object(request, User.objects.select_related("unit", "facility", "agency", "region"), pk=pk)
    initial = {f: getattr(target, f) for f in services.PROFILE_FIELDS}
    form = UserForm(by=request.user, editing=True, initial=initial, current_role=target.role)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                form = UserForm(request.POST, by=request.user, editing=True, initial=initial, current_role=target.role)
                if form.is_valid():
                    services.update_user(by=request.user, user=target, **_form_values(form))
                    messages.success(request, _("Đã lưu."))
                    return redirect("accounts:user_detail", pk=target.pk)
            elif action in ("deactivate", "activate"):
                services.set_active(by=request.user, user=target, active=action == "activate")
                messages.success(request, _("Đã mở khóa tài khoản.") if action == "activate" else _("Đã khóa tài khoản."))
                return redirect("accounts:user_detail", pk=target.pk)
            elif action == "reset_password":
                password = services.reset_password(by=request.user, user=target)
                return render(request, "accounts/users/password.html", {"target": target, "password": password})
            elif action == "reset_otp":
                services.reset_second_factor(by=request.user, user=target)
                messages.success(request, _("Đã xóa xác thực hai lớp; người dùng sẽ cài lại ở lần đăng nhập sau."))
                return redirect("accounts:user_detail", pk=target.pk)
            elif action == "revoke_token":
                token = ApiToken.objects.filter(user=target, pk=request.POST.get("token") or 0).first()
                if token is not None and services.revoke_token(by=request.user, token=token):
                    messages.success(request, _("Đã thu hồi mã “%(name)s”.") % {"name": token.name})
                return redirect("accounts:user_detail", pk=target.pk)
        except Invalid as exc:
            if action == "save":
                _apply_invalid(form, exc)
            else:
                messages.error(request, str(exc))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return render(request, "accounts/users/detail.html", {
        "target": target, "form": form, "tokens": target.api_tokens.all()[:50],
        "has_2fa": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
    })


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp danh sách cán bộ (XLSX hoặc CSV)"))


@role_required(USER_MANAGERS)
def user_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = created = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result, created = imports.bulk_create_users(by=request.user, data=upload.read(), filename=upload.name)
        except FileRejected as exc:
            form.add_error("file", f"{exc.message_vi} / {exc.message_en}")
    return render(request, "accounts/users/import.html", {"form": form, "result": result, "created": created})
