"""compat.ninja: ninja still writes the document through the instance, and still hands a
view-mode decorator the operation's bound ``run``."""

import inspect

from ninja import NinjaAPI, Router
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
