"""The reader's own pages: the account page, saving articles, deleting the account."""

from importlib import import_module

from allauth.account.forms import ReauthenticateForm
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.views.account import LoginView as WagtailLoginView
from wagtail.models import Locale

from news.models import ArticlePage

from .devices import login_view
from .forms import LanguageForm
from .languages import current_language, home_url, set_language_cookie
from .models import ReaderProfile, SavedArticle

SAVED_PER_PAGE = 20

reader_required = login_required(login_url=reverse_lazy("account_login"))


@reader_required
def account(request):
    """The reader's e-mail and password links, language, saved articles, account deletion."""
    profile = ReaderProfile.for_user(request.user)
    form = LanguageForm(request.POST if request.method == "POST" else None, instance=profile)
    if form.is_valid():
        profile = form.save()
        # The next page is in the new language: so is the message.
        with translation.override(profile.language):
            messages.success(request, _("Your language is saved."))
            response = redirect("reader_account")
        set_language_cookie(response, profile.language)
        return response

    locale = reader_locale()
    paginator = Paginator(saved_articles(request.user, locale), SAVED_PER_PAGE)
    saved = paginator.get_page(request.GET.get("page"))
    show_in_language(saved, locale)
    context = {
        "form": form,
        "email": EmailAddress.objects.get_primary_email(request.user) or request.user.email,
        "saved": saved,
    }
    return render(request, "accounts/account.html", context, status=400 if form.errors else 200)


def reader_locale():
    try:
        return Locale.objects.get_for_language(current_language())
    except Locale.DoesNotExist:
        return Locale.get_default()


def saved_articles(user, locale):
    """The user's saved articles that can still be read, in ``locale`` or as saved."""
    translated = ArticlePage.objects.live().filter(
        locale=locale, translation_key=OuterRef("article__translation_key")
    )
    return (
        SavedArticle.objects.filter(user=user)
        .filter(Q(article__live=True) | Exists(translated))
        .select_related("article__locale")
    )


def show_in_language(saved_page, locale):
    """Set ``shown`` on each saved article: its live translation in ``locale`` if there is
    one, else the article as saved, then with ``language`` (code, name) to mark it.
    One query for the whole page of the list."""
    keys = [saved.article.translation_key for saved in saved_page]
    translations = {
        page.translation_key: page
        for page in ArticlePage.objects.live().filter(locale=locale, translation_key__in=keys)
    }
    names = dict(settings.LANGUAGES)
    for saved in saved_page:
        saved.shown = translations.get(saved.article.translation_key)
        saved.language = None
        if saved.shown is None:
            saved.shown = saved.article
            code = saved.article.locale.language_code
            saved.language = (code, names.get(code, code))


def safe_next(request, url, default):
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@require_POST
def saved_article(request, page_id, remove=False):
    """Save an article, or ``remove`` it (forms on the article page and the account page).

    Saving and removing are separate URLs rather than a toggle, so that a form sent twice
    (two tabs, a double click) does not undo itself.
    """
    article = get_object_or_404(ArticlePage, pk=page_id)
    readable = ArticlePage.objects.live().public().filter(pk=article.pk).exists()
    next_url = safe_next(request, request.POST.get("next"), article.get_url(request) or "/")
    if not request.user.is_authenticated:
        if not readable:
            raise Http404
        return redirect_to_login(next_url, reverse("account_login"))

    saves = SavedArticle.objects.for_article(request.user, article)
    # Only what readers can read may be saved; what a reader saved may be removed, also once
    # it is unpublished (the account page may list it through a live translation).
    if not readable and not (remove and saves.exists()):
        raise Http404
    if remove:
        saves.delete()
        message = _("“%(title)s” is no longer saved.")
    else:
        if not saves.exists():
            SavedArticle.objects.get_or_create(user=request.user, article=article)
        message = _("“%(title)s” is saved in your account.")
    messages.success(request, message % {"title": article.title})
    return redirect(next_url)


# /admin/login/: Wagtail's login (with accounts.forms.AdminLoginForm), answering a failed-login
# lockout with 429 like the readers' login.
admin_login = login_view(WagtailLoginView.as_view())


def is_editor(user):
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


@reader_required
@login_view
def delete_account(request):
    """Delete the reader's account and all its data, once the password is confirmed."""
    user = request.user
    if is_editor(user):
        # Deleting an editor can orphan pages and revisions: an administrator decides.
        return render(request, "accounts/delete_account.html", {"is_editor": True}, status=403)

    # allauth's form: a wrong password counts as a failed login (rate-limited).
    form = ReauthenticateForm(data=request.POST if request.method == "POST" else None, user=user)
    if form.is_valid():
        logout(request)
        delete_user(user)
        messages.success(request, _("Your account and all its data have been deleted."))
        return redirect(home_url(current_language()))
    status = 400 if form.errors else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)


def delete_user(user):
    """Delete ``user`` with everything that refers to them, and end their other sessions.

    Profile, saved articles and allauth's e-mail addresses go with the user (foreign keys).
    Sessions hold the user's id without a foreign key, so those in the database are found by
    reading them; the scan is slow with many sessions, but deleting an account is rare.
    Sessions in a cache cannot be listed, but they are dead anyway: the user they name is gone.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    stale = []
    if hasattr(store, "get_model_class"):
        sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
        stale = [
            session.session_key
            for session in sessions.iterator()
            if session.get_decoded().get(SESSION_KEY) == str(user.pk)
        ]
    with transaction.atomic():
        user.delete()
        for key in stale:
            store(session_key=key).delete()
