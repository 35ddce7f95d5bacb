"""The guide's ways of revoking an API token on the server work as written.

docs/api.md ("Tokens (v3)") shows `manage.py api_tokens revoke` with its arguments, on a line
of its own or as an alternative in a comment (`# or --user admin --prefix wagtail_PJAV`).
An operator copies one, changing the example's id or prefix to their token's: each must
revoke exactly that token.
"""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import APIToken

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_revocations():
    """Every argument list the guide gives `api_tokens revoke`, in the order it gives them."""
    forms = []
    for line in GUIDE.read_text().splitlines():
        match = re.search(r"manage\.py api_tokens revoke (.*)", line)
        if not match:
            continue
        command, _, comment = match.group(1).partition("#")
        forms.append(shlex.split(command))
        alternatives = re.sub(r"^\s*or\b", "", comment.strip())
        for alternative in re.split(r",?\s*\bor\b", alternatives):
            if alternative.strip().startswith("--"):
                forms.append(shlex.split(alternative))
    return forms


def with_token(arguments, token):
    """The documented arguments naming ``token`` instead of the example's."""
    named = list(arguments)
    for option, value in (("--id", str(token.pk)), ("--prefix", token.prefix)):
        if option in named:
            named[named.index(option) + 1] = value
    return named


def test_the_guide_shows_revoking_by_id_and_by_prefix():
    forms = documented_revocations()
    assert any("--id" in form for form in forms)
    assert any("--prefix" in form for form in forms)


@pytest.mark.parametrize("arguments", documented_revocations(), ids=" ".join)
def test_each_documented_revocation_revokes_that_token(arguments, django_user_model):
    admin = django_user_model.objects.create_user("admin", password="x")
    other = django_user_model.objects.create_user("editor", password="x")
    token, _ = APIToken.create_token(user=admin, name="mobile app")
    kept, _ = APIToken.create_token(user=admin, name="newsroom importer")
    theirs, _ = APIToken.create_token(user=other, name="editor's app")

    call_command("api_tokens", "revoke", *with_token(arguments, token))

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert APIToken.objects.filter(pk__in=[kept.pk, theirs.pk], revoked_at=None).count() == 2


def test_a_prefix_that_names_no_token_or_several_revokes_nothing(django_user_model):
    admin = django_user_model.objects.create_user("admin", password="x")
    first, _ = APIToken.create_token(user=admin, name="mobile app")
    second, _ = APIToken.create_token(user=admin, name="newsroom importer")
    APIToken.objects.filter(pk=second.pk).update(prefix=first.prefix)

    for prefix, message in ((first.prefix, "found 2"), ("wagtail_none", "No active token")):
        with pytest.raises(CommandError, match=message):
            call_command("api_tokens", "revoke", "--user", "admin", "--prefix", prefix)

    assert APIToken.objects.filter(revoked_at=None).count() == 2
