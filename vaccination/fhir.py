"""FHIR R4 export: Patient and Immunization resources in a collection Bundle (validated with fhir.resources.R4B in tests)."""
from django.utils import timezone

CVX = "http://hl7.org/fhir/sid/cvx"
KIND_SERIES = {"primary": "Liều cơ bản / primary series", "additional": "Liều bổ sung / additional dose", "booster": "Liều nhắc lại / booster"}


def patient(person, base: str) -> dict:
    res = {
        "resourceType": "Patient",
        "id": f"p{person.pk}",
        "name": [{"text": person.full_name}],
        "gender": {"M": "male", "F": "female"}.get(person.sex, "unknown"),
        "birthDate": person.date_of_birth.isoformat() if person.date_of_birth else str(person.birth_year),
        "address": [{"text": person.address_display, "country": "VN"}],
    }
    if person.id_number:
        res["identifier"] = [{"system": f"{base}fhir/id/{person.id_kind or 'id'}", "value": person.id_number}]
    return res


def immunization(inj) -> dict:
    coding = [{"system": "urn:phongdich:vaccine", "code": inj.product.code, "display": inj.product.name}]
    if inj.product.cvx:
        coding.insert(0, {"system": CVX, "code": inj.product.cvx, "display": inj.product.name})
    res = {
        "resourceType": "Immunization",
        "id": f"i{inj.pk}",
        "status": "completed",
        "vaccineCode": {"coding": coding, "text": inj.product.name},
        "patient": {"reference": f"Patient/p{inj.person_id}"},
        "occurrenceDateTime": inj.given_on.isoformat(),
        "primarySource": inj.source == "manual",
        "protocolApplied": [{"series": KIND_SERIES[inj.dose_kind], "doseNumberPositiveInt": inj.dose_number,
                             "targetDisease": [{"coding": [{"system": "http://snomed.info/sct", "code": "840539006", "display": "COVID-19"}]}]}],
    }
    if inj.lot:
        res["lotNumber"] = inj.lot
    if inj.product.manufacturer:
        res["manufacturer"] = {"display": inj.product.manufacturer}
    if inj.site:
        res["location"] = {"display": inj.site}
    return res


def bundle_for(people, injections, base: str) -> dict:
    entries = [{"fullUrl": f"{base}fhir/Patient/p{p.pk}", "resource": patient(p, base)} for p in people]
    entries += [{"fullUrl": f"{base}fhir/Immunization/i{i.pk}", "resource": immunization(i)} for i in injections]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": timezone.now().isoformat(), "entry": entries}
