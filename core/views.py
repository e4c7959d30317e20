"""View plumbing shared by every app: role checks and jurisdiction-scoped querysets (via core.scoping)."""
from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext_lazy

from .scoping import get_for_user

# --- Role checks: one decorator for function views, one mixin for class-based views ------------------------------
# Both take the same two sets (from core.roles or an app's roles.py): `roles` (allowed_roles) to open the view at all,
# and optionally `edit_roles`, required in addition for a write (any method but GET, HEAD, OPTIONS). An anonymous
# user is sent to sign-in; a signed-in user without the role gets 403. Nothing else checks roles in a view body:
# what a page *shows* per role (a button) uses `user.has_role(...)` or `core.roles.can(...)` in the context.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def check_roles(request, roles, edit_roles=None) -> None:
    """403 unless the user has a role in `roles` (and, for a write, in `edit_roles`). The decorator and the mixin
    call this; views do not."""
    if roles is not None and not request.user.has_role(roles):
        raise PermissionDenied
    if edit_roles is not None and request.method not in SAFE_METHODS and not request.user.has_role(edit_roles):
        raise PermissionDenied


def role_required(roles, *, edit_roles=None, anonymous_404: bool = False):
    """Decorator for function views (replaces @login_required): see the section's comment. `anonymous_404`:
    JSON/FHIR endpoints answer an anonymous caller 404, not an HTML sign-in page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if anonymous_404:
                    raise Http404
                return redirect_to_login(request.get_full_path())
            check_roles(request, roles, edit_roles)
            return view(request, *args, **kwargs)

        # Read by core.access.may_open: the menu and page links show only what the view lets the user open.
        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    """The class-based views' role_required: `allowed_roles` to open the view, `edit_roles` in addition for a
    write. Both are sets from core.roles (or an app's roles.py)."""

    allowed_roles: frozenset | None = None
    edit_roles: frozenset | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_roles(request, self.allowed_roles, self.edit_roles)
        return super().dispatch(request, *args, **kwargs)


def scoped_object(request, model_or_qs, **lookup):
    """For function views: the object if the user may see it, else 404."""
    return get_for_user(model_or_qs, request.user, **lookup)


def home(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from django.shortcuts import redirect

    from .dashboard import home_url_for, tiles_for

    home_url = home_url_for(request.user)  # e.g. the leadership's dashboard with its epidemic curves
    if home_url:
        return redirect(home_url)
    return render(request, "core/home.html", {"tiles": tiles_for(request)})


def jobs(request):
    """Scheduled jobs for administrators: each job's last run, failed or missed runs, and the latest runs."""
    from core.roles import JOB_READERS

    from .jobs import SCHEDULE, job_status
    from .models import JobRun

    @role_required(JOB_READERS)
    def view(request):
        runs = JobRun.objects.all()
        job = request.GET.get("job", "")
        if job:
            runs = runs.filter(job=job)
        failed_only = request.GET.get("failed") == "1"
        if failed_only:
            runs = runs.filter(outcome=JobRun.Outcome.FAILED)
        status = job_status()
        return render(request, "core/jobs.html", {
            "status": status, "problems": [s for s in status if not s["ok"]], "runs": runs[:200],
            "job": job, "failed_only": failed_only, "names": sorted(SCHEDULE),
        })

    return view(request)


# --- error pages ---------------------------------------------------------------------------------------------------
# In the site's frame (menu, language switch) with a way back, in the user's language. Wired in phongdich/urls.py
# (handler403/404/500) and settings.CSRF_FAILURE_VIEW.
_ERRORS = {
    403: (pgettext_lazy("error page", "Không có quyền xem trang này"),
          pgettext_lazy("error page", "Vai trò của bạn không được mở trang này. Nếu bạn cần, hãy đề nghị quản trị hệ thống cấp quyền.")),
    404: (pgettext_lazy("error page", "Không tìm thấy trang"),
          pgettext_lazy("error page", "Trang hoặc hồ sơ này không có, hoặc không thuộc địa bàn của bạn.")),
    500: (pgettext_lazy("error page", "Hệ thống gặp lỗi"),
          pgettext_lazy("error page", "Đã có lỗi khi xử lý yêu cầu; lỗi đã được ghi lại. Dữ liệu bạn đã lưu không bị mất. Hãy thử lại sau ít phút.")),
    "csrf": (pgettext_lazy("error page", "Phiên làm việc đã hết hạn"),
             pgettext_lazy("error page", "Biểu mẫu đã quá cũ hoặc trình duyệt chặn cookie. Hãy tải lại trang, nhập lại và gửi lần nữa.")),
}
# When even the frame cannot be drawn (database down): both languages, no template, no query.
_BARE_500 = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi hệ thống / Server error</title>'
    "<h1>Hệ thống gặp lỗi / Server error</h1><p>Hãy thử lại sau ít phút. / Please try again in a few minutes.</p>"
    '<p><a href="/">Về trang chủ / Home</a></p></html>'
)


def _back_url(request) -> str | None:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return None


def _error_page(request, key, status: int):
    title, text = _ERRORS[key]
    context = {"error_title": title, "error_text": text, "back_url": _back_url(request)}
    return render(request, "_error.html", context, status=status)


def permission_denied(request, exception=None):
    return _error_page(request, 403, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404, 404)


def server_error(request):
    try:
        return _error_page(request, 500, 500)
    except Exception:  # the frame itself failed (database, template): answer without it
        return HttpResponseServerError(_BARE_500)


def csrf_failure(request, reason=""):
    return _error_page(request, "csrf", 403)
