from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News")

    def ready(self):
        """Add the article's pieces to both APIs (the ``api`` app is ready before this one)."""
        from api.v2.pages import PagesEndpoint
        from api.v2.router import router as api_v2
        from api.v3 import routers as api_v3
        from api.v3.pages import register_detail_in_language

        from .api import articles, filters, snippets, writes
        from .models import ArticlePage

        api_v2.register_endpoint("categories", snippets.CategoriesEndpoint)
        api_v2.register_endpoint("authors", snippets.AuthorsEndpoint)
        PagesEndpoint.add_listing_filter(filters.ArticleFilter, filters.ARTICLE_FILTERS)
        api_v3.register("/categories/", snippets.categories)
        api_v3.register("/authors/", snippets.authors)
        api_v3.register("/articles/", articles.router)
        register_detail_in_language(ArticlePage, articles.detail_url)
        writes.register()
