"""Pages of the levels app: map, unit explanation and decisions, calculator, criteria versions, measures, public page."""
import datetime as dt
import json

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import HEALTH_READERS, RULE_EDITORS
from core.concurrency import EditConflict
from core.errors import Invalid
from core.exports import SafeDictWriter
from core.parsing import ParseError, parse_date, parse_datetime
from core.scoping import scope, visible_units
from core.views import role_required
from geo import areas
from geo.models import AdministrativeUnit, Level

from . import crosswalk, rules, services
from .models import LEVEL_COLOURS, Assessment, CriteriaVersion, LevelDecision, Measure
from .roles import DECIDERS, ENTRY_EDITORS, PROPOSERS


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _week(request, qs) -> tuple[dt.date | None, list[dt.date]]:
    weeks = sorted(set(qs.values_list("week_start", flat=True).distinct()), reverse=True)[:26]
    raw = request.GET.get("week") or request.POST.get("week")
    if raw:
        try:
            week = dt.date.fromisoformat(raw)
        except ValueError:
            try:
                week = parse_date(raw)
            except ParseError:
                week = None
        if week:
            return services.week_start_of(week), weeks
    return (weeks[0] if weeks else services.week_start_of(timezone.localdate()) - dt.timedelta(days=7)), weeks


def _explain(a: Assessment | None) -> dict:
    if a is None:
        return {}
    lang = _lang()
    params = a.version.values if a.version else {}

    def source(s):
        if s.get("refs"):
            return "; ".join(dict.fromkeys((params.get(k) or {}).get("source", "") for k in s["refs"]))
        return s.get("source", "")

    steps = [{"text": rules.step_text(s, lang), "criterion": rules.step_criterion(s), "source": source(s),
              "confirmed": s.get("confirmed", True), "origin": (a.origins.get(s.get("key")) or {}).get(lang)} for s in a.steps]
    missing = [m.get(lang) or m.get("vi") for m in a.missing]
    return {"steps": steps, "missing": missing}


# -- map --------------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def level_map(request):
    visible = scope(Assessment.objects.all(), request.user)
    week, weeks = _week(request, visible)
    week_structure = areas.structure_on(week)
    # The map the user chose (today's by default); a week assessed on the other structure is shown derived there.
    structure = areas.structure_from_request(request)
    derived = structure != week_structure
    units = crosswalk.shown_units(request.user, structure)
    cells = crosswalk.cells([u for u in units if u.level == Level.COMMUNE], week)
    rows = list(visible.filter(week_start=week, unit__level__in=[Level.DISTRICT, Level.PROVINCE]).select_related("unit"))
    by_unit = {a.unit_id: a for a in rows}
    lang = _lang()
    districts = []
    current = None
    for u in units:
        if u.level == Level.DISTRICT:
            current = {"unit": u, "assessment": by_unit.get(u.id), "communes": []}
            districts.append(current)
        elif current is not None and u.path.startswith(current["unit"].path):
            current["communes"].append(_cell_dict(cells[u.id], lang))
    if not districts:  # the 2025 map, or a commune user: communes only
        districts = [{"unit": None, "assessment": None, "communes": [_cell_dict(cells[u.id], lang) for u in units
                                                                      if u.level == Level.COMMUNE]}]
    province = None if derived else next((a for a in rows if a.unit.level == Level.PROVINCE), None)
    features = _features([u for u in units if u.level == Level.COMMUNE], cells, week, lang)
    return render(request, "levels/map.html", {
        "week": week, "weeks": weeks if week in weeks else [week, *weeks], "districts": districts, "province": province,
        "features": features, "colours": LEVEL_COLOURS, "structure": structure, "week_structure": week_structure,
        "derived": derived,
        "can_run": request.user.has_role(PROPOSERS), "can_decide": request.user.has_role(DECIDERS),
        "counts": crosswalk.counts(cells),
        "pending": scope(LevelDecision.objects.filter(week_start=week, status=LevelDecision.Status.PROPOSED), request.user).count(),
        "now": timezone.localtime(), "default_effective": timezone.localtime() + services.RAISE_NOTICE + dt.timedelta(hours=1),
    })


def _cell_dict(cell, lang) -> dict:
    return {"unit": cell.unit, "level": cell.level, "derived": cell.derived, "note": cell.note(lang),
            "detail": cell.detail(lang)}


