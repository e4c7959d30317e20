"""The demo: levels for the four weeks before the demo's today, older ones published, the latest proposed."""
import datetime as dt
import io
import random

from core.demo import DemoContext
from levels import demo
from levels.models import Assessment, LevelDecision

from .conftest import set_population


def test_it_builds_levels_for_recent_weeks(personas, kontum, commune_a):
    set_population(commune_a, 12_000)
    ctx = DemoContext(rng=random.Random(2022), people_count=0, today=dt.date(2022, 2, 14), stdout=io.StringIO(), province=kontum,
                      users={"health_dept": personas["health_dept"], "leadership": personas["leader"]})
    demo.build(ctx)
    weeks = sorted(set(Assessment.objects.values_list("week_start", flat=True)))
    assert weeks == [dt.date(2022, 1, 17), dt.date(2022, 1, 24), dt.date(2022, 1, 31), dt.date(2022, 2, 7)]
    assert not Assessment.objects.filter(unit__level="commune", level__isnull=True).exists()
    assert LevelDecision.objects.filter(week_start=dt.date(2022, 2, 7), status="proposed").count() == 102 + 10 + 1
    assert LevelDecision.objects.filter(week_start=dt.date(2022, 1, 31), status="published").count() == 113
    assert len({d.level for d in LevelDecision.objects.filter(unit__level="commune")}) > 1  # the map is not all one colour
