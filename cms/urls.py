from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from core.media import serve_public_media
from core.sites import serve as serve_page
from core.static import serve_collected
from news import views as news_views
from search import views as search_views

# Outside the language prefix: the admin, the API and files.
urlpatterns = [
    # Settings → Footer links moved from the project package to core: old bookmarks still work.
    re_path(
        r"^admin/settings/cms/footerlinks/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/settings/core/footerlinks/%(rest)s", permanent=True),
    ),
    # Wagtail's login, with the readers' failed-login limits and their 429 (accounts.devices).
    path("admin/login/", accounts_views.admin_login),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # robots.txt and the sitemaps, at the root where crawlers look for them.
    path("", include("discovery.urls")),
]

if settings.STATIC_URL.startswith("/"):
    # A static file collected after this server started, which WhiteNoise does not list yet
    # (a rolling release: core.static). Not for static files on another host (a CDN).
    urlpatterns += [
        re_path(rf"^{settings.STATIC_URL.lstrip('/')}(?P<path>.+)$", serve_collected),
    ]

if settings.UKIYO_SERVE_MEDIA:
    # The development server (and production with SERVE_MEDIA) serves uploaded images;
    # documents only through the view above, which applies their collection's privacy (never
    # as files under /media/documents/).
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_public_media),
    ]

# Wagtail's page pattern only matches ``\w`` characters, which leave out the vowel signs of
# Hindi and Thai slugs (combining marks); ukiyo's matches any slug segment. Its view is
# Wagtail's, with the site and the page routing starts from read from the cache (core.sites).
page_urls = [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"),
    re_path(r"^((?:[^/]+/)*)$", serve_page, name="wagtail_serve"),
]

# Pages, in every language: /ja/..., /en/...
urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("opensearch.xml", search_views.opensearch, name="opensearch"),
    # RSS and Atom: the language's articles, a category's, an author's.
    path("", include("discovery.feed_urls")),
    path("corrections/", news_views.corrections, name="corrections"),
    path("authors/<str:slug>/", news_views.author, name="author"),
    # ukiyo's reader pages first: /accounts/ is the reader's account page.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("consent.urls")),
    path("", include(page_urls)),
    prefix_default_language=True,
)
handler400 = "cms.views.bad_request"
handler500 = "cms.views.server_error"
# allauth's own rate limits (password resets, sign-ups...) answer with this page.
handler429 = "cms.views.too_many_requests"
