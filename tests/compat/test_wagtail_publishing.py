"""What ``compat.wagtail_pages.publish_action_holding_dates`` relies on in Wagtail's publishing.

It overrides ``PublishRevisionAction._publish_revision`` (no upstream issue yet: Wagtail has no
hook between "this revision is being published" and "live or scheduled", and a go-live computed
from a page's own fields needs one). These tests fail when that step or its callers change.
"""

import inspect

from wagtail.actions import action_registry
from wagtail.actions.publish_revision import PublishRevisionAction
from wagtail.api.v3.routers import pages as v3_pages
from wagtail.models import Page, Revision

from compat.wagtail_pages import publish_action_holding_dates
from news.models import ArticlePage


def test_the_step_that_decides_live_or_scheduled_keeps_its_signature():
    parameters = list(inspect.signature(PublishRevisionAction._publish_revision).parameters)
    assert parameters == [
        "self",
        "revision",
        "object",
        "user",
        "changed",
        "log_action",
        "previous_revision",
    ]
    assert "self._publish_revision(" in inspect.getsource(PublishRevisionAction.execute)


def test_the_v3_publish_operation_takes_the_action_registered_for_page():
    assert 'action_registry.get_action_class(Page, "publish")' in inspect.getsource(
        v3_pages.publish
    )
    action = publish_action_holding_dates()
    assert action_registry.get_action_class(Page, "publish") is action
    assert action_registry.get_action_class(ArticlePage, "publish") is action


def test_a_revision_publishes_through_its_page():
    # Revision.publish → ArticlePage.publish (news.models), for every caller but the v3 action.
    assert "self.content_object.publish(" in inspect.getsource(Revision.publish)
