"""No-login pages: the patient's self-report link and the public check of a recovery certificate.

Self-report: the token is 32 random bytes (cannot be guessed); it dies when the case is released, transferred or
leaves home care; each token may send at most SELF_REPORT_PER_HOUR submissions, and each client address at most
BAD_TOKEN_PER_HOUR requests with unknown tokens (answers 429 beyond).
"""
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from core.auditing import record_read
from core.errors import Invalid
from core.ratelimit import client_key, hit, over_limit, too_many

from . import services
from .forms import CheckForm
from .models import RecoveryCertificate

SELF_REPORT_PER_HOUR = 12
BAD_TOKEN_PER_HOUR = 30
VERIFY_PER_HOUR = 120  # certificate checks per client address


@csrf_protect
def self_report(request, token):
    if over_limit(f"cases:badtok:{client_key(request)}", BAD_TOKEN_PER_HOUR):
        return too_many()
    case = services.case_for_token(token)
    if case is None:
        hit(f"cases:badtok:{client_key(request)}", BAD_TOKEN_PER_HOUR)
        return render(request, "cases/public/link_dead.html", status=404)
    rule = services.check_rule(case)
    form = CheckForm(request.POST or None, rule=rule)
    result = None
    if request.method == "POST":
        if hit(f"cases:selfreport:{case.pk}", SELF_REPORT_PER_HOUR):
            return too_many()
        if request.POST.get("help"):
            services.raise_help_request(case=case, message=request.POST.get("message", "")[:200])
            return render(request, "cases/public/self_report.html", {"form": CheckForm(rule=rule), "help_sent": True, "first_name": _first_name(case)})
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                result = services.record_check(by=None, case=case, data=data, idempotency_key=data.pop("idempotency_key") or "", by_patient=True)
                form = CheckForm(rule=rule)
            except Invalid as exc:
                form.add_error(None, exc.vi if request.LANGUAGE_CODE != "en" else exc.en)
    return render(request, "cases/public/self_report.html", {"form": form, "result": result, "first_name": _first_name(case)})


def _first_name(case) -> str:
    # Only the given name: the page must not expose more than the patient needs to recognise it is his.
    return case.person.full_name.split()[-1] if case.person.full_name else ""


def verify_certificate(request, token):
    # Every check counts against the address (a scanner at a checkpoint stays far below), and unknown codes count
    # separately and much lower: guessing codes is refused with 429 before it can find anything.
    who = client_key(request)
    if over_limit(f"cases:badcert:{who}", BAD_TOKEN_PER_HOUR) or hit(f"cases:verify:{who}", VERIFY_PER_HOUR):
        return too_many()
    cert = RecoveryCertificate.objects.select_related("case__person").filter(verify_token=token).first() if len(token) >= 20 else None
    if cert is None:
        hit(f"cases:badcert:{who}", BAD_TOKEN_PER_HOUR)
        return render(request, "cases/public/verify.html", {"cert": None}, status=404)
    if cert.revoked_at:
        # Says so clearly, and nothing about the person.
        return render(request, "cases/public/verify.html", {"cert": None, "revoked": True}, status=410)
    # A read of a person's data by someone without an account: audited with the client's address.
    record_read(by=None, actor_label="public", obj=cert, person_id=cert.case.person_id, note="public certificate check")
    return render(request, "cases/public/verify.html", {
        "cert": cert, "name": cert.case.person.full_name, "birth_year": cert.case.person.birth_year,
        "confirmed_on": cert.case.confirmed_on, "released_on": cert.case.released_on, "title": _("Xác minh giấy xác nhận khỏi bệnh"),
    })
