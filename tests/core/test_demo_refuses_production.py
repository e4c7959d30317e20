"""`phongdich demo` writes fictitious people and users with a published password: never on a production database."""
import pytest
from django.core.management import CommandError, call_command

from tests.conftest import make_person


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.TESTING = False


@pytest.mark.django_db
def test_the_demo_refuses_to_run_with_debug_off(production, kontum):
    from accounts.models import User

    with pytest.raises(CommandError, match="Refused: DEBUG is off"):
        call_command("demo", "--people", "10")
    with pytest.raises(CommandError, match="Refused: DEBUG is off"):
        call_command("demo", "--people", "10", "--if-empty")
    assert not User.objects.filter(username="lanhdao").exists()  # nothing was written


@pytest.mark.django_db
def test_the_override_still_refuses_a_database_with_people(production, commune_a):
    make_person(commune_a)
    with pytest.raises(CommandError, match="already holds people"):
        call_command("demo", "--people", "10", "--i-know-this-is-not-production")


def test_the_rule():
    from django.test import override_settings

    from core.management.commands.demo import production_refusal

    with override_settings(DEBUG=True, TESTING=False):
        assert production_refusal(has_people=True, override=False) is None
    with override_settings(DEBUG=False, TESTING=False):
        assert production_refusal(has_people=False, override=False)
        assert production_refusal(has_people=False, override=True) is None  # an empty training server
        assert production_refusal(has_people=True, override=True)
