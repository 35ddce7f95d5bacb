"""Publishing that keeps an article's dates true: nothing goes live before the dates it shows.

``ArticlePage.hold_until_dates`` states the rule; this action applies it to the version being
published, whichever way it is published. ``ArticlePage.publish`` uses it, and ``news`` puts it
in Wagtail's action registry as the pages' publish action, which the v3 API's publish operation
looks up for ``Page``. Other page types get Wagtail's action, and one safeguard every page
needs: a live page whose new version is scheduled stays live.

It overrides Wagtail's ``_publish_revision`` (the step that decides between live and scheduled);
``tests/compat/test_wagtail_publishing.py`` fails when its signature or its callers change.
"""

from wagtail.actions.publish_page_revision import PublishPageRevisionAction


class PublishAtTheDates(PublishPageRevisionAction):
    def _publish_revision(
        self, revision, object, user, changed, log_action, previous_revision=None
    ):
        if object.live and object.live_revision_id is None:
            # A revision saved from a stale copy may not know the live version; Wagtail would
            # then take the page offline until the scheduled one goes live.
            object.live_revision_id = (
                type(object)
                .objects.filter(pk=object.pk)
                .values_list("live_revision", flat=True)
                .first()
            )
        hold = getattr(object, "hold_until_dates", None)
        if hold is not None and hold():
            # The revision carries the dates it is published with, so that scheduled
            # publishing, the editor and the history all show what readers will see.
            revision.content = object.serializable_data()
            revision.save(update_fields=["content"])
        return super()._publish_revision(
            revision, object, user, changed, log_action, previous_revision=previous_revision
        )
