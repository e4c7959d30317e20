"""Backups that restore: `phongdich backup` writes one verified archive (database, media, manifest), encrypted and
copied off-site when configured; `phongdich restore` brings it back. The drill restores into a fresh database and
compares the row count and checksum of every table with the source."""
import contextlib
import datetime as dt
import socket
import tarfile
import uuid

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from core import backup
from core.jobs import SCHEDULE
from tests.conftest import make_person


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_COPY_TO = ""
    settings.BACKUP_ENCRYPTION_KEY = ""
    settings.BACKUP_ENCRYPTION_KEY_FILE = ""
    (tmp_path / "media" / "directives").mkdir(parents=True)
    (tmp_path / "media" / "directives" / "cv-123.pdf").write_bytes(b"%PDF-1.4 chi thi so 123" * 100)
    return settings


@contextlib.contextmanager
def fresh_database(tmp_path):
    """A new, empty database of the same kind as the test database: the drill restores there."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
        return
    db = connection.settings_dict
    name = f"drill_{uuid.uuid4().hex[:10]}"
    args = {"host": db.get("HOST") or "localhost", "port": db.get("PORT") or 5432, "user": db.get("USER") or "postgres"}
    if db.get("PASSWORD"):
        args["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **args) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{args['user']}:{db.get('PASSWORD') or ''}@{args['host']}:{args['port']}/{name}"
        yield url, {**db, "NAME": name}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **args) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _people(db):
    return backup.fingerprints(db)["people_person"][0]


@pytest.mark.django_db(transaction=True)
def test_drill_backup_copy_offsite_restore_into_fresh_database_every_table_equal(backup_settings, commune_a, tmp_path):
    for i in range(25):
        make_person(commune_a, full_name=f"Người Sao Lưu {i}", phone=f"09{i:08d}")
    backup_settings.BACKUP_ENCRYPTION_KEY = backup.generate_key()
    call_command("backup", copy_to=str(tmp_path / "offsite"))

    offsite = list((tmp_path / "offsite").iterdir())
    assert [p.name.endswith(".tar.enc") for p in offsite] == [True]
    assert backup.is_encrypted(offsite[0])
    source = backup.fingerprints(connection.settings_dict)
    assert source["people_person"][0] >= 25

    with fresh_database(tmp_path) as (url, target):
        # Restore from the off-site copy, as after losing the server.
        call_command("restore", str(offsite[0]), database_url=url, media_root=str(tmp_path / "media2"))
        restored = backup.fingerprints(target)
    assert restored == source  # same tables, same row counts, same checksum of every row
    assert (tmp_path / "media2" / "directives" / "cv-123.pdf").read_bytes() == \
        (tmp_path / "media" / "directives" / "cv-123.pdf").read_bytes()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_without_force(backup_settings, commune_a, tmp_path):
    make_person(commune_a)
    archive = backup.run(key=None)["archive"]
    with fresh_database(tmp_path) as (url, target):
        call_command("restore", archive, database_url=url, media_root=str(tmp_path / "m"))
        make_person_count = _people(target)
        with pytest.raises(CommandError, match="không rỗng|đã có dữ liệu.*--force"):
            call_command("restore", archive, database_url=url, media_root=str(tmp_path / "m"), no_input=True)
        call_command("restore", archive, database_url=url, media_root=str(tmp_path / "m"), force=True)
        assert _people(target) == make_person_count == 1


@pytest.mark.django_db(transaction=True)
def test_corrupt_or_wrongly_keyed_archives_are_refused_before_anything_is_restored(backup_settings, commune_a,
                                                                                    tmp_path):
    make_person(commune_a)
    plain = backup.run(key=None)["archive"]
    with tarfile.open(plain) as tar:
        offset = next(m for m in tar if m.name.startswith("database.")).offset_data
    damaged = tmp_path / "damaged.tar"
    data = bytearray(open(plain, "rb").read())
    data[offset + 200] ^= 0xFF  # one flipped bit pattern inside the database dump
    damaged.write_bytes(bytes(data))

    key = backup.generate_key()
    backup_settings.BACKUP_ENCRYPTION_KEY = key
    encrypted = backup.run(copy_to="")["archive"]
    truncated = tmp_path / "truncated.tar.enc"
    truncated.write_bytes(open(encrypted, "rb").read()[:-50])
    wrong_key = tmp_path / "wrong.key"
    wrong_key.write_text(backup.generate_key())

    with fresh_database(tmp_path) as (url, target):
        with pytest.raises(CommandError, match="Sai tổng kiểm tra / checksum mismatch: database"):
            call_command("restore", str(damaged), database_url=url)
        with pytest.raises(CommandError, match="cắt cụt|hỏng"):
            call_command("restore", str(truncated), database_url=url)
        with pytest.raises(CommandError, match="Khoá không khớp"):
            call_command("restore", encrypted, database_url=url, key_file=str(wrong_key))
        backup_settings.BACKUP_ENCRYPTION_KEY = ""
        with pytest.raises(CommandError, match="cần khoá"):
            call_command("restore", encrypted, database_url=url)
        if connection.vendor == "sqlite":
            assert backup._sqlite_is_empty(target["NAME"])
        else:
            assert backup._pg_is_empty(target)


@pytest.mark.django_db(transaction=True)
def test_the_archive_has_a_manifest_with_checksums_and_no_secrets(backup_settings, commune_a):
    make_person(commune_a)
    archive = backup.run(key=None)["archive"]
    raw = open(archive, "rb").read()
    assert django_settings.SECRET_KEY.encode() not in raw
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        import json
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json" and "media/directives/cv-123.pdf" in names
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert "people.0001_initial" in manifest["migrations"]
    assert manifest["settings"]["TIME_ZONE"] == "Asia/Ho_Chi_Minh"
    assert "PASSWORD" not in json.dumps(manifest) and "SECRET_KEY" not in json.dumps(manifest)


def test_retention_keeps_daily_weekly_and_monthly_archives(tmp_path):
    start = dt.datetime(2026, 1, 1, 1, 30)
    for day in range(120):
        (tmp_path / f"phongdich-{(start + dt.timedelta(days=day)):%Y%m%d-%H%M%S}.tar").write_bytes(b"x")
    removed = backup.prune(tmp_path, daily=7, weekly=4, monthly=3)
    kept = sorted(s for s, _ in backup.archives(tmp_path))
    assert len(removed) + len(kept) == 120
    newest = start + dt.timedelta(days=119)
    assert kept[-7:] == [newest - dt.timedelta(days=d) for d in range(6, -1, -1)]  # the last 7 days
    assert len({k.isocalendar()[:2] for k in kept}) >= 4  # 4 weeks
    assert {(k.year, k.month) for k in kept} >= {(2026, 4), (2026, 3), (2026, 2)}  # 3 months
    assert len(kept) <= 7 + 4 + 3


def test_the_backup_runs_nightly_from_the_shared_schedule():
    job = SCHEDULE["core-backup"]
    assert job.path == "core.backup.scheduled_backup"
    assert (job.hour, job.minute) == (str(django_settings.BACKUP_HOUR), str(django_settings.BACKUP_MINUTE))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_off_site_copy_to_an_s3_compatible_store(backup_settings, commune_a, monkeypatch):
    """moto's server is a real S3 HTTP endpoint on loopback, standing in for the province's object storage."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        backup_settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=backup_settings.BACKUP_S3_ENDPOINT_URL)
        client.create_bucket(Bucket="saoluu")
        make_person(commune_a)
        backup_settings.BACKUP_ENCRYPTION_KEY = backup.generate_key()
        result = backup.run(copy_to="s3://saoluu/kontum")
        key = result["copied_to"].removeprefix("s3://saoluu/")
        assert key.startswith("kontum/phongdich-") and key.endswith(".tar.enc")
        body = client.get_object(Bucket="saoluu", Key=key)["Body"].read()
        assert body == open(result["archive"], "rb").read()
    finally:
        server.stop()
