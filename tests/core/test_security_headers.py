"""Content-Security-Policy and Permissions-Policy on what the site serves.

Public pages get a policy whose scripts need the response's nonce; the admin a policy it
works with (Wagtail's own inline scripts); the API's JSON a policy that allows nothing.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.models import Site

from cms.settings.environment import url_origin
from consent.models import ConsentSettings
from tests.factories import ArticlePageFactory, embed_block, section

ROOT = Path(__file__).resolve().parents[2]
CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
# Scripts a browser runs; type="application/json" (json_script) is data, never run.
EXECUTABLE_TYPES = {"", "text/javascript", "module", "application/javascript"}


def directives(header):
    """{directive: [values]} of a policy header."""
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def attribute(attributes, name):
    found = re.search(rf'\b{name}="([^"]*)"', attributes)
    return found.group(1) if found else None


def executable_scripts(html):
    """(attributes, code) of every <script> element a browser would run."""
    return [
        (attributes, code)
        for attributes, code in SCRIPT.findall(html)
        if (attribute(attributes, "type") or "").lower() in EXECUTABLE_TYPES
    ]


def page_nonce(response):
    script_src = directives(response[CSP])["script-src"]
    nonces = [value for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1, script_src
    return nonces[0][len("'nonce-") : -1]


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="Moon landing", slug="moon-landing")


@pytest.fixture
def consent_scripts(home):
    """An analytics script, as Google's snippet comes: a library, then inline code."""
    site = Site.objects.get(is_default_site=True)
    consent = ConsentSettings.for_site(site)
    consent.scripts = [
        (
            "script",
            {
                "category": "analytics",
                "name": "Google Analytics",
                "code": (
                    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
                    "<script>window.dataLayer = window.dataLayer || []; "
                    "gtag('config', 'G-1');</script>"
                ),
                "cookies": "_ga*",
            },
        )
    ]
    consent.save()
    return consent


