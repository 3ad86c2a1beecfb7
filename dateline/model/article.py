"""Source articles and their versions, as plain immutable data (no I/O here).

An :class:`Article` is a news article Dateline has read: a stable id, a key that says
which article it is (its normalised canonical URL, see :func:`article_url_key`), and
its versions, oldest first. Each :class:`ArticleVersion` is what one ingestion of the
article found (:class:`ArticleContent`: text and metadata) and how it was read
(:class:`Ingestion`: from a file, a WARC record or the web, in which format and
encoding, when). Re-ingesting an article whose content is unchanged adds nothing;
different content appends a version, as an edit of an event does.

An :class:`ArticleLink` ties an article to an event it reports, with a score, a reason
and the method that made the link (an exact URL match, a ranking linker, an editor).

Copies of one story (wire copy, content farms) form a copy group led by its
*representative*, so that ten copies of one agency story count as one source: the
store keeps each article's :class:`StoredSignature` to compare new articles with, the
pairs found (:class:`CopyLink`) and each member's representative; an article's page
shows its :class:`ArticleCopies`. Lists show articles as :class:`ArticleRef` (metadata,
no text); an article's own page shows :class:`ArticleDetails`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from dateline.errors import InputError
from dateline.model.event import EventEntry, _no_control_characters, _one_line, _optional_url

IngestMethod = Literal["file", "warc", "http"]
"""How the bytes arrived: a file on disk, a record of a WARC file, or fetched over HTTP."""

INGEST_METHODS: tuple[IngestMethod, ...] = ("file", "warc", "http")
SOURCE_FORMATS = ("html", "text")
MAX_TITLE_LENGTH = 1000
MAX_URL_LENGTH = 2000
"""Longer addresses are refused: the URL key is indexed, and real article URLs are short."""
MAX_TEXT_LENGTH = 5_000_000
MAX_AUTHORS = 50
MAX_LINK_REASON_LENGTH = 1000

# Query parameters that only say where a reader clicked from, never which article it is.
# A data table, not logic: extend it here. Names are compared lower-case; the prefixes
# match any parameter starting with them.
TRACKING_PARAMETER_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ocid", "cmpid", "ito"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HASH_RE = re.compile(r"[0-9a-f]{64}")


def article_url_key(url: str) -> str:
    """The key under which the article at ``url`` is stored: the same for every spelling
    of one address.

    Scheme, ``www.``, default port, fragment, trailing slash, case of the host and
    tracking parameters (``utm_*``, ``fbclid``...) are dropped; the other query
    parameters are kept, sorted. ``https://www.Example.org/a/?utm_source=x&id=2#top``
    and ``http://example.org/a?id=2`` share the key ``example.org/a?id=2``.

    Written here rather than taken from a URL library (courlan, w3lib) on purpose: the
    keys are stored, so the rules must change only when this function does, never with
    a dependency's upgrade.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    return host + path + (f"?{urlencode(query)}" if query else "")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PARAMETER_PREFIXES)


@dataclass(frozen=True, slots=True)
class ArticleContent:
    """What extraction found in an article: its text and what the page says about it.

    ``url`` is the canonical address when the page declares one, else the address it
    was read from (None for a file without either). ``date_method`` says how
    ``published`` was found (``htmldate:markup``, ``htmldate:text`` or ``text``);
    ``lede`` is the first real paragraph of ``text``, whose paragraphs are separated by
    a blank line. ``content_hash`` is the SHA-256 of the normalised text.
    """

    url: str | None
    publisher: str | None
    domain: str | None
    title: str | None
    authors: tuple[str, ...]
    published: date | None
    date_method: str | None
    language: str | None
    lede: str
    text: str
    image_url: str | None
    content_hash: str

    def validated(self) -> ArticleContent:
        """This content with outer spaces trimmed; InputError naming the field if invalid."""
        content = replace(
            self,
            url=_article_url(self.url, "url"),
            publisher=_optional_one_line(self.publisher, "publisher", 300),
            domain=_optional_one_line(self.domain, "domain", 253),
            title=_optional_one_line(self.title, "title", MAX_TITLE_LENGTH),
            authors=_authors(self.authors),
            date_method=_optional_one_line(self.date_method, "date_method", 40),
            language=_optional_one_line(self.language, "language", 16),
            lede=_no_control_characters(self.lede.strip(), "lede"),
            text=_no_control_characters(self.text.strip(), "text"),
            image_url=_article_url(self.image_url, "image_url"),
        )
        if not content.text:
            raise InputError("must not be empty", field="text")
        if len(content.text) > MAX_TEXT_LENGTH:
            raise InputError(f"longer than {MAX_TEXT_LENGTH} characters", field="text")
        if not _HASH_RE.fullmatch(content.content_hash):
            raise InputError(
                f"{content.content_hash[:80]!r} is not a SHA-256 (expected 64 hex digits)",
                field="content_hash",
            )
        return content


