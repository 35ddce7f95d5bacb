from django.urls import path

from . import views

# Included under the language prefix: /ja/cookie-settings/, /en/cookie-settings/...
urlpatterns = [
    path("cookie-settings/", views.cookie_settings, name="cookie_settings"),
    path("cookie-settings/choice/", views.record_choice, name="record_consent_choice"),
]
