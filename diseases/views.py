"""Rule sets: everyone in health sees which version applies when; RULE_EDITORS add versions."""
import datetime as dt
import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.parsing import ParseError, parse_date
from core.roles import HEALTH_READERS, RULE_EDITORS
from core.views import role_required

from . import services
from .forms import RuleVersionForm
from .models import Disease, RuleKind, RuleSet
from .rules import NoRuleInForce, rule_in_force, valid_until, why


@role_required(HEALTH_READERS)
def rule_list(request, disease="covid19"):
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


@role_required(HEALTH_READERS)
def rule_detail(request, pk):
    rule = get_object_or_404(RuleSet.objects.select_related("disease", "created_by"), pk=pk)
    return render(request, "diseases/rule_detail.html", {"rule": rule, "until": valid_until(rule)})


def _structured_values(post, keys: list[str]) -> dict:
    """Values edited key by key: the value as JSON (a bare word is taken as text), its source, and the flag."""
    values = {}
    for key in keys:
        raw = post.get(f"v-{key}", "").strip()
        try:
            value = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            value = raw
        values[key] = {"value": value, "source": post.get(f"s-{key}", "").strip(), "confirmed": bool(post.get(f"c-{key}"))}
    return values


@role_required(RULE_EDITORS)
def rule_add(request, disease="covid19"):
    """A new version, prefilled from the latest version of the kind; each value edited with its source and flag."""
    disease_obj = get_object_or_404(Disease, code=disease)
    kind = request.GET.get("kind") or request.POST.get("kind")
    base = RuleSet.objects.filter(disease=disease_obj, kind=kind).order_by("-valid_from").first() if kind else None
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and base is not None and data.get("structured"):
        data["values"] = json.dumps(_structured_values(request.POST, list(base.values)), ensure_ascii=False)
    initial = {"kind": kind} if kind else {}
    if base:
        initial["values"] = json.dumps(base.values, ensure_ascii=False, indent=2)
    form = RuleVersionForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.add_rule_version(by=request.user, disease=disease_obj, **form.cleaned_data)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Đã thêm phiên bản quy định mới."))
            return redirect("diseases:detail", pk=rule.pk)
    rows = []
    if base:
        source = request.POST if request.method == "POST" else None
        for key, entry in base.values.items():
            if source is not None:
                rows.append({"key": key, "value": source.get(f"v-{key}", ""), "source": source.get(f"s-{key}", ""), "confirmed": bool(source.get(f"c-{key}"))})
            else:
                rows.append({"key": key, "value": json.dumps(entry.get("value"), ensure_ascii=False), "source": entry.get("source", ""),
                             "confirmed": entry.get("confirmed", True)})
    return render(request, "diseases/rule_form.html", {"form": form, "disease": disease_obj, "base": base, "rows": rows})