@dataclass(frozen=True, slots=True)
class Ingestion:
    """How one version of an article was read.

    ``method`` is ``file``, ``warc`` or ``http``; ``source`` is the file's path, the
    WARC file and record offset (``crawl.warc.gz#1234``) or the URL fetched.
    ``source_format`` is ``html`` or ``text``; ``encoding`` the text encoding and how it
    was chosen (``utf-8 (http)``, ``windows-1251 (meta)``...).
    """

    method: IngestMethod
    source: str
    source_format: str
    encoding: str

    def validated(self) -> Ingestion:
        if self.method not in INGEST_METHODS:
            raise InputError(
                f"{self.method!r} is not an ingest method (expected one of "
                f"{', '.join(INGEST_METHODS)})",
                field="method",
            )
        if self.source_format not in SOURCE_FORMATS:
            raise InputError(
                f"{self.source_format!r} is not a source format (expected html or text)",
                field="source_format",
            )
        source = _one_line(self.source, "source", 4000)
        if not source:
            raise InputError("must not be empty", field="source")
        return replace(self, source=source, encoding=_one_line(self.encoding, "encoding", 60))


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """One version of an article: its content, how and when it was read.

    ``raw_size`` and ``raw_sha256`` describe the input bytes as read (kept compressed in
    the store, so that extraction can be run again: ``Store.article_raw``).
    """

    number: int
    content: ArticleContent
    ingestion: Ingestion
    ingested_at: datetime
    raw_size: int
    raw_sha256: str


