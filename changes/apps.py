from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Content changes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from api import caching
        from api.v2.router import router as api_v2
        from api.v3 import routers as api_v3
        from core import counts

        from . import api, clock, feed, invalidation, signals

        # Receivers are connected here, not at models import, so importing the models
        # (e.g. from a migration) has no side effect.
        signals.connect()
        # The page cache and the CDN follow every change readers can see.
        invalidation.connect()
        # The API's Last-Modified is the content clock's time; the feed's also follows the
        # changes it held back settling.
        caching.set_last_modified(clock.last_modified)
        caching.set_last_modified(feed.last_modified, kind="feed")
        # The API listings' totals are counted once per move of the clock (core.counts).
        counts.set_content_version(clock.changed_at)
        api_v2.register_endpoint("changes", api.ChangesEndpoint)
        api_v3.register("/changes/", api.router)
