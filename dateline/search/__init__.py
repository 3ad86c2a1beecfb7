"""Full-text search of the archive (see :mod:`dateline.search.index`)."""

from dateline.search.index import (
    SearchFilters,
    SearchHit,
    SearchIndex,
    SearchResults,
    default_index_path,
)

__all__ = ["SearchFilters", "SearchHit", "SearchIndex", "SearchResults", "default_index_path"]
