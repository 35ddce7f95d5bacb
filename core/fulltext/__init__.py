"""ukiyo's full-text search of pages, the same in nine languages and on both databases.

- ``analysis``: the words of a text and of a query (ICU word breaks, one spelling, stems).
- ``store``: pages written into the index (``core.models.SearchDocument``) and taken out.
- ``query``: a queryset of pages narrowed to a query's matches, ranked.
- ``highlight``: the matched words of a result, marked.

The search backend (``search.backends``) routes every search of pages here, whoever asks:
the reader's search page, ``?search=`` in both APIs, ``q=`` of the article cards; Wagtail's
own index still serves the admin's search-as-you-type and everything that is not a page.
"""
