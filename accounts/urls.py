from allauth.account import views as allauth_views
from django.urls import path

from . import views
from .devices import login_view

# Under /<lang>/accounts/, before django-allauth's own pages.
urlpatterns = [
    # allauth's own views, answering a failed-login lockout with 429 (accounts.devices).
    path("login/", login_view(allauth_views.login), name="account_login"),
    path(
        "reauthenticate/",
        login_view(allauth_views.reauthenticate),
        name="account_reauthenticate",
    ),
    path("", views.account, name="reader_account"),
    path("saved/<int:page_id>/", views.saved_article, name="save_article"),
    path(
        "saved/<int:page_id>/remove/",
        views.saved_article,
        {"remove": True},
        name="remove_saved_article",
    ),
    path("delete/", views.delete_account, name="delete_account"),
]
