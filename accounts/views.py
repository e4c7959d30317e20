import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token


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
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
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
    token = None
    if request.method == "POST" and request.POST.get("action") == "token":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user).key  # shown once
        messages.success(request, _("Đã tạo mã truy cập API mới. Hãy lưu lại: mã chỉ hiện một lần."))
    has_2fa = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "accounts/profile.html", {"token": token, "has_2fa": has_2fa})