def _features(communes, cells, week, lang):
    """GeoJSON features of the communes whose boundary is loaded (geo.Boundary), coloured by level."""
    from geo.models import Boundary

    ids = [u.id for u in communes]
    boundaries = dict(Boundary.objects.filter(unit_id__in=ids).values_list("unit_id", "geometry"))
    out = []
    for u in communes:
        geom = boundaries.get(u.id)
        if not geom:
            continue
        if geom.get("type") == "Feature":
            geom = geom.get("geometry")
        elif geom.get("type") == "FeatureCollection":
            feats = geom.get("features") or []
            geom = feats[0].get("geometry") if feats else None
        if not geom:
            continue
        cell = cells[u.id]
        out.append({"type": "Feature", "geometry": geom, "properties": {
            "id": u.id, "name": u.name, "level": cell.level, "derived": cell.derived, "note": cell.detail(lang),
            "url": f"/levels/don-vi/{u.id}/{week.isoformat()}/"}})
    return out


@require_POST
@role_required(PROPOSERS)
def run_assessment(request):
    week, _weeks = _week(request, Assessment.objects.none())
    try:
        n = services.run_assessment(by=request.user, week_start=week)
        messages.success(request, _("Đã đánh giá %(n)s đơn vị cho tuần %(w)s.") % {"n": n, "w": f"{week:%d/%m/%Y}"})
    except Invalid as exc:
        messages.error(request, _msg(exc))
    return redirect(f"/levels/?week={week.isoformat()}")


# -- one unit, one week ----------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def unit_week(request, unit_id, week):
    unit = _visible_unit(request, unit_id, shown=True)
    week = services.week_start_of(dt.date.fromisoformat(week))
    return render(request, "levels/_unit.html" if request.htmx else "levels/unit.html", _unit_context(request, unit, week))


def _visible_unit(request, unit_id, *, shown=False):
    """The unit if it is in the user's jurisdiction, else 404; `shown`: also a commune his map shows on the other
    structure (shown_units: a user placed on the other structure's unit), for reading only."""
    try:
        return visible_units(request.user).get(pk=unit_id)
    except AdministrativeUnit.DoesNotExist:
        unit = AdministrativeUnit.objects.filter(pk=unit_id).first() if shown else None
        if unit is not None and unit in crosswalk.shown_units(request.user, unit.structure):
            return unit
        raise Http404


def _unit_context(request, unit, week, error=None):
    a = scope(Assessment.objects.filter(unit=unit, week_start=week), request.user).select_related("version").first()
    decision = scope(LevelDecision.objects.filter(unit=unit, week_start=week), request.user).first()
    history = scope(LevelDecision.objects.filter(unit=unit), request.user).order_by("-week_start")[:20]
    in_force, measures = services.measures_in_force(unit)
    # A unit of the other structure than the week's has no assessment of its own: a commune shows its derived level
    # (levels.crosswalk) and nobody proposes or decides on it.
    other_structure = unit.structure != areas.structure_on(week)
    cell = crosswalk.cells([unit], week)[unit.id] if other_structure and unit.level == Level.COMMUNE else None
    lang = _lang()
    return {
        "other_structure": other_structure, "derived": cell, "derived_note": cell.note(lang) if cell else "",
        "derived_sources": [{"unit": u, "level": lvl} for u, lvl in cell.sources] if cell else [],
        "week_on_2025": areas.structure_on(week) == areas.FROM_2025,
        "unit": unit, "week": week, "week_end": week + dt.timedelta(days=6), "assessment": a, "explain": _explain(a),
        "decision": decision, "history": history, "in_force": in_force, "measures": measures, "error": error,
        "can_propose": request.user.has_role(PROPOSERS) and not other_structure,
        "can_decide": request.user.has_role(DECIDERS) and not other_structure,
        "levels": [1, 2, 3, 4], "now": timezone.localtime(),
        "default_effective": timezone.localtime() + services.RAISE_NOTICE + dt.timedelta(hours=1),
    }


