"""The deployment kit in deploy/ stays in step with the application: every setting in the env template, the same
commands in the systemd units, compose and the image, and nginx's limits matching the application's."""
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def template_names() -> set[str]:
    text = (DEPLOY / "phongdich.env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_the_env_template_lists_every_setting_the_application_reads():
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', (ROOT / "phongdich/settings.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG", "REDIS_URL"} <= read  # the pattern finds them
    for path in ROOT.glob("*/apps.py"):  # settings some apps read from the environment themselves
        read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', path.read_text()))
    gunicorn = set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()))
    missing = (read | gunicorn) - template_names()
    assert not missing, f"add to deploy/phongdich.env.example: {sorted(missing)}"


def test_the_env_template_is_production_ready_but_holds_no_secret():
    text = (DEPLOY / "phongdich.env.example").read_text()
    assert re.search(r"^DEBUG=0$", text, flags=re.M)
    assert re.search(r"^SECRET_KEY=$", text, flags=re.M)
    assert re.search(r"^LOG_FORMAT=json$", text, flags=re.M)


def unit_command(name: str) -> list[str]:
    text = (DEPLOY / "systemd" / name).read_text()
    [line] = re.findall(r"^ExecStart=(.+)$", text, flags=re.M)
    argv = shlex.split(line)
    return [Path(argv[0]).name, *argv[1:]]


def unit(name: str) -> dict:
    text = (DEPLOY / "systemd" / name).read_text()
    return dict(re.findall(r"^(\w+)=(.*)$", text, flags=re.M))


def test_the_systemd_units_run_as_the_service_user_with_the_env_file():
    for name in ("phongdich-web.service", "phongdich-worker.service", "phongdich-beat.service",
                 "phongdich-scheduler.service"):
        u = unit(name)
        assert u["User"] == "phongdich" and u["EnvironmentFile"] == "/etc/phongdich/phongdich.env"
        assert u["WorkingDirectory"] == "/opt/phongdich" and u["Restart"] == "always"
    assert unit_command("phongdich-web.service") == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "phongdich.wsgi"]
    assert unit_command("phongdich-beat.service")[:4] == ["celery", "-A", "phongdich", "beat"]
    assert unit_command("phongdich-scheduler.service") == ["phongdich", "run_scheduler"]
    # The two schedulers exclude each other: one schedule, run once.
    assert unit("phongdich-beat.service")["Conflicts"] == "phongdich-scheduler.service"
    assert unit("phongdich-scheduler.service")["Conflicts"] == "phongdich-beat.service"
    assert "-B" not in unit_command("phongdich-worker.service")  # never beat inside a worker


def test_compose_has_every_service_with_the_same_commands_as_the_systemd_units():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "upgrade", "web", "worker", "beat"}
    assert services["web"]["command"] == unit_command("phongdich-web.service")
    assert services["worker"]["command"] == unit_command("phongdich-worker.service")
    assert services["beat"]["command"] == unit_command("phongdich-beat.service")
    assert services["upgrade"]["command"] == ["phongdich", "upgrade"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["upgrade"]["condition"] == "service_completed_successfully"
        assert services[name]["env_file"] == "phongdich.env"
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://phongdich:")
    for service in services.values():  # secrets come from the env file, never from the compose file
        assert "SECRET_KEY" not in service.get("environment", {})


def test_the_image_runs_as_a_non_root_user_without_secrets_and_starts_the_web_command():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:[\d.]+-slim", text, flags=re.M)
    assert re.findall(r"^USER (\S+)", text, flags=re.M) == ["phongdich"]
    assert not re.search(r"^ENV[^\n]*SECRET_KEY", text, flags=re.M | re.S)
    [cmd] = re.findall(r"^CMD (\[.*\])$", text, flags=re.M)
    assert yaml.safe_load(cmd) == unit_command("phongdich-web.service")
    assert "/healthz/" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "node_modules", "var"} <= set(ignored)


def test_gunicorn_config_loads_and_reads_its_environment(monkeypatch):
    monkeypatch.setenv("PHONGDICH_BIND", "0.0.0.0:8000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    assert conf["bind"] == "0.0.0.0:8000" and conf["workers"] == 3 and conf["worker_class"] == "gthread"
    assert "x-request-id" in conf["access_log_format"]


def test_nginx_limits_match_the_application_and_it_never_serves_media():
    text = (DEPLOY / "nginx" / "phongdich.conf").read_text()
    template = (DEPLOY / "phongdich.env.example").read_text()
    upload_mb = re.search(r"^PHONGDICH_UPLOAD_MAX_MB=(\d+)$", template, flags=re.M).group(1)
    assert upload_mb == "50"
    assert re.search(rf"client_max_body_size {upload_mb}m;", text)
    conf: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", text).group(1))
    assert read_timeout > conf["timeout"]  # nginx waits for gunicorn, not the other way round
    assert not re.search(r"location\s+[^{]*/media", text)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert "ssl_certificate " in text and "return 301 https://" in text
