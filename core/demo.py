"""The demo data set, in two eras. Deterministic for a given --seed, --people, --history-today and --today.

1. History: Kon Tum province as it was in 2021–2022 (pre-2025 units). `phongdich demo` builds the foundation (units,
   villages, population, facilities, users, people), then calls `build(ctx)` in each domain app's `demo.py`, in
   INSTALLED_APPS order, so later capabilities extend it.
2. Living: the history is closed as it ended (`close_history(ctx)` in each app's `demo_living.py`), the residents are
   re-homed to today's map by the real flow (people.rehoming: the 2025 communes of Quảng Ngãi that took over Kon
   Tum's), then `build(ctx)` of each app's `demo_living.py` writes the last 90 days up to `--today` (docs/demo.md).
"""
import datetime as dt
import importlib
import random
import time
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
    era: str = "history"  # "history" (2021–2022, pre-2025 units) or "living" (the last LIVING_DAYS days, 2025 units)
    now: object = None  # living era: the moment "now" of the demo (the wall clock when --today is the real date)
    history_communes: list = field(default_factory=list)  # living era: the pre-2025 communes the residents came from
    regions: list = field(default_factory=list)  # geo.HealthRegion of the demo (geo.demo.build_regions)

    def say(self, text: str) -> None:
        self.stdout.write(text)

    def focus_commune_id(self) -> int | None:
        """The commune the demo's commune accounts work in (living era: the 2025 commune that took over theirs): the
        builders always put some of today's work there, so a small demo still fills the commune's home page."""
        user = self.users.get("commune_health")
        unit_id = getattr(user, "unit_id", None)
        return unit_id if unit_id and any(c.pk == unit_id for c in self.communes) else None


LIVING_DAYS = 90


def run_app_builders(ctx: DemoContext, hook: str = "build") -> None:
    """`<app>.demo.build(ctx)` for the history era, `<app>.demo_living.build(ctx)` for the living one; with
    hook="close_history", each app's `demo_living.close_history(ctx)` (the history ended, before the re-homing)."""
    module_name = "demo_living" if ctx.era == "living" else "demo"
    for config in apps.get_app_configs():
        if config.name in ("core", "people"):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError:
            continue
        builder = getattr(module, hook, None)
        if builder:
            t0, c0 = time.perf_counter(), time.process_time()
            builder(ctx)
            # Where the build's time goes (bench/make_run.py --verbose): wall and this process's CPU seconds.
            ctx.say(f"  ⏱ {config.name}.{module_name}.{hook}: {time.perf_counter() - t0:.1f}s "
                    f"(CPU {time.process_time() - c0:.1f}s)")
