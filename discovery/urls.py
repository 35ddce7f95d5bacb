from django.urls import path, re_path

from . import views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", views.news_sitemap, name="news_sitemap"),
    path("indexnow-key.txt", views.indexnow_key, name="indexnow_key"),
    re_path(
        r"^sitemap-(?P<language>[a-z]+(?:-[a-z]+)?)-(?P<number>[1-9][0-9]{0,5})\.xml$",
        views.sitemap,
        name="sitemap",
    ),
    re_path(
        r"^sitemap-(?P<language>[a-z]+(?:-[a-z]+)?)-authors\.xml$",
        views.authors_sitemap,
        name="authors_sitemap",
    ),
]
