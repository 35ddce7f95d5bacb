"""What ukiyo's editor additions (core/static/core/editor.js, the Checks panel template)
rely on in Wagtail's admin. Supported extension points, not patches; these tests fail when
an upgrade of Wagtail changes them, before an editor notices."""

import re
from pathlib import Path

import wagtail
from django.template.loader import get_template

ADMIN_JS = Path(wagtail.__file__).parent / "admin" / "static" / "wagtailadmin" / "js" / "core.js"


def test_the_autosave_controller_can_be_switched_off_by_its_active_value():
    script = ADMIN_JS.read_text()
    # w-autosave's values: "active" (a Boolean) is what editor.js sets to false on a new page,
    # and save() returns at once when it is false.
    assert re.search(r"active:\{type:Boolean,default:!0\}", script)
    assert "if(!(this.activeValue&&" in script
    assert 'identifier:"w-autosave"' in script


def test_the_preview_controller_announces_the_text_it_measures():
    script = ADMIN_JS.read_text()
    # editor.js listens for w-preview:content and reads detail.content.{lang, innerText}.
    assert 'this.dispatch("content",{detail:{content:e,metrics:t}})' in script
    assert "e.lang,e.innerText" in script


def test_the_checks_panel_has_the_blocks_ukiyo_extends():
    source = get_template("wagtailadmin/shared/side_panels/checks.html").template.source
    assert "data-ukiyo-character-count" in source  # ukiyo's template is the one found
    upstream = (
        Path(wagtail.__file__).parent
        / "admin"
        / "templates"
        / "wagtailadmin"
        / "shared"
        / "side_panels"
        / "checks.html"
    ).read_text()
    for block in ("metrics", "metrics_explainer"):
        assert f"{{% block {block} %}}" in upstream
    assert "data-content-word-count" in upstream
