"""View plumbing shared by every app: role checks and jurisdiction-scoped querysets (via core.scoping)."""
from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .scoping import get_for_user, scope


class RoleRequiredMixin(LoginRequiredMixin):
    """`allowed_roles` for reading; `edit_roles` for POST. Both are sets from accounts.roles."""

    allowed_roles: frozenset | None = None
    edit_roles: frozenset | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        roles = self.edit_roles if request.method not in ("GET", "HEAD", "OPTIONS") and self.edit_roles else self.allowed_roles
        if roles is not None and not request.user.has_role(roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(RoleRequiredMixin):
    """ListView/DetailView/UpdateView mixin: the queryset is always restricted to the user's jurisdiction."""

    model = None

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return scope(self.base_queryset(), self.request.user)


def require_role(user, roles) -> None:
    """For function views behind @login_required: 403 unless the user's role is in `roles` (accounts.roles sets)."""
    if not user.has_role(roles):
        raise PermissionDenied


def role_required(roles, *, anonymous_404: bool = False):
    """Decorator for function views: an anonymous user is sent to sign-in (back to this page afterwards), a signed-in
    user without a role in `roles` gets 403 as with require_role. `anonymous_404`: JSON/FHIR endpoints answer an
    anonymous caller 404, not an HTML sign-in page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if anonymous_404:
                    raise Http404
                return redirect_to_login(request.get_full_path())
            require_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scoped_object(request, model_or_qs, **lookup):
    """For function views: the object if the user may see it, else 404."""
    return get_for_user(model_or_qs, request.user, **lookup)


def home(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from .dashboard import tiles_for

    return render(request, "core/home.html", {"tiles": tiles_for(request)})


def jobs(request):
    """Scheduled jobs for administrators: each job's last run, failed or missed runs, and the latest runs."""
    from accounts.roles import JOB_READERS

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
