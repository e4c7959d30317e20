"""A Content-Security-Policy without inline scripts: every page sends the header (scripts only from our own files,
no framing), and no template carries an inline <script> or an on…= event handler that the policy would block."""
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _templates():
    for path in ROOT.rglob("*.html"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "node_modules", "staticfiles", "var") or "site-packages" in parts:
            continue
        yield path


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in INLINE_SCRIPT.finditer(text)]
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in HANDLER.finditer(text)]
    assert offenders == []


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in header.split(";") if d.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/dang-nhap/", "/levels/cong-khai/", "/reports/cong-khai/phan-anh/",
                                 "/contacts/cong-khai/khai-bao-y-te/", "/cases/cong-khai/xac-minh/" + "x" * 40 + "/"])
def test_public_pages_send_the_policy(kontum, client, url):
    policy = _policy(client.get(url))
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"


@pytest.mark.django_db
def test_signed_in_pages_and_the_api_docs_send_it_and_the_api_docs_have_no_inline_script(personas, client_for):
    c = client_for(personas["health_dept"])
    for url in ["/", "/people/", "/levels/", "/api/docs/"]:
        r = c.get(url)
        assert r.status_code == 200 and "script-src 'self'" in r["Content-Security-Policy"], url
    docs = c.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(docs)
    script = c.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
