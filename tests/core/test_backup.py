"""`phongdich backup` writes a restorable copy of the database that holds the people registered."""
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import make_person


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_the_database_with_its_records(commune_a, tmp_path):
    make_person(commune_a, full_name="Người Được Sao Lưu")
    call_command("backup", to=str(tmp_path))
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].stat().st_size > 0
    if connection.vendor == "sqlite":
        with sqlite3.connect(files[0]) as copy:
            assert copy.execute("SELECT count(*) FROM people_person WHERE full_name = 'Người Được Sao Lưu'").fetchone() == (1,)
    else:
        assert files[0].read_bytes().startswith(b"PGDMP")  # pg_dump custom format
