"""Production is the default: DEBUG off unless asked for, a clear message without SECRET_KEY, JSON logs with request
ids, optional Sentry without personal data. The settings are read in a fresh process, as at start-up."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, django
django.setup()
from django.conf import settings
print("DEBUG=%s SSL=%s FORMAT=%s" % (settings.DEBUG, getattr(settings, "SECURE_SSL_REDIRECT", None), settings.LOG_FORMAT))
from core.logs import request_id
request_id.set("req-7")
logging.getLogger("phongdich.check").warning("hello %s", "world")
"""


def run(env_extra: dict, tmp_path, code=SCRIPT):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "PHONGDICH_TESTING", "SECRET_KEY", "LOG_FORMAT", "SENTRY_DSN", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="phongdich.settings", PHONGDICH_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT),
               **env_extra)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_without_debug_and_secret_key_start_up_stops_with_a_clear_message(tmp_path):
    result = run({}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off (production)" in result.stderr
    assert "set DEBUG=1 (as `make run` does)" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key generated behind the operator's back


def test_debug_is_off_by_default_and_logs_are_json_lines_with_the_request_id(tmp_path):
    result = run({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "phongdich.example.gov.vn"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "DEBUG=False SSL=True FORMAT=json" in result.stdout
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello world" and line["request_id"] == "req-7" and line["level"] == "WARNING"


def test_make_run_turns_debug_on_with_text_logs(tmp_path):
    result = run({"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "DEBUG=True SSL=False FORMAT=text" in result.stdout
    assert "[req-7] hello world" in result.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG = 1" in makefile


def test_sentry_is_optional_and_sends_no_personal_data(tmp_path):
    code = SCRIPT + """
import sentry_sdk
options = sentry_sdk.get_client().options
print("PII=%s LOCALS=%s BODY=%s DSN=%s" % (options["send_default_pii"], options["include_local_variables"],
                                          options["max_request_body_size"], bool(options["dsn"])))
"""
    result = run({"SECRET_KEY": "x" * 60, "SENTRY_DSN": "https://public@127.0.0.1:9/1"}, tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert "PII=False LOCALS=False BODY=never DSN=True" in result.stdout
    result = run({"SECRET_KEY": "x" * 60}, tmp_path, code)
    assert "DSN=False" in result.stdout
