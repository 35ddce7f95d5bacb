from django.urls import path

from . import views

# Under /<lang>/accounts/, before django-allauth's own pages.
urlpatterns = [
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
