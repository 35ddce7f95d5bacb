"""The site's URLs plus the benchmark's bare view (cms.settings.bench only, never production)."""

from django.http import HttpResponse
from django.urls import path

from .urls import handler400, handler429, handler500, urlpatterns

__all__ = ["handler400", "handler429", "handler500", "urlpatterns"]


def bare(request):
    """A short answer through the full middleware stack: the benchmark's reference."""
    return HttpResponse(b"ukiyo\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *urlpatterns]
