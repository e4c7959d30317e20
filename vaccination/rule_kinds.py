"""The vaccination app's kinds in the one rule base (diseases.rules): schedules and dose policies.

Registered from VaccinationConfig.ready(); the diseases app never imports this app (layers point one way).
"""
from diseases.packs import TypedKind
from diseases.rules import register_kind

from .models import DosePolicy, Product, Schedule


def pick_schedule(rows, product=None, age=None):
    """The schedule for a product and age: the latest valid_from among those in force that cover the age
    (the rows come newest first). `product`: a Product, its id or its code; None: any product."""
    for s in rows:
        if product is not None:
            if isinstance(product, Product):
                if s.product_id != product.pk:
                    continue
            elif isinstance(product, int):
                if s.product_id != product:
                    continue
            elif s.product.code != str(product):
                continue
        if s.covers_age(age):
            return s
    return None


def register() -> None:
    register_kind("vaccination_schedule", Schedule, scope=("product", "age_min"), pick=pick_schedule,
                  select_related=("product",), watch=(Product,),
                  pack=TypedKind("vaccination_schedule", Schedule, identity=("product", "age_min", "valid_from"),
                                 refs={"product": "vaccines"}))
    register_kind("dose_policy", DosePolicy, pack=TypedKind("dose_policy", DosePolicy, identity=("valid_from",)))
