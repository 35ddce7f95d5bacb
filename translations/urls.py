from django.urls import path

from . import views

app_name = "translations"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("page/<int:page_id>/", views.TranslatePageView.as_view(), name="translate_page"),
    path(
        "page/<int:page_id>/publish-unreviewed/",
        views.PublishUnreviewedView.as_view(),
        name="publish_unreviewed",
    ),
]
