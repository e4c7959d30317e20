import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import Invalid

from . import services
from .middleware import needs_second_factor
from .models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class OtpForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Mã xác thực 6 số"), max_length=8, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").png_data_uri(scale=5)


@login_required
def otp_setup(request):
    """Two-factor set-up with an authenticator app (TOTP). Required for administrators."""
    device = services.pending_second_factor(user=request.user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_second_factor(user=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect("core:home")
        form.add_error("token", _("Mã không đúng. Hãy thử lại."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret})


@login_required
def otp_verify(request):
    form = OtpForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                return redirect(next_url)
        form.add_error("token", _("Mã không đúng. Hãy thử lại."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@login_required
def profile(request):
    has_2fa = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")[:50]
    return render(request, "accounts/profile.html", {
        "has_2fa": has_2fa, "tokens": tokens, "token_form": TokenForm(), "new_key": request.session.pop("new_api_key", None),
    })


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên thiết bị"), max_length=100,
                           help_text=gettext_lazy("Ví dụ: “Điện thoại tổ chăm sóc số 3”"))
    days = forms.IntegerField(label=gettext_lazy("Thời hạn (ngày)"), min_value=1, required=False)


@login_required
@require_POST
def token_create(request):
    """Mints a named API token. A token outlives the session, so only a session that passed a second factor mints
    one: a user without a second factor is sent to set one up first."""
    if not request.user.is_verified():
        messages.info(request, _("Để tạo mã truy cập API, hãy bật và xác nhận xác thực hai lớp trước."))
        if needs_second_factor(request.user):
            return redirect(f"{reverse('accounts:otp_verify')}?next={reverse('accounts:profile')}")
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = services.create_token(user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            # Shown once, on the page the redirect leads to; only its digest is kept.
            request.session["new_api_key"] = key
            messages.success(request, _("Đã tạo mã truy cập API. Hãy lưu lại ngay: mã chỉ hiện một lần."))
    else:
        messages.error(request, _("Hãy đặt tên cho mã (ví dụ tên thiết bị)."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if services.revoke_token(by=request.user, token=token):
        messages.success(request, _("Đã thu hồi mã “%(name)s”.") % {"name": token.name})
    return redirect("accounts:profile")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("Mật khẩu hiện tại"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=gettext_lazy("Mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text=gettext_lazy("Ít nhất 10 ký tự, không phổ biến, không chỉ gồm chữ số, có chữ lẫn số hoặc ký hiệu."))
    new_password2 = forms.CharField(label=gettext_lazy("Nhập lại mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp."))
        return data


@login_required
def password_change(request):
    """Every user changes his own password here; a user who must (demo account, new or reset account) is sent here
    by accounts.middleware until he does."""
    from django.contrib.auth import update_session_auth_hash

    next_url = request.GET.get("next") or request.POST.get("next") or reverse("accounts:profile")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("accounts:profile")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(user=request.user, old_password=form.cleaned_data["old_password"],
                                         new_password=form.cleaned_data["new_password"])
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            update_session_auth_hash(request, request.user)  # stay signed in; other sessions end
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect(next_url)
    return render(request, "accounts/password_change.html", {"form": form, "next": next_url,
                                                             "forced": request.user.must_change_password})
