"""The live web app (FastAPI): the site's pages served from the database, and the HTTP API."""

from dateline.web.app import create_app

__all__ = ["create_app"]
