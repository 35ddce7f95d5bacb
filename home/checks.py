"""Configuration mistakes in the contact form's settings, found by ``manage.py check``."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def contact_rate_limit(app_configs, **kwargs):
    from .contact import parse_rate

    try:
        parse_rate(settings.UKIYO_CONTACT_RATE_LIMIT)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="ukiyo.E001")]
    return []
