"""The demo builders of directives and reports run on a small context and leave a usable, deterministic data set."""
import datetime as dt
import io
import random

from core.demo import DemoContext


def test_the_demo_registers_the_seeds_follows_them_up_and_reports(personas, kontum):
    from accounts.models import Agency
    from directives import demo as directives_demo
    from directives.models import Assignment, Directive, Occurrence
    from geo.models import AdministrativeUnit
    from reports import demo as reports_demo
    from reports.models import Feedback, SituationReport

    personas["health_dept"].agency = Agency.objects.get_or_create(name="Sở Y tế", defaults={"kind": "health"})[0]
    personas["health_dept"].save()
    ctx = DemoContext(rng=random.Random(2022), people_count=0, today=dt.date(2022, 2, 14), stdout=io.StringIO(),
                      province=kontum, districts=list(AdministrativeUnit.objects.filter(parent=kontum, level="district")),
                      users={"health_dept": personas["health_dept"]})
    directives_demo.build(ctx)
    assert Directive.objects.filter(status="confirmed").count() == 3 and Directive.objects.filter(status="draft").count() == 2
    assert Assignment.objects.filter(status="done").exists() and Assignment.objects.filter(status="open").exists()
    states = {o.state() for o in Occurrence.objects.filter(day__lt=ctx.today)}
    assert {"on_time", "late", "missing"} <= states
    reports_demo.build(ctx)
    assert Feedback.objects.count() == 6 and Feedback.objects.filter(status="answered").exists()
    report = SituationReport.objects.get()
    assert report.data["sections"]["tasks"]["overdue_count"] > 0 and report.docx
