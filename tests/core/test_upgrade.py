"""`phongdich upgrade` runs the steps in order and stops at the first failure with a clear message."""
import io

import pytest
from django.core.management import CommandError, call_command

from core.management.commands import upgrade


@pytest.fixture
def recorded(monkeypatch):
    calls = []

    def fake_call_command(name, *args, **kwargs):
        calls.append((name, *args))
        if (name, *args) == FAIL_AT[0]:
            raise RuntimeError("relation \"people_person\" does not exist")

    monkeypatch.setattr(upgrade, "call_command", fake_call_command)
    return calls


FAIL_AT = [None]


def test_the_steps_run_in_the_right_order(recorded):
    FAIL_AT[0] = None
    out = io.StringIO()
    call_command("upgrade", stdout=out)
    assert recorded == [
        ("check", "--deploy"),
        ("migrate", "--no-input"),
        ("load_admin_units",),
        ("compile_translations",),
        ("collectstatic", "--no-input"),
        ("check", "--deploy", "--database", "default"),
    ]
    assert "upgrade complete" in out.getvalue()


def test_the_first_failure_stops_the_upgrade_with_a_clear_message(recorded):
    FAIL_AT[0] = ("migrate", "--no-input")
    with pytest.raises(CommandError) as error:
        call_command("upgrade", stdout=io.StringIO())
    assert recorded == [("check", "--deploy"), ("migrate", "--no-input")]
    assert "Step 2/6 (migrate) failed; the following steps did not run." in str(error.value)
    assert "Bước 2/6 (migrate) thất bại" in str(error.value)
    assert 'relation "people_person" does not exist' in str(error.value)


def test_a_bad_production_setting_stops_it_before_the_database_changes(settings):
    # The real `check --deploy` on a broken configuration (an empty SECRET_KEY): nothing after it runs.
    settings.SECRET_KEY = ""
    with pytest.raises(CommandError, match=r"Step 1/5 \(check\) failed") as error:
        call_command("upgrade", "--skip", "load_admin_units", stdout=io.StringIO(), stderr=io.StringIO())
    assert "SECRET_KEY" in str(error.value)
