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


def test_a_view_mode_decorator_learns_the_operation_id():
    seen = []

    def decorator(run):
        seen.append(operation_id(run))
        return run

    router = Router()
    router.add_decorator(decorator, mode="view")

    @router.get("/things/", operation_id="things_list")
    def things(request):
        return []

    api = NinjaAPI(urls_namespace="compat_ninja_test")
    api.add_router("/", router)
    api.urls  # noqa: B018  (building the URLs applies the decorators)
    assert seen == ["things_list"]


def test_a_routers_decorator_learns_the_id_inside_one_of_the_apis_own():
    """ninja applies the API's view-mode decorators (``NinjaAPI.add_decorator``) first,
    inside a router's: ``api.v3.transactions`` is installed so, and ``api.v3.pages`` both
    reads the id through it and puts its own transaction around what it adds."""
    order = []

    def apis(run):
        @functools.wraps(run)
        def run_in_the_apis(request, *args, **kwargs):
            order.append("api")
            return run(request, *args, **kwargs)

        return run_in_the_apis

    seen = []

    def routers(run):
        seen.append(operation_id(run))

        @functools.wraps(run)
        def run_in_the_routers(request, *args, **kwargs):
            order.append("router")
            return run(request, *args, **kwargs)

        return run_in_the_routers

    router = Router()
    router.add_decorator(routers, mode="view")

    @router.get("/things/", operation_id="things_list")
    def things(request):
        return []

    api = NinjaAPI(urls_namespace="compat_ninja_order")
    api.add_router("/", router)
    api.add_decorator(apis, mode="view")
    view = next(url.callback for url in api.urls[0] if str(url.pattern) == "things/")
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
