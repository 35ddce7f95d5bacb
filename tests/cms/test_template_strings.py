"""No text in ukiyo's templates escapes gettext.

Every word a reader sees must come from ``{% translate %}``/``{% blocktranslate %}`` or from
content (``{{ ... }}``). This test removes both, with comments, tags and the attributes that
hold no reader-visible text, and fails on any word left in a template.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path
    for app in ("accounts", "cms", "consent", "home", "news", "search", "translations")
    for path in (ROOT / app / "templates").rglob("*.html")
)

BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
# Blocks that only fill an attribute: class names, the canonical URL's query string.
CLASS_BLOCK = re.compile(
    r"{%\s*block (?:body_class|canonical_query)\s*%}.*?{%\s*endblock\s*%}", re.S
)
DJANGO = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
SCRIPT_STYLE = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
# Attributes a reader (or a screen reader) meets: their values must be translated.
VISIBLE_ATTRIBUTES = re.compile(
    r'\b(?:alt|title|placeholder|aria-label|aria-description|value)="([^"]*)"'
)
TAG = re.compile(r"<[^>]*>", re.S)
WORD = re.compile(r"[^\W\d_]{2,}")
# Not words of any language: brand and technical tokens (the names of the feed formats).
ALLOWED = {"ukiyo", "rss", "atom"}


def untranslated_words(source):
    source = COMMENT_BLOCK.sub(" ", source)
    source = CLASS_BLOCK.sub(" ", source)
    source = BLOCKTRANSLATE.sub(" ", source)
    source = DJANGO.sub(" ", source)
    source = SCRIPT_STYLE.sub(" ", source)
    attribute_text = " ".join(VISIBLE_ATTRIBUTES.findall(source))
    text = TAG.sub(" ", source) + " " + attribute_text
    text = re.sub(r"&[a-z]+;|&#x?[0-9a-f]+;", " ", text, flags=re.I)
    return [word for word in WORD.findall(text) if word.lower() not in ALLOWED]


def test_templates_are_found():
    assert len(TEMPLATES) > 15


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_text_escapes_gettext(path):
    assert untranslated_words(path.read_text(encoding="utf-8")) == []


def test_the_check_catches_untranslated_text():
    assert untranslated_words('<p>Latest news</p><a aria-label="Close">x</a>') == [
        "Latest",
        "news",
        "Close",
    ]
    assert untranslated_words('<p>{% translate "Latest news" %} {{ page.title }}</p>') == []
