"""compat.ninja: ninja still writes the document through the instance, still hands a
view-mode decorator the operation's bound ``run``, and still builds its schemas with the
generator its OpenAPI module names."""

import functools
import inspect

from django.test import RequestFactory
from ninja import Field, NinjaAPI, Router, Schema
from ninja.openapi import views as openapi_views
from wagtail.api.v3.api import api as api_v3

from compat.ninja import operation_id


def test_the_openapi_view_still_asks_the_instance_for_the_document():
    assert "api.get_openapi_schema(" in inspect.getsource(openapi_views.openapi_json)


def test_wagtails_api_writes_the_document_through_ukiyos_post_processor():
    assert api_v3.get_openapi_schema.ukiyo_postprocessed


def things_view(namespace, router_decorator, api_decorator=None):
    """An API with one operation, ``things_list`` at ``things/``, under a router with
    ``router_decorator`` (and the API with ``api_decorator``), both view-mode; its view."""
    router = Router()
    router.add_decorator(router_decorator, mode="view")

    @router.get("/things/", operation_id="things_list")
    def things(request):
        return []

    api = NinjaAPI(urls_namespace=namespace)
    api.add_router("/", router)
    if api_decorator is not None:
        api.add_decorator(api_decorator, mode="view")
    # Building the URLs applies the decorators.
    return next(url.callback for url in api.urls[0] if str(url.pattern) == "things/")


def test_a_view_mode_decorator_learns_the_operation_id():
    seen = []

    def decorator(run):
        seen.append(operation_id(run))
        return run

    things_view("compat_ninja_test", decorator)
    assert seen == ["things_list"]


def recorded(order, name, seen=None):
    """A view-mode decorator that appends ``name`` to ``order`` when its run runs, and the
    operation id it was given to ``seen``."""

    def decorator(run):
        if seen is not None:
            seen.append(operation_id(run))

        @functools.wraps(run)
        def recorded_run(request, *args, **kwargs):
            order.append(name)
            return run(request, *args, **kwargs)

        return recorded_run

    return decorator


def test_a_routers_decorator_learns_the_id_inside_one_of_the_apis_own():
    """ninja applies the API's view-mode decorators (``NinjaAPI.add_decorator``) first,
    inside a router's: ``api.v3.transactions`` is installed so, and ``api.v3.pages`` both
    reads the id through it and puts its own transaction around what it adds."""
    order, seen = [], []
    view = things_view(
        "compat_ninja_order", recorded(order, "router", seen), recorded(order, "api")
    )
    assert view(RequestFactory().get("/things/")).status_code == 200
    assert seen == ["things_list"]
    assert order == ["router", "api"]


class Thing(Schema):
    name: str
    tags: list[str] = []
    note: str | None = Field(None, exclude_if=lambda value: value is None)


class NewThing(Schema):
    name: str
    tags: list[str] = []


def test_an_answers_fields_are_required_a_requests_are_not():
    api = NinjaAPI(urls_namespace="compat_ninja_required")

    @api.post("/things/", response=Thing, operation_id="things_create")
    def create(request, data: NewThing):
        return data

    schemas = api.get_openapi_schema(path_prefix="")["components"]["schemas"]
    # An answer has every field, but one its schema may leave out.
    assert schemas["Thing"]["required"] == ["name", "tags"]
    # A request may leave out what has a default.
    assert schemas["NewThing"]["required"] == ["name"]
