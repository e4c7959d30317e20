"""core.views.role_required and RoleRequiredMixin: the one role check of function views and of class-based views
(sign-in for anonymous users, 403 for wrong roles, `edit_roles` in addition for writes)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from core.roles import HEALTH_READERS, PERSON_EDITORS
from core.views import RoleRequiredMixin, role_required

pytestmark = pytest.mark.django_db


@role_required(PERSON_EDITORS)
def page(request):
    return HttpResponse("ok")


@role_required(PERSON_EDITORS, anonymous_404=True)
def endpoint(request):
    return HttpResponse("ok")


@role_required(HEALTH_READERS, edit_roles=PERSON_EDITORS)
def read_or_edit(request):
    return HttpResponse("ok")


class ReadOrEdit(RoleRequiredMixin, View):
    allowed_roles = HEALTH_READERS
    edit_roles = PERSON_EDITORS

    def get(self, request):
        return HttpResponse("ok")

    def post(self, request):
        return HttpResponse("ok")


def _request(user, path="/people/them/?q=An", method="get"):
    from django.contrib.auth.models import AnonymousUser

    request = getattr(RequestFactory(), method)(path)
    request.user = user or AnonymousUser()
    return request


def test_anonymous_users_go_to_sign_in_and_come_back(personas):
    response = page(_request(None))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/dang-nhap/?next=/people/them/%3Fq%3DAn"


def test_anonymous_callers_of_an_endpoint_get_404(personas):
    with pytest.raises(Http404):
        endpoint(_request(None))


def test_signed_in_users_without_the_role_get_403_and_with_it_the_page(personas):
    for view in (page, endpoint):
        with pytest.raises(PermissionDenied):
            view(_request(personas["leader"]))
        assert view(_request(personas["commune_a"])).content == b"ok"


@pytest.mark.parametrize("url, status, location", [
    ("/people/", 302, "/accounts/dang-nhap/?next=/people/"),
    ("/people/them/", 302, "/accounts/dang-nhap/?next=/people/them/"),
    ("/vaccination/", 302, "/accounts/dang-nhap/?next=/vaccination/"),
    ("/vaccination/bao-phu.json", 404, None),
    ("/levels/", 302, "/accounts/dang-nhap/?next=/levels/"),
])
def test_the_app_pages_send_anonymous_users_to_sign_in(client, url, status, location):
    response = client.get(url)
    assert response.status_code == status
    if location:
        assert response["Location"] == location


def test_post_only_views_answer_405_before_asking_anyone_to_sign_in(client, commune_a):
    assert client.get(f"/levels/don-vi/{commune_a.pk}/2022-02-07/quyet-dinh/").status_code == 405
    assert client.post(f"/levels/don-vi/{commune_a.pk}/2022-02-07/quyet-dinh/").status_code == 302


def test_wrong_roles_get_403_on_the_app_pages(client_for, personas):
    assert client_for(personas["leader"]).get("/people/them/").status_code == 403
    assert client_for(personas["agency"]).get("/vaccination/").status_code == 403


@pytest.mark.parametrize("view", [read_or_edit, ReadOrEdit.as_view()], ids=["decorator", "mixin"])
def test_edit_roles_are_required_in_addition_for_a_write_by_the_decorator_and_the_mixin_alike(personas, view):
    # Leadership reads health records but edits no one's: the page opens, the form's POST is refused.
    assert view(_request(personas["leader"])).content == b"ok"
    with pytest.raises(PermissionDenied):
        view(_request(personas["leader"], method="post"))
    assert view(_request(personas["commune_a"], method="post")).content == b"ok"
    with pytest.raises(PermissionDenied):
        view(_request(personas["agency"]))  # no health role at all
    assert view(_request(None)).status_code == 302  # anonymous: to sign-in
