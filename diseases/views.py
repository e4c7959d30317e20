"""Rule sets: everyone in health sees which version applies when; RULE_EDITORS add versions."""
import datetime as dt
import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.parsing import ParseError, parse_date
from core.roles import HEALTH_READERS, RULE_EDITORS
from core.views import role_required

from . import services
from .forms import RuleVersionForm
from .models import Disease, RuleKind, RuleSet
from .rules import (
    NoRuleInForce,
    coverage_gaps,
    default_disease,
    in_force,
    kind_spec,
    scope_label,
    timeline,
    valid_until,
    why,
)


def _disease(request, code=None) -> Disease:
    """The disease a page is about: ?disease=code (or the URL), else the installation's default disease."""
    code = code or request.GET.get("disease") or request.POST.get("disease")
    if code:
        return get_object_or_404(Disease, code=code)
    try:
        return default_disease()
    except Invalid:
        from django.http import Http404

        raise Http404("no disease")


@role_required(HEALTH_READERS)
def rule_list(request, disease=None):
    disease_obj = _disease(request, disease)
    disease = disease_obj.code
    try:
        on = parse_date(request.GET.get("on")) or dt.date.today()
    except ParseError as exc:
        messages.error(request, str(exc))
        on = dt.date.today()
    kinds = []
    rules = list(RuleSet.objects.filter(disease=disease_obj).order_by("kind", "valid_from"))
    for kind, label in RuleKind.choices:
        spec = kind_spec(kind)
        if spec.model is RuleSet:
            versions = [r for r in rules if r.kind == kind]
        else:  # a kind kept in another app's model (schedules, dose policies, level criteria)
            qs = spec.model.objects.filter(disease=disease_obj).order_by("valid_from", "pk")
            versions = list(qs.select_related(*spec.select_related) if spec.select_related else qs)
        if not versions:
            continue
        for r in versions:
            r.detail_url = reverse("diseases:detail", args=[r.pk]) if spec.model is RuleSet else None
            r.scope_label = scope_label(r, spec)
        try:
            current = in_force(disease_obj, kind, on)
            reason = why(current, on)
        except NoRuleInForce:
            current, reason = None, None
        gaps = coverage_gaps(disease_obj, kind, until=dt.date.today())
        kinds.append({"kind": kind, "label": label, "versions": versions, "current": current, "reason": reason, "gaps": gaps,
                      "editable": spec.model is RuleSet})
    return render(request, "diseases/rule_list.html", {
        "disease": disease_obj, "kinds": kinds, "on": on, "can_edit": request.user.has_role(RULE_EDITORS),
        "timeline": timeline(disease_obj),
        "diseases": Disease.objects.filter(is_active=True).order_by("-is_default", "name"),
    })


@role_required(HEALTH_READERS)
def rule_detail(request, pk):
    rule = get_object_or_404(RuleSet.objects.select_related("disease", "created_by"), pk=pk)
    en = request.LANGUAGE_CODE == "en"
    rows = []
    for key, entry in rule.values.items():
        entry = entry if isinstance(entry, dict) else {"value": entry, "source": rule.source_document, "confirmed": True}
        rows.append({"key": key, "value": entry.get("value"), "shown": _shown(entry.get("value"), en),
                     "source": entry.get("source"), "confirmed": entry.get("confirmed", True)})
    return render(request, "diseases/rule_detail.html", {"rule": rule, "until": valid_until(rule), "rows": rows})


def _shown(value, en: bool):
    """How a structured value reads (a list of labelled signs, yes/no, none); None: shown as is by the template."""
    if isinstance(value, bool):
        return (_("Có") if value else _("Không"))
    if value is None:
        return "—"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                label = item.get("en" if en else "vi") or item.get("code") or ", ".join(f"{k}: {v}" for k, v in item.items())
                parts.append(str(label))
            else:
                parts.append(str(item))
        return "; ".join(parts) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return None


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
def rule_add(request, disease=None):
    """A new version, prefilled from the latest version of the kind; each value edited with its source and flag."""
    disease_obj = _disease(request, disease)
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


@role_required(RULE_EDITORS)
def pack_load(request):
    """The Department of Health loads a disease pack (YAML/JSON, docs/diseases.md): all or nothing, each error with
    its line; the same as `phongdich diseases load FILE`."""
    from . import packs

    errors, result = [], None
    if request.method == "POST":
        upload = request.FILES.get("pack")
        if upload is None:
            messages.error(request, _("Hãy chọn tệp gói bệnh."))
        elif upload.size > packs.MAX_PACK_BYTES:
            messages.error(request, _("Tệp quá lớn (tối đa 2 MB)."))
        else:
            try:
                result = packs.load(upload.read(), upload.name, by=request.user)
            except packs.PackRefused as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Đã nạp gói bệnh %(name)s: %(created)s phiên bản mới, %(updated)s cập nhật, %(unchanged)s không đổi.") % {
                    "name": result.disease.name, "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
                return redirect(f"{reverse('diseases:list')}?disease={result.disease.code}")
    return render(request, "diseases/pack_load.html", {"errors": errors, "diseases": Disease.objects.order_by("name")})


@role_required(HEALTH_READERS)
def pack_export(request, code):
    from django.http import HttpResponse

    from . import packs

    disease = get_object_or_404(Disease, code=code)
    response = HttpResponse(packs.export(disease.code), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{disease.code}.yaml"'
    return response
