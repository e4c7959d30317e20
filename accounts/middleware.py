"""The second factor guards every authenticated path, and a user who must choose a new password does so first.

Only the pages that complete these steps (sign-in and out, second-factor set-up and entry, password change), static
files and the public pages are open to a session that has not passed them. API calls made with a session get a JSON
403 instead of a redirect; API calls with a token never reach here authenticated (DRF authenticates them in the view),
and a token can only be minted from a verified session (accounts.views.tokens).
"""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

ALWAYS_OPEN = ("/static/", "/i18n/", "/public/")


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:login"), reverse("accounts:logout"), reverse("accounts:otp_setup"),
        reverse("accounts:otp_verify"), reverse("accounts:password_change"),
    )


def _is_public(path: str) -> bool:
    # Public pages of the apps (self-report, certificate verification, level map) live under .../cong-khai/.
    return path.startswith(ALWAYS_OPEN) or "/cong-khai/" in path


def needs_second_factor(user) -> bool:
    """True when this signed-in session has not passed a second factor it must pass: the user has one set up, or
    his role requires one."""
    if user.is_verified():
        return False
    if user.requires_two_factor:
        return True
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_public(request.path):
            return self.get_response(request)
        if self._open is None:
            self._open = _open_paths()
        if request.path in self._open:
            return self.get_response(request)
        if needs_second_factor(user):
            if request.path.startswith("/api/"):
                return _api_refusal("Cần xác thực hai lớp trước khi dùng API bằng phiên đăng nhập.",
                                    "A second factor is required before using the API with a session.", "otp_required")
            from django_otp import devices_for_user

            if any(True for _ in devices_for_user(user, confirmed=True)):
                return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
            return redirect(reverse("accounts:otp_setup"))
        if user.must_change_password and not settings.PHONGDICH_DEMO:
            if request.path.startswith("/api/"):
                return _api_refusal("Hãy đổi mật khẩu trước khi tiếp tục.", "Change your password before continuing.",
                                    "password_change_required")
            return redirect(f"{reverse('accounts:password_change')}?next={request.get_full_path()}")
        return self.get_response(request)


def _api_refusal(vi: str, en: str, code: str) -> JsonResponse:
    # The project's one error shape (core.api.exception_handler).
    return JsonResponse({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en, "code": code}, status=403)
