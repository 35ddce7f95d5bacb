"""What ukiyo adds to Wagtail's v3 page operations, as decorators of Wagtail's pages router.

- **Reader paths.** ``find/?html_path=/ja/articles/…`` finds the page a reader sees there
  (``api.paths``); Wagtail's own lookup takes the language prefix for a slug.
- **A language asked for.** ``find`` with ``locale`` (and ``fallback``) leads to the page's
  version in that language, marked as v2 marks it, where the page's app serves one
  (``register_detail_in_language``: the article in a language); any other page is refused
  with a 400 rather than answered in its own language.
- **The page's language.** Every operation on one page runs in that page's language, so its
  rich-text links resolve to pages of the same language (v2 does the same in its serializer).
- **Safe writes.** Under the page's row lock, a change to a page that a Wagtail lock keeps from
  the caller answers 423 (``api.v3.locks``); ``If-Match`` is compared with the page's
  revisions (``api.v3.preconditions``: 412, and 428 for a PATCH without it); the body is
  checked (``api.v3.bodies``: 422 with paths); then Wagtail's view runs, its messages in
  English, and the answer is built, all in one transaction (``api.v3.transactions``). A token
  holder's read or write of a page carries the page's ``ETag``.

django-ninja's ``Router.add_decorator`` is the extension point: ``mode="view"`` wraps each
operation's whole run (the answer included), ``mode="operation"`` the view function, after
authentication and validation. Operations are told apart by their ``operationId``, the name the
published contract gives them.
"""

import functools
import json
from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.utils import translation
from ninja import Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.api.validators import SiteFilterValidator
from wagtail.coreutils import resolve_model_string
from wagtail.models import Page
from wagtail.permissions import policy_registry

from api.access import can_read, page_kind, public_to, read_page, readable_pages, site_asked_for
from api.languages import ListingParameterError, known_locale, parse_languages
from api.paths import decoded, not_published, page_at_html_path
from api.rendering import COMPACT
from compat.ninja import operation_id

from .bodies import BodyChecker
from .locks import check_lock
from .preconditions import can_write, check_if_match, current_etag
from .transactions import write_with_its_answer

FIND = "pages_find"
LIST = "pages_list"
DETAIL = "pages_detail"
# Operations that change one page (If-Match applies), and those that take a body.
PRECONDITION_OPERATIONS = {
    "pages_update",
    "pages_delete",
    "pages_actions_delete",
    "pages_actions_publish",
    "pages_actions_unpublish",
    "pages_actions_revert",
}
# A PATCH must send If-Match (428 without it): it is the write that can overwrite an edit.
IF_MATCH_REQUIRED = {"pages_update"}
BODY_OPERATIONS = {"pages_update", "pages_create"}
# Operations that change one page, which a Wagtail lock on it stops (423).
LOCKED_OPERATIONS = PRECONDITION_OPERATIONS | {
    "pages_actions_move",
    "pages_actions_convert_alias",
}
# Writes whose answer tells whether the page is live or scheduled (``meta.live``,
# ``meta.scheduled_at``): a publish may schedule instead (a go-live in the future).
PUBLISHING_OPERATIONS = {
    "pages_update",
    "pages_create",
    "pages_actions_publish",
    "pages_actions_unpublish",
    "pages_actions_revert",
}
# Operations whose answer shows a page a token holder may write next.
TAGGED_OPERATIONS = {
    "pages_detail",
    "pages_update",
    "pages_create",
    "pages_actions_publish",
    "pages_actions_unpublish",
    "pages_actions_revert",
}


# Page types whose version in a language an app serves in v3 (with the language asked for and
# the fallback marked), by model: a function from a page id to that endpoint's URL.
_details_in_language = {}


def register_detail_in_language(model, url_for):
    """``find`` with ``locale`` leads pages of ``model`` (and its subclasses) to
    ``url_for(page_id)``, which takes ``locale``, ``fallback`` and ``site``. For an app's
    ``AppConfig.ready()``."""
    _details_in_language[model] = url_for


def detail_in_language(model):
    return next(
        (url_for for base in model.__mro__ if (url_for := _details_in_language.get(base))),
        None,
    )