def _respond(request, unit, week, error=None):
    ctx = _unit_context(request, unit, week, error)
    if request.htmx:
        return render(request, "levels/_unit.html", ctx, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("levels:unit", unit_id=unit.id, week=week.isoformat())


def _msg(exc):
    return exc.vi if _lang() == "vi" else exc.en


def _refusal(exc) -> str:
    """What a refused change says: Invalid and ParseError in the page's language, an edit conflict as it is."""
    return _msg(exc) if isinstance(exc, (Invalid, ParseError)) else str(exc)


def _decision_at(request, unit_id, week):
    """Unit, week start and the decision there that the user may see; 404 if the unit or the decision is not theirs."""
    unit = _visible_unit(request, unit_id)
    week = services.week_start_of(dt.date.fromisoformat(week))
    decision = scope(LevelDecision.objects.filter(unit=unit, week_start=week), request.user).first()
    if decision is None:
        raise Http404
    return unit, week, decision


def _publish(request, decision):
    services.publish(by=request.user, decision=decision, expected_version=int(request.POST.get("version") or 0))


@require_POST
@role_required(PROPOSERS)
def propose(request, unit_id, week):
    unit = _visible_unit(request, unit_id)
    week = services.week_start_of(dt.date.fromisoformat(week))
    try:
        services.propose(by=request.user, unit=unit, week_start=week, level=int(request.POST.get("level") or 0),
                         reason=request.POST.get("reason", ""))
    except (Invalid, EditConflict) as exc:
        return _respond(request, unit, week, _refusal(exc))
    return _respond(request, unit, week)


@require_POST
@role_required(DECIDERS)
def decide(request, unit_id, week):
    unit, week, decision = _decision_at(request, unit_id, week)
    p = request.POST
    try:
        try:
            effective = parse_datetime(p.get("effective_from", ""))
            if effective is None:
                raise ValueError
        except ValueError:
            raise Invalid("Thời điểm hiệu lực không hợp lệ.", "Invalid effective time.", "effective_from")
        decision_date = parse_date(p.get("decision_date")) if p.get("decision_date") else None
        if p.get("action") == "publish":
            _publish(request, decision)
        else:
            services.decide(by=request.user, decision=decision, level=int(p.get("level") or 0),
                            decision_number=p.get("decision_number", ""), decision_date=decision_date, effective_from=effective,
                            reason=p.get("reason", ""), extra_measures=p.get("extra_measures", ""),
                            expected_version=int(p.get("version") or 0))
    except (Invalid, ParseError, EditConflict) as exc:
        return _respond(request, unit, week, _refusal(exc))
    return _respond(request, unit, week)


@require_POST
@role_required(DECIDERS)
def publish(request, unit_id, week):
    unit, week, decision = _decision_at(request, unit_id, week)
    try:
        _publish(request, decision)
    except (Invalid, EditConflict) as exc:
        return _respond(request, unit, week, _refusal(exc))
    return _respond(request, unit, week)


# -- calculator ("what if") ----------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def calculator(request):
    result, error, values = None, None, {}
    on = timezone.localdate()
    if request.method == "POST":
        values = {k: request.POST.get(k) for k in rules.INPUTS if request.POST.get(k) not in (None, "")}
        try:
            on = parse_date(request.POST.get("date")) or on
            cleaned = services.clean_values(values)
            prev = int(request.POST["previous_level"]) if request.POST.get("previous_level") else None
            version = rules.version_in_force(on, request.user.jurisdiction_unit)
            result = rules.assess_with_version(cleaned, version, previous_level=prev)
        except (Invalid, ParseError, rules.NoVersionInForce) as exc:
            error = _msg(exc)
    lang = _lang()
    ctx = {
        "inputs": [(k, labels[0] if lang == "vi" else labels[1], values.get(k, ""), k in rules.BOOLEAN_INPUTS) for k, labels in rules.INPUTS.items()],
        "result": result, "error": error, "on": on, "lang": lang,
        "steps": [{"text": getattr(s, lang), "source": s.source, "confirmed": s.confirmed} for s in result.steps] if result else [],
        "missing": [getattr(m, lang) for m in result.missing] if result else [],
        "previous_level": request.POST.get("previous_level", ""),
    }
    return render(request, "levels/_calc_result.html" if request.htmx else "levels/calculator.html", ctx)


# -- criteria versions -------------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def versions(request):
    return render(request, "levels/versions.html", {
        "versions": scope(CriteriaVersion.objects.select_related("province", "based_on"), request.user),
        "can_edit": request.user.has_role(RULE_EDITORS),
    })


@role_required(HEALTH_READERS, edit_roles=RULE_EDITORS)
def version_detail(request, pk):
    version = scope(CriteriaVersion.objects.all(), request.user).filter(pk=pk).first()
    if version is None:
        raise Http404
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "adapt":
                province = visible_units(request.user).filter(level="province", pk=p.get("province")).first()
                if province is None:
                    raise Invalid("Chọn tỉnh điều chỉnh.", "Choose the adapting province.", "province")
                new = services.adapt_version(by=request.user, base=version, province=province, valid_from=parse_date(p.get("valid_from")),
                                             valid_to=parse_date(p.get("valid_to")) if p.get("valid_to") else None,
                                             source_document=p.get("source_document", "").strip() or "—")
                return redirect("levels:version", pk=new.pk)
            key = p.get("key", "")
            raw = p.get("value", "").strip()
            current = version.values.get(key, {}).get("value")
            value = _parse_threshold(raw, current)
            services.set_threshold(by=request.user, version=version, key=key, value=value, source=p.get("source", ""),
                                   confirmed=p.get("confirmed") == "on", expected_version=int(p.get("version") or 0))
            messages.success(request, _("Đã lưu."))
            return redirect("levels:version", pk=version.pk)
        except (Invalid, ParseError, EditConflict) as exc:
            error = _refusal(exc)
    return render(request, "levels/version.html", {
        "version": version, "rows": sorted(version.values.items()), "error": error,
        "can_edit": request.user.has_role(RULE_EDITORS),
        "provinces": visible_units(request.user).filter(level="province"),
    }, status=400 if error else 200)


def _parse_threshold(raw: str, current):
    if raw == "":
        return None
    if isinstance(current, bool) or raw.lower() in ("true", "false", "có", "không"):
        return raw.lower() in ("true", "có", "1")
    if isinstance(current, list) or raw.startswith("["):
        try:
            out = json.loads(raw)
            assert isinstance(out, list) and len(out) == 4 and all(int(x) in (1, 2, 3, 4) for x in out)
            return [int(x) for x in out]
        except (ValueError, AssertionError, TypeError):
            raise Invalid("Ma trận phải có 4 cấp độ, ví dụ [1, 2, 3, 3].", "The matrix needs 4 levels, e.g. [1, 2, 3, 3].", "value")
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        raise Invalid(f"“{raw}” không phải là số.", f"“{raw}” is not a number.", "value")
    return int(number) if number.is_integer() else number


# -- measures ---------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS, edit_roles=RULE_EDITORS)
def measures(request):
    error = None
    can_edit = request.user.has_role(RULE_EDITORS)
    if request.method == "POST":
        p = request.POST
        measure = Measure.objects.filter(pk=p.get("id")).first() if p.get("id") else None
        data = {"text": p.get("text", "").strip(), "is_active": p.get("is_active", "on") == "on"}
        if measure is None:
            data.update(level=int(p.get("level") or 1), category=p.get("category") or "other", source=p.get("source", ""))
        try:
            services.save_measure(by=request.user, measure=measure, data=data, expected_version=int(p.get("version") or 0) or None)
            return redirect("levels:measures")
        except Invalid as exc:
            error = _msg(exc)
        except EditConflict as exc:
            error = str(exc)
    catalogue = list(Measure.objects.all())
    by_level = [(lvl, [m for m in catalogue if m.level == lvl]) for lvl in (1, 2, 3, 4)]
    return render(request, "levels/measures.html", {"by_level": by_level, "can_edit": can_edit, "error": error,
                                                    "categories": Measure.Category.choices})


# -- entered / imported values ---------------------------------------------------------------------------
@role_required(ENTRY_EDITORS)
def entry(request):
    units = visible_units(request.user).order_by("structure", "path")
    error, batch = None, None
    if request.method == "POST":
        p = request.POST
        try:
            if request.FILES.get("file"):
                from core.batches import start_import

                # In the background like every import (core.batches): progress and report on the page.
                batch = start_import(kind="criteria", by=request.user, upload=request.FILES["file"])
            else:
                unit = units.filter(pk=p.get("unit")).first()
                if unit is None:
                    raise Invalid("Chọn đơn vị.", "Choose a unit.", "unit")
                week = parse_date(p.get("week"))
                if week is None:
                    raise Invalid("Chọn tuần.", "Choose the week.", "week")
                services.enter_values(by=request.user, unit=unit, week_start=week,
                                      values={k: p.get(k) for k in rules.INPUTS if p.get(k) not in (None, "")})
                messages.success(request, _("Đã lưu số liệu."))
                return redirect("levels:entry")
        except Invalid as exc:
            error = _msg(exc)
        except ParseError as exc:
            error = getattr(exc, "vi", None) or getattr(exc, "message_vi", str(exc))
    lang = _lang()
    return render(request, "levels/entry.html", {
        "units": units, "error": error, "batch": batch,
        "inputs": [(k, labels[0] if lang == "vi" else labels[1], k in rules.BOOLEAN_INPUTS) for k, labels in rules.INPUTS.items()],
        "last_week": services.week_start_of(timezone.localdate()) - dt.timedelta(days=7),
    })


# -- public (no login, nothing personal) -----------------------------------------------------------------
def _public_rows(at=None):
    at = at or timezone.now()
    decisions = (LevelDecision.objects.filter(status=LevelDecision.Status.PUBLISHED, effective_from__lte=at)
                 .select_related("unit").order_by("unit__path", "effective_from", "week_start"))
    latest = {}
    for d in decisions:
        latest[d.unit_id] = d
    return sorted(latest.values(), key=lambda d: d.unit.path)


def public(request):
    structure = areas.structure_from_request(request)
    # Each decision stays on the unit of its week; its row names it on the map shown ("Xã A (nay: Phường B)").
    rows = areas.label_records(_public_rows(), "unit", structure)
    catalogue = list(Measure.objects.filter(is_active=True))
    by_level = {lvl: [m for m in catalogue if m.level == lvl] for lvl in (1, 2, 3, 4)}
    units = [{"decision": d, "measures": by_level[d.level]} for d in rows]
    return render(request, "levels/public.html", {"units": units, "by_level": sorted(by_level.items()), "structure": structure})


# unit_structure: the map unit_code belongs to; unit_label: the unit named on the structure asked (?structure=).
PUBLIC_FIELDS = ["unit_code", "unit_name", "unit_level", "parent_code", "level", "week_start", "decision_number", "decision_date",
                 "effective_from", "unit_structure", "unit_label"]


def _public_dicts(structure):
    out = []
    for d in areas.label_records(_public_rows(), "unit", structure):
        parent = d.unit.path.strip("/").split("/")
        out.append({
            "unit_code": d.unit.code, "unit_name": d.unit.name, "unit_level": d.unit.level,
            "parent_code": parent[-2] if len(parent) > 1 else "", "level": d.level, "week_start": d.week_start.isoformat(),
            "decision_number": d.decision_number, "decision_date": d.decision_date.isoformat() if d.decision_date else "",
            "effective_from": timezone.localtime(d.effective_from).isoformat() if d.effective_from else "",
            "unit_structure": d.unit.structure, "unit_label": d.unit_label,
        })
    return out


def public_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cap-do-dich.csv"'
    response.write("\ufeff")
    w = SafeDictWriter(response, fieldnames=PUBLIC_FIELDS)
    w.writeheader()
    w.writerows(_public_dicts(areas.structure_from_request(request)))
    return response


def public_json(request):
    structure = areas.structure_from_request(request)
    return JsonResponse({"generated_at": timezone.now().isoformat(), "structure": structure, "levels": _public_dicts(structure)},
                        json_dumps_params={"ensure_ascii": False})


@require_POST
@role_required(PROPOSERS)
def propose_week(request):
    week, _weeks = _week(request, Assessment.objects.none())
    n = services.propose_week(by=request.user, week_start=week, units=visible_units(request.user))
    messages.success(request, _("Đã đề xuất %(n)s cấp độ theo kết quả tính toán.") % {"n": n})
    return redirect(f"/levels/?week={week.isoformat()}")


@require_POST
@role_required(DECIDERS)
def decide_week(request):
    week, _weeks = _week(request, Assessment.objects.none())
    p = request.POST
    try:
        try:
            effective = parse_datetime(p.get("effective_from", ""))
            if effective is None:
                raise ValueError
        except ValueError:
            raise Invalid("Thời điểm hiệu lực không hợp lệ.", "Invalid effective time.", "effective_from")
        n, refused = services.decide_week(by=request.user, week_start=week, units=visible_units(request.user),
                                          decision_number=p.get("decision_number", ""), decision_date=parse_date(p.get("decision_date")),
                                          effective_from=effective)
        messages.success(request, _("Đã quyết định và công bố %(n)s cấp độ.") % {"n": n})
        for line in refused:
            messages.error(request, line)
    except (Invalid, ParseError) as exc:
        messages.error(request, _msg(exc))
    return redirect(f"/levels/?week={week.isoformat()}")
