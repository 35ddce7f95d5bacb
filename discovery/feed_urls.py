"""The feeds of a language, under its prefix (``/ja/feeds/articles.rss``)."""

from django.urls import path

from .feeds import ArticlesFeed, AtomArticlesFeed, feed_view

urlpatterns = [
    path("feeds/articles.rss", feed_view(ArticlesFeed), name="feed_rss"),
    path("feeds/articles.atom", feed_view(AtomArticlesFeed), name="feed_atom"),
    path(
        "feeds/category/<str:slug>.rss",
        feed_view(ArticlesFeed, "category"),
        name="category_feed_rss",
    ),
    path(
        "feeds/category/<str:slug>.atom",
        feed_view(AtomArticlesFeed, "category"),
        name="category_feed_atom",
    ),
    path("feeds/author/<str:slug>.rss", feed_view(ArticlesFeed, "author"), name="author_feed_rss"),
    path(
        "feeds/author/<str:slug>.atom",
        feed_view(AtomArticlesFeed, "author"),
        name="author_feed_atom",
    ),
]
