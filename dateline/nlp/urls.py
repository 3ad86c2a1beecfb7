"""Addresses compared as articles: the key under which two URLs name the same page.

An event lists its sources' URLs; an article arrives with the URL it was fetched from
and, often, a canonical one. They rarely match character for character: one says
``http://www.`` and the other ``https://``, one carries ``?utm_source=twitter`` or a
``#comments`` fragment, one ends in ``/``. :func:`url_key` reduces a URL to what
identifies the page, and :func:`same_page` compares two that way.

The general normalisation of host and path (lower-case host, punycode decoded, default
port dropped, percent-encoding made uniform) is courlan's ``normalize_url``: trafilatura
already depends on it and it is maintained for exactly this. On top of it come ``/../``
segments resolved, query parameters sorted, and Dateline's rules, as data below:

- the scheme is left out (``http`` and ``https`` serve the same article);
- a host prefix of :data:`HOST_PREFIXES` is left out (``www.``, ``m.``, ``amp.``...);
- query parameters named in :data:`TRACKING_PARAMETERS` or starting with one of
  :data:`TRACKING_PREFIXES` are left out, whatever courlan's list says;
- the fragment and a trailing slash are left out, and so is a trailing
  :data:`AMP_PATH_SUFFIXES` segment or a :data:`DIRECTORY_INDEXES` file name.

A key is a comparison key, not an address to fetch: it has no scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from courlan import normalize_url

from dateline.errors import InputError

# -- rules, as data -----------------------------------------------------------------

SCHEMES = frozenset({"http", "https"})
"""The only schemes a news article is served with; anything else is not compared."""

HOST_PREFIXES = ("www.", "www1.", "www2.", "m.", "mobile.", "amp.")
"""Host prefixes that serve the same pages as the bare host (desktop, mobile, AMP)."""

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",  # DoubleClick
        "msclkid",  # Microsoft Ads
        "twclid",  # Twitter/X
        "igshid",  # Instagram
        "yclid",  # Yandex
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_ga",  # Google Analytics cross-domain
        "_gl",
        "ocid",  # MSN
        "ncid",  # Yahoo
        "cmpid",  # many publishers' campaign ids
        "cmp",  # The Guardian ("CMP=share_btn_tw")
        "smid",  # The New York Times share links
        "smtyp",
        "ito",  # BBC
        "xtor",  # AT Internet (French publishers)
        "ref",
        "referrer",
        "source",
        "share",
        "amp",  # "?amp=1": the AMP rendering of the same article
        "outputtype",  # "?outputType=amp" (The Washington Post)
    }
)
"""Query parameters that say how a reader arrived, not which article it is (lower case)."""

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "vero_", "oly_")
"""Families of tracking parameters: ``utm_source``, ``pk_campaign`` (Matomo)..."""

AMP_PATH_SUFFIXES = ("/amp", "/amp.html")
"""A path ending so is the AMP rendering of the path without it."""

DIRECTORY_INDEXES = ("index.html", "index.htm", "index.php", "default.aspx")
"""File names a server returns for a bare directory: ``/news/`` is ``/news/index.html``."""


# -- keys ---------------------------------------------------------------------------


def url_key(url: str) -> str:
    """The comparison key of ``url``: host (prefixes such as ``www.`` left out), path
    without a trailing slash, and the query without trackers, sorted.

    A URL written without a scheme (``www.bbc.co.uk/news/x``, ``//bbc.co.uk/x``) is read
    as ``http``.
    InputError (field ``url``) if it is no web address: another scheme, no host, or a
    malformed one.
    """
    text = url.strip()
    if not _SCHEME.match(text):
        text = "http://" + text.removeprefix("//")
    try:
        parts = urlsplit(text)
        if parts.scheme.lower() not in SCHEMES or not parts.hostname:
            raise ValueError
        normal = urlsplit(normalize_url(text, trailing_slash=False))
    except ValueError:
        raise InputError(
            f"{url!r} is not a web address (expected http(s)://host/path)", field="url"
        ) from None
    # The query is read from the address as given: courlan reads "&amp" as an HTML escape.
    return _host(normal.netloc) + _path(normal.path) + _query(parts.query)


def same_page(first: str, second: str) -> bool:
    """Whether two URLs have the same :func:`url_key` (InputError if either is no URL)."""
    return url_key(first) == url_key(second)


def url_keys(urls: Iterable[str | None]) -> frozenset[str]:
    """The keys of the URLs that are web addresses (None and others skipped): for
    matching an article's addresses against an event's without failing on a bad one."""
    keys: set[str] = set()
    for url in urls:
        if url:
            try:
                keys.add(url_key(url))
            except InputError:
                continue
    return frozenset(keys)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
"""A scheme ("https:", "mailto:"), not a host with a port ("example.com:8080")."""
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def _host(netloc: str) -> str:
    host = netloc.rpartition("@")[2]  # user info never identifies the page
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            return host[len(prefix) :]
    return host


def _path(path: str) -> str:
    if "/." in path:  # "/a/../b" and "/./b" are "/b" (RFC 3986 dot segments)
        path = urlsplit(urljoin("http://host/", path)).path
    for index in DIRECTORY_INDEXES:
        if path.lower().endswith("/" + index):
            path = path[: -len(index)]
            break
    path = path.rstrip("/")
    for suffix in AMP_PATH_SUFFIXES:
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)].rstrip("/")
            break
    return _ESCAPE.sub(lambda escape: escape[0].upper(), path)


def _query(query: str) -> str:
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name and not _tracking(name)
    ]
    return "?" + urlencode(sorted(kept)) if kept else ""


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)
