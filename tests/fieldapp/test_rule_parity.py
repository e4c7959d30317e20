"""The warning signs the phone computes (fieldapp/static/fieldapp/rules.js, run in Chromium on the rule values the
server ships) are the server's (cases.rules.warning_signs under diseases.rules.rule_in_force) on every boundary of
every rule version: each threshold −1/at/+1, each age band's edges, each symptom, each version's first and last day."""
import datetime as dt
import itertools

import pytest
from django.utils import translation

from cases import rules as case_rules
from diseases.models import RuleSet
from diseases.rules import NoRuleInForce, rule_in_force
from diseases.selectors import rule_versions
from fieldapp.api import symptom_labels

AGES = [None, 0, 1, 4, 5, 11, 12, 40, 90]


def cases_to_compare(disease=None):
    versions = rule_versions(kind="warning_signs", disease=disease)
    days = set()
    for v in versions:
        start = dt.date.fromisoformat(v["valid_from"])
        days |= {start - dt.timedelta(days=1), start}
        if v["valid_until"]:
            end = dt.date.fromisoformat(v["valid_until"])
            days |= {end, end + dt.timedelta(days=1)}
    cases = []
    for day in sorted(days):
        try:
            rule = rule_in_force(disease=disease, kind="warning_signs", on=day)
        except NoRuleInForce:
            rule = None
        probes = []
        if rule is not None:
            for key in ("spo2_max", "pulse_high_above", "pulse_low_below", "systolic_below", "diastolic_below"):
                t = rule.value(key)
                if t is None:  # a threshold the disease does not use (dengue: SpO2, pulse)
                    continue
                field = {"spo2_max": "spo2", "pulse_high_above": "pulse", "pulse_low_below": "pulse",
                         "systolic_below": "systolic", "diastolic_below": "diastolic"}[key]
                for x in (t - 1, t, t + 1):
                    probes.append(({field: x}, [], 40))
            for age in AGES:
                limit, _band = case_rules.rr_threshold(rule, age)
                if limit is None:
                    continue
                for x in (limit - 1, limit, limit + 1):
                    probes.append(({"respiratory_rate": x}, [], age))
            for code in [*symptom_labels(), *case_rules.own_symptoms(rule)]:
                probes.append(({}, [code], 40))
            probes.append(({"spo2": 90, "pulse": 130, "respiratory_rate": 30, "systolic": 80, "diastolic": 50},
                           ["dyspnoea", "cough", "dyspnoea"], 40))
        else:
            probes.append(({"spo2": 90}, [], 40))
        for values, symptoms, age in probes:
            full = {k: values.get(k) for k in case_rules.MEASURES}
            with translation.override("vi"):
                # The symptoms as cases.services._evaluate_check passes them: each once, in order.
                once = list(dict.fromkeys(symptoms))
                server = ([s.as_dict() for s in case_rules.warning_signs(rule, age=age, values=full, symptoms=once)]
                          if rule is not None else None)
            cases.append({"day": day.isoformat(), "values": full, "symptoms": symptoms, "age": age, "server": server,
                          "rule": rule.pk if rule else None, "measures": case_rules.used_measures(rule)})
    return versions, cases


@pytest.mark.browser
def test_phone_and_server_agree_on_every_boundary(live_server, page):
    assert RuleSet.objects.filter(kind="warning_signs").count() >= 2
    versions, cases = cases_to_compare()
    assert len(cases) > 100
    page.goto(f"{live_server.url}/accounts/dang-nhap/")
    phone = page.evaluate("""async ([versions, labels, cases]) => {
        const m = await import('/static/fieldapp/rules.js');
        return cases.map((c) => {
            const rule = m.ruleFor(versions, c.day);
            return {rule: rule ? rule.id : null, measures: m.usedMeasures(rule),
                    signs: rule ? m.warningSigns(rule, {age: c.age, values: c.values, symptoms: c.symptoms}, labels) : null};
        });
    }""", [versions, symptom_labels(), cases])
    differ = [(c, p) for c, p in zip(cases, phone, strict=True)
              if (c["rule"], c["server"], c["measures"]) != (p["rule"], p["signs"], p["measures"])]
    assert not differ, differ[:3]
    # Every kind of sign was met at least once: the comparison is not vacuous.
    met = {s["code"].split(":")[0] for c in cases for s in (c["server"] or [])}
    assert {"respiratory_rate", "spo2", "pulse_high", "pulse_low", "systolic_low", "diastolic_low", "symptom"} <= met
    assert list(itertools.islice((c for c in cases if c["rule"] is None), 1))  # a day before the first version too


@pytest.mark.browser
def test_phone_and_server_agree_on_dengue_warning_signs(live_server, page):
    """Dengue's own signs (labelled in its rule, shipped in /api/field/session/ rules_by_disease) and its systolic
    threshold: the phone names each sign as the server does and asks for the same measures (no SpO2)."""
    from diseases.packs import install_missing

    install_missing("dengue")
    versions, cases = cases_to_compare("dengue")
    met = {s["code"] for c in cases for s in (c["server"] or [])}
    assert {"symptom:abdominal_pain", "symptom:mucosal_bleeding", "systolic_low"} <= met
    assert all("spo2" not in c["measures"] for c in cases if c["rule"])
    page.goto(f"{live_server.url}/accounts/dang-nhap/")
    phone = page.evaluate("""async ([versions, labels, cases]) => {
        const m = await import('/static/fieldapp/rules.js');
        return cases.map((c) => {
            const rule = m.ruleFor(versions, c.day);
            return {rule: rule ? rule.id : null, measures: m.usedMeasures(rule),
                    signs: rule ? m.warningSigns(rule, {age: c.age, values: c.values, symptoms: c.symptoms}, labels) : null};
        });
    }""", [versions, symptom_labels(), cases])
    differ = [(c, p) for c, p in zip(cases, phone, strict=True)
              if (c["rule"], c["server"], c["measures"]) != (p["rule"], p["signs"], p["measures"])]
    assert not differ, differ[:3]
