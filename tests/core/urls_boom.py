"""The project's URLs plus a page that fails, to see the 500 page as a user would (tests only)."""
from django.urls import path

from phongdich.urls import handler403, handler404, handler500  # noqa: F401
from phongdich.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("loi-thu/", boom), *project_urls]
