"""The API's response bodies as Pydantic models: they make the OpenAPI description exact.

They describe the plain dicts of :mod:`dateline.render.views` (an event is exactly its
page's JSON, ``/news/.../<slug>.json``) and forbid extra keys, so a view that grows a
key without its model fails the API tests instead of slipping out undocumented.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2012-02-09"])]
Time = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
EventPath = Annotated[
    str,
    Field(
        pattern=r"^/news/\d{4}/\d{2}/\d{1,2}/[^/]+$",
        description="The page's path without extension: add .md, .html, .json or .xml.",
    ),
]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=140)]
ArticlePath = Annotated[
    str,
    Field(
        pattern=r"^/articles/[1-9][0-9]*$",
        description="The article page's path without extension: add .md, .html, .json or .xml.",
    ),
]
Score = Annotated[float, Field(ge=0, le=1)]
Cursor = Annotated[
    str | None, Field(description="Pass as ?cursor= for the next page; null on the last one.")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContextRef(Strict):
    name: str
    slug: str


class StoryRef(Strict):
    name: str
    path: Annotated[str, Field(pattern=r"^/story/[a-z0-9-]+$")]


class DayRef(Strict):
    label: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{1,2}$", examples=["2012-02-9"])]
    path: Annotated[str, Field(pattern=r"^/news/\d{4}/\d{2}/\d{1,2}/index$")]


class SourceOut(Strict):
    publisher: str
    url: str | None


class VersionInfo(Strict):
    number: Annotated[int, Field(ge=1)]
    count: Annotated[int, Field(ge=1)]
    current: bool
    created_at: Time | None
    editor: str | None
    note: str | None


class VersionListed(Strict):
    number: Annotated[int, Field(ge=1)]
    label: Literal["First version", "Update", "Current version"]
    headline: str
    path: EventPath
    created_at: Time | None
    editor: str | None
    note: str | None
    partial: bool


class RelatedOut(Strict):
    id: Annotated[int, Field(ge=1)]
    date: Date
    headline: str
    path: EventPath
    shared: Annotated[list[str], Field(min_length=1, description="The tags both events carry.")]


class ArticleRefOut(Strict):
    id: Annotated[int, Field(ge=1)]
    path: ArticlePath


class EventArticleOut(Strict):
    """A source article attached to the event, as its page lists it."""

    id: Annotated[int, Field(ge=1)]
    path: ArticlePath
    title: str | None
    publisher: str | None
    domain: str | None
    published: Date | None
    url: str | None
    copy_of: ArticleRefOut | None = Field(
        description="The article standing for this one's copies (wire copy, content "
        "farms), when this one is a copy of it: count the story once."
    )


class EventOut(Strict):
    """One version of an event: exactly what its page's JSON says."""

    type: Literal["event"]
    id: Annotated[int, Field(ge=1)]
    path: EventPath
    current_path: EventPath
    date: Date
    day: DayRef
    headline: str
    summary: str
    partial: bool
    retired: bool = Field(
        description="The event was retired (its current version retires it); it stays "
        "readable at its addresses. Said on every version's page."
    )
    story: StoryRef | None
    category: str | None
    contexts: list[ContextRef]
    sources: list[SourceOut]
    cover_image: str | None
    articles: Annotated[
        list[EventArticleOut],
        Field(description="Source articles attached to the event; current version only."),
    ]
    version: VersionInfo
    versions: Annotated[list[VersionListed], Field(min_length=1)]
    related: Annotated[list[RelatedOut], Field(description="Filled for the current version only.")]


class EventListed(Strict):
    """An event in a list: its current state, without history."""

    id: Annotated[int, Field(ge=1)]
    date: Date
    headline: str
    path: EventPath
    category: str | None
    story: StoryRef | None
    contexts: list[ContextRef]
    retired: bool = Field(description="The event was retired; it stays readable.")
    summary: str
    updated_at: Time | None
    stub: bool = Field(description="Known only from links: its own page was never imported.")


class EventList(Strict):
    events: list[EventListed]
    next: Cursor