def test_an_article_page_has_a_policy_whose_nonce_every_script_carries(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    nonce = page_nonce(response)
    html = response.content.decode()
    scripts = executable_scripts(html)
    # Consent Mode's defaults, the consent manager and the site's own script.
    assert len(scripts) >= 3
    for attributes, _code in scripts:
        assert attribute(attributes, "nonce") == nonce, attributes
    # No inline script at all without the nonce; the page's data blocks are JSON.
    assert not [code for attributes, code in scripts if code.strip() and "nonce=" not in attributes]


def test_each_response_has_its_own_nonce(client, article):
    first, second = client.get(article.url), client.get(article.url)
    assert page_nonce(first) != page_nonce(second)


def test_the_public_policy_allows_only_the_site_and_nonced_scripts(client, article):
    policy = directives(client.get(article.url)[CSP])
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'self'" in policy["img-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_embed_providers_may_be_framed(client, index, monkeypatch):
    article = ArticlePageFactory(
        parent=index, body=[section("Video", [embed_block("https://www.youtube.com/watch?v=x")])]
    )
    policy = directives(client.get(article.url)[CSP])
    assert "https://www.youtube-nocookie.com" in policy["frame-src"]
    assert "https://www.youtube.com" in policy["frame-src"]
    assert "https://player.vimeo.com" in policy["frame-src"]


def test_consent_scripts_are_data_until_consent_js_runs_them(client, article, consent_scripts):
    """No editor's script is in the page as a script: consent.js starts it, with the nonce,
    only for a reader who allowed its category (tests/browser/test_csp.py)."""
    client.cookies["ukiyo_consent"] = "v=1&t=1750560000&analytics=1&marketing=1&functional=1"
    html = client.get(article.url).content.decode()
    assert "googletagmanager" in html  # in the consent configuration...
    for attributes, code in executable_scripts(html):  # ...and in no script of the page
        assert "googletagmanager" not in attributes
        assert "gtag(" not in code


def test_consent_js_gives_started_scripts_the_page_nonce():
    source = (ROOT / "consent" / "static" / "consent" / "consent.js").read_text()
    assert "currentScript" in source
    assert re.search(r"\.nonce\s*=", source)


def test_report_only_switches_the_header(client, article):
    policy = settings.CONTENT_SECURITY_POLICY
    report_only = {"CONTENT_SECURITY_POLICY": None, "CONTENT_SECURITY_POLICY_REPORT_ONLY": policy}
    with override_settings(**report_only):
        response = client.get(article.url)
    assert CSP not in response
    assert "script-src" in response[CSP_REPORT_ONLY]
    nonce = directives(response[CSP_REPORT_ONLY])["script-src"]
    html = response.content.decode()
    assert f"'nonce-{attribute(executable_scripts(html)[0][0], 'nonce')}'" in nonce


def test_report_only_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(bool(settings.CONTENT_SECURITY_POLICY), "
        "bool(settings.CONTENT_SECURITY_POLICY_REPORT_ONLY), "
        "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['report-uri'])"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "CSP_REPORT_ONLY": "true",
        "CSP_REPORT_URI": "https://reports.example/csp",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "['https://reports.example/csp']"]


def test_extra_hosts_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(' '.join(map(str, d['script-src'])), '|', ' '.join(d['img-src']), '|', "
        "' '.join(d['frame-src']))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "CSP_SCRIPT_SRC": "https://www.googletagmanager.com",
        "CSP_IMG_SRC": "https://*.google-analytics.com",
        "CSP_FRAME_SRC": "https://www.youtube-nocookie.com",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    scripts, images, frames = (part.split() for part in result.stdout.split("|"))
    assert "https://www.googletagmanager.com" in scripts
    assert "https://*.google-analytics.com" in images
    assert frames == ["'self'", "https://www.youtube-nocookie.com"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://media.news.example/files/", "https://media.news.example"),
        ("//cdn.news.example/static/", "https://cdn.news.example"),
        ("/media/", None),
        ("", None),
    ],
)
def test_files_served_from_another_host_are_allowed(url, origin):
    """MEDIA_URL or STATIC_URL on a CDN or object storage: its origin joins the policy."""
    assert url_origin(url) == origin


def test_api_json_gets_a_policy_that_allows_nothing(client, home):
    response = client.get("/api/v2/pages/")
    assert response.status_code == 200
    assert directives(response[CSP]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    problem = client.get("/api/v3/pages/?offset=x")
    assert directives(problem[CSP])["default-src"] == ["'none'"]


def test_the_admin_gets_a_policy_it_works_with(editor, home):
    response = editor.get("/admin/")
    assert response.status_code == 200
    policy = directives(response[CSP])
    # Wagtail's admin has inline scripts of its own, which carry no nonce.
    assert "'unsafe-inline'" in policy["script-src"]
    assert not [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_editors_avatars_are_not_looked_up_at_gravatar(editor, home, admin_user):
    """Off by default: Gravatar would learn who opens the admin, and when."""
    assert admin_user.email
    response = editor.get("/admin/")
    html = response.content.decode()
    assert "gravatar" not in html.lower()
    assert "wagtailadmin/images/default-user-avatar" in html
    assert "www.gravatar.com" not in directives(response[CSP])["img-src"]


def test_gravatar_is_turned_on_by_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.WAGTAIL_GRAVATAR_PROVIDER_URL, "
        "'www.gravatar.com' in settings.UKIYO_CSP_ADMIN_DIRECTIVES['img-src'])"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "GRAVATAR": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["//www.gravatar.com/avatar", "True"]


@pytest.mark.parametrize("path", ["/ja/", "/api/v2/pages/", "/admin/login/"])
def test_permissions_policy_denies_powerful_features(client, home, path):
    header = client.get(path)["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_the_language_cookie_is_secure_in_production():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.LANGUAGE_COOKIE_SECURE, settings.SESSION_COOKIE_SECURE)"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "news.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_a_secure_language_cookie_is_set_secure(client, home):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True
