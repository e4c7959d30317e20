"""The `vaccines` section of a disease pack (diseases.packs): the vaccine products against the disease.

    vaccines:
    - {code: mr, name: "Sởi – Rubella (MR)", manufacturer: POLYVAC, platform: live, approved_on: 2017-01-01,
       approval_source: "…", confirmed: false}
"""
import datetime as dt

from audit.services import record

from .models import Platform, Product

REQUIRED = ("code", "name", "platform", "approved_on")


def _date(value):
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def validate(data, place: str) -> list[tuple[str, str, str]]:
    errors = []
    if not isinstance(data, list):
        return [(place, "“vaccines” phải là một danh sách.", "“vaccines” must be a list.")]
    for i, item in enumerate(data):
        where = f"{place}[{i}]"
        if not isinstance(item, dict):
            errors.append((where, "Mỗi vắc xin phải là một đối tượng.", "Each vaccine must be a mapping."))
            continue
        for key in REQUIRED:
            if item.get(key) in (None, ""):
                errors.append((where, f"Thiếu trường bắt buộc “{key}”.", f"Missing required field “{key}”."))
        if item.get("platform") not in (None, "") and item["platform"] not in Platform.values:
            errors.append((f"{where}.platform", f"Công nghệ không biết “{item['platform']}” ({', '.join(Platform.values)}).",
                           f"Unknown platform “{item['platform']}” ({', '.join(Platform.values)})."))
        if item.get("approved_on") not in (None, ""):
            try:
                _date(item["approved_on"])
            except ValueError:
                errors.append((f"{where}.approved_on", "Ngày không hợp lệ.", "Invalid date."))
    return errors


def load(disease, data, by) -> None:
    for item in data:
        fields = {"name": item["name"], "manufacturer": item.get("manufacturer") or "", "platform": item["platform"],
                  "approved_on": _date(item["approved_on"]), "approval_source": item.get("approval_source") or "",
                  "aliases": list(item.get("aliases") or []), "confirmed": bool(item.get("confirmed", True)), "disease": disease}
        product = Product.objects.filter(code=item["code"]).first()
        if product is None:
            product = Product.objects.create(code=item["code"], **fields)
            record(actor=by, action="create", obj=product, changes={"name": (None, product.name), "disease": (None, disease.code)})
            continue
        changes = {k: (getattr(product, k), v) for k, v in fields.items() if getattr(product, k) != v}
        if changes:
            for k, v in fields.items():
                setattr(product, k, v)
            product.save()
            record(actor=by, action="update", obj=product, changes={k: (str(a), str(b)) for k, (a, b) in changes.items()})


def export(disease):
    return [{"code": p.code, "name": p.name, "manufacturer": p.manufacturer, "platform": p.platform,
             "approved_on": p.approved_on.isoformat(), "approval_source": p.approval_source, "aliases": p.aliases,
             "confirmed": p.confirmed}
            for p in Product.objects.filter(disease=disease).order_by("code")]
