"""The REST API describes itself: an OpenAPI schema at /api/schema/, interactive docs, and no 5xx answer to any
request the schema allows (schemathesis, property-based), with a commune user's token. Every answer's status code
is one the schema documents for that operation (schemathesis' `status_code_conformance`): the error answers are
added to every operation by core.api_schema.add_error_responses.

Every operation of the served schema (so new apps' endpoints are included) gets a bounded number of generated
requests, sent through Django's WSGI application in-process (same database transaction as the test).
"""
import pytest
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15
# Requests the schema forbids (wrong types, missing fields, bad path ids): fewer, they mostly meet the same 400s.
NEGATIVE_EXAMPLES_PER_OPERATION = 4


@pytest.fixture
def seeded(personas, commune_a, commune_b):
    """A few people so that list, search and detail requests meet data (ids 1.. exist)."""
    from tests.conftest import make_person

    for i, name in enumerate(["Nguyễn Văn An", "Trần Thị Bình", "Y Hơn", "A Blông"]):
        make_person(commune_a, full_name=name, birth_year=1960 + i)
    make_person(commune_b, full_name="Phạm Văn Xa")
    return personas


@pytest.fixture
def token(seeded):
    from accounts.services import create_token

    return create_token(user=seeded["commune_a"], name="schemathesis")[1]


def test_the_schema_is_served_and_valid(client, personas, client_for):
    # The OpenAPI 3.0 meta-schema that schemathesis ships (jsonschema-rs).
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    response = client_for(personas["commune_a"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.0")
    errors = [str(e) for e in OPENAPI_30_VALIDATOR.iter_errors(schema)]
    assert not errors, errors[:5]
    assert "/api/people/" in schema["paths"] and "/api/people/{id}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    # Interactive documentation, served from our own static files (no CDN).
    docs = client_for(personas["commune_a"]).get("/api/docs/")
    assert docs.status_code == 200 and "swagger" in docs.content.decode().lower()
    assert "cdn" not in docs.content.decode().lower()


def test_the_api_refuses_anonymous_callers(client, seeded):
    assert client.get("/api/people/").status_code in (401, 403)


def test_every_operation_documents_its_error_answers(client, personas, client_for):
    schema = client_for(personas["commune_a"]).get("/api/schema/", {"format": "json"}).json()
    assert {"detail", "message_vi", "message_en"} <= set(schema["components"]["schemas"]["Error"]["properties"])
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403"} <= codes, (method, path, codes)
            assert "{" not in path or "404" in codes, (method, path, codes)
            assert method not in ("put", "patch") or "409" in codes, (method, path, codes)


def test_no_generated_request_gets_a_5xx_or_an_undocumented_status(token, client):
    """Every operation of the schema (new apps' ones included), EXAMPLES_PER_OPERATION generated requests each,
    checked with schemathesis' not_a_server_error and status_code_conformance."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    raw = client.get("/api/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(raw.json())
    schema.app = get_wsgi_application()
    failures, operations = [], 0
    # As Django's test client does: keep the test's database connection (and transaction) across requests.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        operations = _fuzz(schema, token, failures)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert operations >= 5
    where = sorted({f.split("\n")[0] for f in failures})
    assert not failures, f"{len(failures)} failing requests: {where}\n\n" + "\n\n".join(failures[:5])


def _fuzz(schema, token, failures) -> int:
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import status_code_conformance

    checks = [not_a_server_error, status_code_conformance]
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION),
                               (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES_PER_OPERATION)):

            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                headers = {"Authorization": f"Token {token}"}
                response = case.call(app=schema.app, headers=headers)
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except FailureGroup as exc:  # schemathesis reports every failed check of a response in one group
                    failures.append(f"{case.operation.method.upper()} {case.operation.path}: {response.status_code}\n"
                                    f"{case.as_curl_command()}\n{str(exc)[:300]}\n{response.text[:300]}")

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # an operation without inputs has no invalid request to make
    return operations