def extend(router):
    """Add the decorators to Wagtail's pages router (and the routers it includes)."""
    router.add_decorator(around_operation, mode="view")
    router.add_decorator(before_view, mode="operation")


# -- around each operation (mode="view") ---------------------------------------------------


def around_operation(run):
    operation = operation_id(run)
    wrapped = in_page_language(run)
    if operation in TAGGED_OPERATIONS:
        wrapped = tagged(wrapped)
    if operation in PUBLISHING_OPERATIONS:
        wrapped = with_publishing_state(wrapped)
    wrapped = write_with_its_answer(wrapped)

    @functools.wraps(run)
    def run_operation(request, *args, **kwargs):
        # For ``before_view``, which sees Wagtail's function, not the operation.
        request.ukiyo_operation_id = operation
        return wrapped(request, *args, **kwargs)

    return run_operation


def in_page_language(run):
    """Run an operation on one page (``page_id`` in its path) in that page's language."""

    @functools.wraps(run)
    def run_in_page_language(request, *args, **kwargs):
        page_id = kwargs.get("page_id")
        language = None
        if page_id is not None and str(page_id).isdecimal():
            language, request.ukiyo_page_type = page_kind(page_id)
        if not language:
            return run(request, *args, **kwargs)  # not a page id: the operation answers it
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return run(request, *args, **kwargs)

    return run_in_page_language