@dataclass(frozen=True, slots=True)
class Article:
    """An article: a stable id, its key and its versions, oldest first (the last is current)."""

    id: int
    key: str
    versions: tuple[ArticleVersion, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError(f"article {self.id} has no versions")

    @property
    def current(self) -> ArticleVersion:
        return self.versions[-1]

    @property
    def content(self) -> ArticleContent:
        return self.current.content

    def version(self, number: int) -> ArticleVersion:
        """Version ``number`` (1-based); LookupError if there is none."""
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        raise LookupError(f"article {self.id} has no version {number}")


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """An article tied to an event it reports.

    ``score`` is the linker's confidence (1.0 for an exact URL match or an editor's
    link); ``reason`` says why in words; ``method`` names what made the link
    (``url-match``, a linker's name, ``editor``).
    """

    article_id: int
    event_id: int
    score: float
    reason: str
    method: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LinkedArticle:
    """An article as an event lists it: the article and its link to the event."""

    article: Article
    link: ArticleLink


def article_key(content: ArticleContent, ingestion: Ingestion) -> str:
    """The key of the article ``content`` read by ``ingestion``.

    Its URL's key when it has a URL; otherwise (a saved file with no address in it) the
    place it was read from, prefixed by the method (``file:/path/to/page.txt``), so that
    reading the same file again finds the same article.
    """
    if content.url:
        return article_url_key(content.url)
    return f"{ingestion.method}:{ingestion.source}"


def validate_link(score: float, reason: str, method: str) -> tuple[float, str, str]:
    """A link's score (0 to 1), reason (one line) and method (a short name), checked."""
    if not 0.0 <= score <= 1.0:
        raise InputError(f"{score!r} is not between 0 and 1", field="score")
    checked_reason = _one_line(reason, "reason", MAX_LINK_REASON_LENGTH)
    checked_method = _one_line(method, "method", 40)
    if not checked_method:
        raise InputError("must not be empty", field="method")
    return float(score), checked_reason, checked_method


def _optional_one_line(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    return _one_line(value, name, limit) or None


def _article_url(value: str | None, name: str) -> str | None:
    url = _optional_url(value, name)
    if url is not None and len(url) > MAX_URL_LENGTH:
        raise InputError(f"longer than {MAX_URL_LENGTH} characters", field=name)
    return url


def _authors(values: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        name = _one_line(value, "authors", 300)
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_AUTHORS:
        raise InputError(f"more than {MAX_AUTHORS} authors", field="authors")
    return tuple(names)


ArticleOutcome = Literal["new", "version", "unchanged"]


@dataclass(frozen=True, slots=True)
class ArticleWrite:
    """What storing an ingested article did: the article as stored now, and whether it
    was ``new``, got a new ``version``, or was ``unchanged``."""

    article: Article
    outcome: ArticleOutcome

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"


# -- copies, and articles as pages and lists show them ------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An article as lists show it: its current metadata, without text or history.

    ``representative_id`` is the article that stands for its copy group (its own id
    when it leads one), None when no copy of it is known.
    """

    id: int
    key: str
    url: str | None
    title: str | None
    publisher: str | None
    domain: str | None
    published: date | None
    representative_id: int | None = None

    @property
    def copy_of(self) -> int | None:
        """The representative this article is a copy of; None when it stands for itself."""
        lead = self.representative_id
        return None if lead is None or lead == self.id else lead


@dataclass(frozen=True, slots=True)
class EventArticle:
    """An article as its event's page lists it: the article and its link's score and reason."""

    article: ArticleRef
    score: float
    reason: str
    method: str


@dataclass(frozen=True, slots=True)
class StoredSignature:
    """What the store keeps of an article's current text to find its copies without
    reading the text again: a MinHash signature (serialised by
    :mod:`dateline.nlp.near_duplicates`) and the number of shingles it summarises."""

    article_id: int
    shingles: int
    minhash: bytes


@dataclass(frozen=True, slots=True)
class CopyLink:
    """Two articles found to be copies, and how alike they are (both estimated from
    their signatures): ``containment`` decided, ``jaccard`` is for the record."""

    first_id: int
    second_id: int
    jaccard: float
    containment: float

    def validated(self) -> CopyLink:
        """This pair, first id the smaller; ValueError for one article or a figure out of 0-1."""
        if self.first_id == self.second_id:
            raise ValueError(f"article {self.first_id} cannot be a copy of itself")
        for name in ("jaccard", "containment"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} {value!r} is not between 0 and 1")
        if self.first_id > self.second_id:
            return replace(self, first_id=self.second_id, second_id=self.first_id)
        return self


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """Another copy of an article's story.

    ``containment`` and ``jaccard`` say how alike the two are when they were compared
    directly; None when they are copies only through a third (two cuts of one wire
    story, each contained in the whole).
    """

    article: ArticleRef
    containment: float | None = None
    jaccard: float | None = None


@dataclass(frozen=True, slots=True)
class ArticleCopies:
    """An article's copy group: the representative and the other members.

    ``representative_id`` is the article's own id when it leads its group, or has no
    copy (then ``copies`` is empty). ``copies`` are the other members, the
    representative first, then by publication date (undated last) and id.
    """

    article_id: int
    representative_id: int
    copies: tuple[ArticleCopy, ...] = ()

    @property
    def is_representative(self) -> bool:
        return self.representative_id == self.article_id


@dataclass(frozen=True, slots=True)
class AttachedEvent:
    """An event an article is attached to, as the article's page lists it."""

    link: ArticleLink
    event: EventEntry


@dataclass(frozen=True, slots=True)
class ArticleDetails:
    """What an article's page shows: the article with its history, the events it is
    attached to (best score first) and its copies."""

    article: Article
    events: tuple[AttachedEvent, ...]
    copies: ArticleCopies
