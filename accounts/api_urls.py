"""REST API routes of the accounts app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import OwnTokenViewSet, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("me/api-tokens", OwnTokenViewSet, basename="api-token")
urlpatterns = router.urls

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md). The user page's actions:
# save → PATCH user-detail; lock/unlock → user-deactivate / user-reactivate; user-reset-password,
# user-reset-second-factor, user-revoke-token. The profile's "thu hồi" → api-token-revoke.
UI_WRITES = {
    "accounts:user_create": "user-list",  # POST /api/users/
    "accounts:user_import": "user-import-users",
    "accounts:user_detail": "user-detail",
    "accounts:token_create": "api-token-list",  # POST /api/me/api-tokens/ (a session verified by the second factor)
    "accounts:token_revoke": "api-token-revoke",
    "accounts:otp_setup": "exempt: enrolling a second factor shows its secret (QR code) once, to the signed-in browser "
                          "session that then scans it; exposing a TOTP secret through a bearer token would let a "
                          "stolen token enrol its own factor",
    "accounts:otp_verify": "exempt: it marks the browser session as verified by the second factor; an API client has "
                           "no session (a token is minted only by a verified session)",
    "accounts:password_change": "exempt: a user changes his own password in his signed-in browser session (old password "
                                "asked, the session hash updated); a bearer token must never be able to replace the "
                                "password and take the account over",
}