def tagged(run):
    """The answer to a token holder gets the page's ETag, so that the next write can send it
    back in ``If-Match``."""

    @functools.wraps(run)
    def run_tagged(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        if response.status_code not in (200, 201) or not request.user.is_authenticated:
            return response
        page_id = kwargs.get("page_id")
        if page_id is None:  # a new page: its id is in the answer
            try:
                page_id = json.loads(response.content)["id"]
            except (ValueError, KeyError, TypeError):
                return response
        version = request.GET.get("version", "live") if request.method == "GET" else "draft"
        etag = current_etag(page_id, version=version)
        if etag:
            response["ETag"] = etag
        return response

    return run_tagged


def with_publishing_state(run):
    """A write's answer says whether the page is live and when a version of it is scheduled
    to go live: a publish answers 200 whether it went live at once or was scheduled."""

    @functools.wraps(run)
    def run_with_state(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        if response.status_code not in (200, 201):
            return response
        try:
            answer = json.loads(response.content)
            page = Page.objects.get(pk=answer["id"])
        except (ValueError, KeyError, TypeError, Page.DoesNotExist):
            return response
        if not isinstance(answer.get("meta"), dict):
            return response
        scheduled = page.scheduled_revision
        answer["meta"]["live"] = page.live
        answer["meta"]["scheduled_at"] = (
            scheduled.approved_go_live_at.isoformat().replace("+00:00", "Z") if scheduled else None
        )
        response.content = json.dumps(answer, **COMPACT)
        return response

    return run_with_state


# -- before Wagtail's view function (mode="operation") -------------------------------------


def before_view(view_func):
    @functools.wraps(view_func)
    def view(request, *args, **kwargs):
        operation = getattr(request, "ukiyo_operation_id", None)
        if operation == FIND:
            html_path = kwargs.get("html_path")
            site = None
            if html_path:
                # Wagtail's view, which tries an ``id`` after the path, reads it decoded too.
                kwargs["html_path"] = html_path = decoded(html_path)
                site = requested_site(request, kwargs.get("site"))
            if request.GET.get("locale") or request.GET.get("fallback"):
                return find_in_language(request, html_path, kwargs.get("id"), site)
            found = find_by_reader_path(request, html_path, site)
            if found is not None:
                return found
        if operation in LOCKED_OPERATIONS | BODY_OPERATIONS:
            return guarded_write(request, operation, view_func, *args, **kwargs)
        if operation == LIST and request.GET.get("locale"):
            known_locale(request.GET["locale"])  # Wagtail's 404 in the words of every endpoint
        if operation == DETAIL:
            found = live_page_read_whole(request, kwargs.get("page_id"), kwargs.get("version"))
            if found is not None:
                return found
        return view_func(request, *args, **kwargs)

    return view


def live_page_read_whole(request, page_id, version):
    """The live page Wagtail's detail view would answer, read as its ``detail_queryset`` reads
    it: in one query, with what the page shows. None leaves the answer to Wagtail's view (a
    draft for a token holder, a page the caller may not read, a type without one).

    Wagtail's view looks the page up among those the caller may read, then reads its specific
    page in a second query, and its related rows one by one as the answer is built. Here the
    page as read is kept (``api.parts``); who may read it is decided for each request.
    """
    if version == "draft" and request.user.is_authenticated:
        return None
    content_type_id = getattr(request, "ukiyo_page_type", None)  # in_page_language read it
    model = content_type_id and ContentType.objects.get_for_id(content_type_id).model_class()
    detail_queryset = getattr(model, "detail_queryset", None)
    if detail_queryset is None:
        return None
    if request.user.is_authenticated:
        if not readable_pages(request).filter(pk=page_id).exists():
            return None
        return read_page(model, page_id)
    site = public_detail_site(request)
    page = read_page(model, page_id)
    return page if page is not None and public_to(page, site) else None


def public_detail_site(request):
    """The site a caller without a token reads a page of: ``?site=``, else the request's."""
    try:
        return site_asked_for(request)
    except ValueError as error:  # ?site= matches several sites
        raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error


def requested_site(request, site):
    """The site ``find`` looks a path up in: ``?site=host[:port]``, else the request's.

    An unknown site is a 404 (Wagtail's), a port that is no number a 400, as every other
    operation answers it (Wagtail's own ``find`` failed on it).
    """
    try:
        return SiteFilterValidator(site=site, request=request).site_obj
    except ValueError as error:  # Pydantic's ValidationError is one too
        raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error


def find_by_reader_path(request, html_path, site_obj):
    """A redirect for ``html_path``, or None to let Wagtail's view answer (no path; or a path
    where nothing is published and an ``id`` to try next, as Wagtail's ``find`` does).

    Wagtail's lookup takes a language prefix for a slug; here it chooses the language's tree
    (``api.paths``), and a path without one is looked up in the source language, as Wagtail
    does. The redirect names the page's ``id`` (``find/?id=…``, the other parameters kept), so
    that Wagtail's view still decides who may see the page. A page the caller may not read is
    not published for them, and its id must not show: 404, worded as v2 words it.
    """
    if not html_path:
        return None
    page = page_at_html_path(request, html_path, site_obj) if site_obj else None
    if page is None or not can_read(request, page):
        if request.GET.get("id"):
            return None
        raise Http404(not_published(html_path))
    query = request.GET.copy()
    query.pop("html_path")
    query["id"] = str(page.pk)
    return HttpResponseRedirect(f"{request.path}?{urlencode(query, doseq=True)}")


def _invalid(parameter, message):
    """A 400 naming the query parameter, as the article endpoints answer one."""
    return NinjaValidationError(
        [{"type": "value_error", "loc": ["query", parameter], "msg": message}]
    )


def find_in_language(request, html_path, page_id, site):
    """``find`` with ``locale`` (and ``fallback``): a redirect to the version of the page in
    that language, or in the first fallback language that has it, as its app serves it.

    Wagtail's ``find`` ignores both and would answer the page in its own language, which a
    frontend cannot tell from the one it asked for. The languages are checked as every
    endpoint checks them (``api.languages``); the page is found as ``find`` finds it (its
    reader path, else its id), and must be readable by the caller.
    """
    locale = request.GET.get("locale", "")
    try:
        parse_languages(locale, request.GET.get("fallback"))
    except ListingParameterError as error:
        raise _invalid(error.parameter, str(error)) from error
    known_locale(locale)
    page = None
    if html_path and site is not None:
        page = page_at_html_path(request, html_path, site)
    if page is None and page_id:
        page = Page.objects.filter(pk=page_id).first()
    if page is None or not can_read(request, page):
        if html_path:
            raise Http404(not_published(html_path))
        raise Http404(f"No {Page._meta.object_name} matches the given query.")
    url_for = detail_in_language(page.specific_class)
    if url_for is None:
        raise _invalid(
            "locale",
            f"A {page.specific_class._meta.label} has no version in a language here (only "
            "articles do): look up its path in the language you want (/en/…).",
        )
    query = request.GET.copy()
    query.pop("html_path", None)
    query.pop("id", None)
    return HttpResponseRedirect(f"{url_for(page.pk)}?{urlencode(query, doseq=True)}")


def guarded_write(request, operation, view_func, *args, **kwargs):
    """The lock, If-Match, then the body check, then Wagtail's view, in one transaction (a
    savepoint of the operation's, ``api.v3.transactions``).

    The lock and the tag are only looked at for a caller who may change the page: anyone else
    gets Wagtail's 403, and learns nothing of who locked it or of its revisions.
    """
    with transaction.atomic():
        page_id = kwargs.get("page_id")
        if (
            page_id is not None
            and request.user.is_authenticated
            and can_write(request.user, page_id)
        ):
            page = Page.objects.select_for_update().filter(pk=page_id).first()
            if page is not None and operation in LOCKED_OPERATIONS:
                check_lock(request.user, page.specific)
            if operation in PRECONDITION_OPERATIONS:
                check_if_match(request, page_id, required=operation in IF_MATCH_REQUIRED)
        if operation in BODY_OPERATIONS and "data" in kwargs and may_write(request, operation):
            with translation.override("en"):
                check_body(request, kwargs["data"], page_id)
        with translation.override("en"):
            answer = view_func(request, *args, **kwargs)
        if operation in BODY_OPERATIONS:
            as_it_now_is(answer)
        return answer


# What publishing changes on the page itself, not on the version the write answers with.
PUBLISHED_STATE = ("url_path", "first_published_at", "last_published_at")


def as_it_now_is(answer):
    """The page a PATCH or POST answers with, given what publishing it changed.

    Wagtail's view answers with the version it saved; publishing then writes the page's row
    from that revision: a new slug moves the page's address (``meta.html_url``) and a first
    publication sets ``first_published_at``. The answer takes them from the row, so it says
    where readers find the page now, as the next read does. A draft or a publication
    scheduled for later leaves them as they are.
    """
    page = answer.value if isinstance(answer, Status) else answer
    if not isinstance(page, Page) or page.pk is None:
        return
    state = Page.objects.filter(pk=page.pk).values(*PUBLISHED_STATE).first()
    for name, value in (state or {}).items():
        setattr(page, name, value)


def may_write(request, operation):
    """Wagtail's own coarse permission check comes first: a caller who may not add or change
    pages at all gets its 403, not a report on their body."""
    action = "add" if operation == "pages_create" else "change"
    return policy_registry.get_by_type(Page).user_has_any_permission(request.user, [action])


def check_body(request, data, page_id):
    """Check the body of a write; the checked values replace what was sent (``BodyChecker``)."""
    meta = getattr(data, "meta", None)
    model = resolve_model_string(meta.type) if meta is not None and meta.type else None
    page = None
    if page_id is not None:
        specific = Page.objects.filter(pk=page_id).first()
        if specific is None:
            return  # the view answers 404
        if model is None:
            model = specific.specific_class
        page = specific.specific.get_latest_revision_as_object()
    if model is None:
        return
    payload = data.model_dump(exclude={"meta"}, exclude_unset=True)
    publish = getattr(meta, "action", None) == "publish"
    locale_id = None
    if page is None and getattr(meta, "parent_id", None) is not None:
        # A new page is in its parent's language (Wagtail's create); no parent: the view
        # answers 404.
        parent = Page.objects.filter(pk=meta.parent_id).values_list("locale_id", flat=True)
        locale_id = parent.first()
    checker = BodyChecker(
        model,
        page,
        request.user,
        publish=publish,
        locale_id=locale_id,
        keys_sent=functools.partial(keys_sent, request),
    )
    for field_name, value in checker.check(payload).items():
        setattr(data, field_name, value)


def keys_sent(request):
    """The top-level keys of a write's JSON body (already parsed once by the operation)."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return set()
    return set(body) if isinstance(body, dict) else set()
