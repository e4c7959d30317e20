"""The demo data set: Kon Tum province as it was in 2021–2022. Deterministic for a given --seed and --people.

`phongdich demo` builds the foundation (units, villages, population, facilities, users, people), then calls
`build(ctx)` in each domain app's `demo.py`, in INSTALLED_APPS order, so later capabilities extend it.
"""
import datetime as dt
import importlib
import random
from dataclasses import dataclass, field

from django.apps import apps


@dataclass
class DemoContext:
    rng: random.Random
    people_count: int
    today: dt.date
    stdout: object
    province: object = None
    districts: list = field(default_factory=list)
    communes: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # role key → User
    passwords: dict = field(default_factory=dict)  # username → password printed at the end
    facilities: dict = field(default_factory=dict)
    regions: list = field(default_factory=list)  # geo.HealthRegion of the demo (geo.demo.build_regions)

    def say(self, text: str) -> None:
        self.stdout.write(text)


def run_app_builders(ctx: DemoContext) -> None:
    for config in apps.get_app_configs():
        if config.name in ("core", "people"):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        builder = getattr(module, "build", None)
        if builder:
            builder(ctx)
