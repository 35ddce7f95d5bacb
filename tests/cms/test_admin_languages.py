"""The admin speaks each of ukiyo's nine languages, and an editor can choose any of them."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_an_editor_can_choose_any_of_the_nine_languages(admin_client):
    html = admin_client.get("/admin/account/").content.decode()
    select = re.search(r'<select name="locale-preferred_language".*?</select>', html, re.S)
    assert select, "no admin language menu on the account page"
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(0)))
    assert {code for code, _ in settings.LANGUAGES} <= offered
    # Each named in its own script (Wagtail takes the names from Django's language info).
    assert re.search(r'<option value="hi">\s*हि', select.group(0))
    assert re.search(r'<option value="th">\s*ภาษาไทย', select.group(0))