class Snippets(Strict):
    """Where the words matched: escaped HTML with the matched words in ``<b>``."""

    headline: str | None = None
    summary: str | None = None


class SearchHitOut(Strict):
    score: Annotated[float, Field(description="BM25 relevance (higher is better).")]
    event: EventListed
    snippets: Snippets


class SearchResultsOut(Strict):
    total: Annotated[int, Field(ge=0, description="Events matching, on every page.")]
    hits: list[SearchHitOut]
    next: Cursor


class HistoryVersion(Strict):
    """One version's whole content, and who made it when and why."""

    number: Annotated[int, Field(ge=1)]
    label: Literal["First version", "Update", "Current version"]
    path: EventPath
    slug: str
    date: Date
    headline: str
    summary: str
    story: str | None
    category: str | None
    contexts: list[str]
    sources: list[SourceOut]
    cover_image: str | None
    created_at: Time | None
    editor: str | None
    note: str | None
    partial: bool
    retired: bool = Field(description="This version retired the event.")


class History(Strict):
    id: Annotated[int, Field(ge=1)]
    current: Annotated[int, Field(ge=1, description="The current version's number.")]
    versions: Annotated[list[HistoryVersion], Field(min_length=1, description="Oldest first.")]


class RelatedList(Strict):
    id: Annotated[int, Field(ge=1)]
    related: list[RelatedOut]


class ContextCount(Strict):
    name: str
    slug: str
    path: Annotated[str, Field(pattern=r"^/context/[a-z0-9-]+$")]
    count: Annotated[int, Field(ge=0, description="Events carrying the tag now.")]


class ContextList(Strict):
    contexts: list[ContextCount]
    next: Cursor


class ArticleVersionInfo(Strict):
    """The version shown, and how it was read: ``method`` file, warc or http; ``source``
    the file, the WARC record (``crawl.warc.gz#1234``) or the URL."""

    number: Annotated[int, Field(ge=1)]
    count: Annotated[int, Field(ge=1)]
    ingested_at: Time
    method: Literal["file", "warc", "http"]
    source: str
    source_format: Literal["html", "text"]
    encoding: str
    raw_size: Annotated[int, Field(ge=0, description="Bytes of the input as read.")]


class ArticleVersionListed(Strict):
    number: Annotated[int, Field(ge=1)]
    title: str | None
    ingested_at: Time
    method: Literal["file", "warc", "http"]
    source: str
    source_format: Literal["html", "text"]
    encoding: str
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    current: bool


class ArticleEventOut(Strict):
    """An event the article is attached to, and why."""

    id: Annotated[int, Field(ge=1)]
    date: Date
    headline: str
    path: EventPath
    retired: bool
    score: Score
    reason: str
    method: str = Field(description="What made the link: url-match, ranked, editor...")


class ArticleCopyOut(Strict):
    """Another copy of the article's story."""

    id: Annotated[int, Field(ge=1)]
    path: ArticlePath
    title: str | None
    publisher: str | None
    domain: str | None
    published: Date | None
    url: str | None
    representative: bool = Field(description="This copy stands for all the copies.")
    containment: Score | None = Field(
        description="Share of the shorter text's word shingles found in the other, "
        "estimated; null when the two are copies only through a third."
    )


class ArticleOut(Strict):
    """A source article: exactly what its page's JSON says."""

    type: Literal["article"]
    id: Annotated[int, Field(ge=1)]
    path: ArticlePath
    title: str | None
    url: str | None = Field(description="The canonical address when the page declares one.")
    publisher: str | None
    domain: str | None
    authors: list[str]
    published: Date | None
    date_method: str | None = Field(description="How the date was found (htmldate:markup...).")
    language: str | None
    image_url: str | None
    lede: str = Field(description="The first real paragraph of the text.")
    text: str = Field(description="The clean text, paragraphs separated by a blank line.")
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    version: ArticleVersionInfo
    versions: Annotated[list[ArticleVersionListed], Field(min_length=1)]
    events: list[ArticleEventOut]
    representative: bool = Field(
        description="This article stands for its copies (true too when it has none)."
    )
    copies: list[ArticleCopyOut]
