"""Administrators must pass a second factor before anything else; other users may opt in."""
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/public/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            if has_device:
                return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
            if user.requires_two_factor:
                return redirect(reverse("accounts:otp_setup"))
        return self.get_response(request)
