"""Rule sets: everyone in health sees which version applies when; RULE_EDITORS add versions."""
import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import HEALTH_READERS, RULE_EDITORS
from core.errors import Invalid
from core.parsing import ParseError, parse_date

from . import services
from .forms import RuleVersionForm
from .models import Disease, RuleKind, RuleSet
from .rules import NoRuleInForce, rule_in_force, valid_until, why


def _require(user, roles):
    if not user.has_role(roles):
        raise PermissionDenied


@login_required
def rule_list(request, disease="covid19"):
    _require(request.user, HEALTH_READERS)
    disease_obj = get_object_or_404(Disease, code=disease)
    try:
        on = parse_date(request.GET.get("on")) or dt.date.today()
    except ParseError as exc:
        messages.error(request, str(exc))
        on = dt.date.today()
    kinds = []
    rules = list(RuleSet.objects.filter(disease=disease_obj).order_by("kind", "valid_from"))
    for kind, label in RuleKind.choices:
        versions = [r for r in rules if r.kind == kind]
        if not versions:
            continue
        try:
            current = rule_in_force(disease=disease, kind=kind, on=on)
            reason = why(current, on)
        except NoRuleInForce:
            current, reason = None, None
        kinds.append({"kind": kind, "label": label, "versions": versions, "current": current, "reason": reason})
    return render(request, "diseases/rule_list.html", {
        "disease": disease_obj, "kinds": kinds, "on": on, "can_edit": request.user.has_role(RULE_EDITORS),
    })


@login_required
def rule_detail(request, pk):
    _require(request.user, HEALTH_READERS)
    rule = get_object_or_404(RuleSet.objects.select_related("disease", "created_by"), pk=pk)
    return render(request, "diseases/rule_detail.html", {"rule": rule, "until": valid_until(rule)})


@login_required
def rule_add(request, disease="covid19"):
    _require(request.user, RULE_EDITORS)
    disease_obj = get_object_or_404(Disease, code=disease)
    initial = {}
    kind = request.GET.get("kind")
    if kind:
        base = RuleSet.objects.filter(disease=disease_obj, kind=kind).order_by("-valid_from").first()
        if base:
            initial = {"kind": kind, "values": json.dumps(base.values, ensure_ascii=False, indent=2)}
    form = RuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = services.add_rule_version(by=request.user, disease=disease_obj, **data)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Đã thêm phiên bản quy định mới."))
            return redirect("diseases:detail", pk=rule.pk)
    return render(request, "diseases/rule_form.html", {"form": form, "disease": disease_obj})
