"""Bench-only URLs: every production URL plus the hello-world ceiling. Never in production."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from groundswell.urls import urlpatterns as production_urlpatterns

_HELLO = engines["django"].from_string(
    "<!doctype html><html lang='en'><head><title>Hello</title></head>"
    "<body><p>Hello, {{ name }}.</p></body></html>"
)


def hello(request: HttpRequest) -> HttpResponse:
    """The ceiling: a template render through the full middleware stack, no database."""
    return HttpResponse(_HELLO.render({"name": "world"}))


urlpatterns = [path("__bench__/hello", hello), *production_urlpatterns]
