"""Web pages: main text and metadata, on pages written by the test (no news text copied)."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from dateline.ingest.article import ExtractedArticle, content_hash, extract_article

PARAGRAPHS = [
    "The harbour of Portville reopened on Tuesday after three weeks of repairs to the "
    "old stone quay, the port authority said in a statement.",
    "Fishing boats were the first to return, followed in the afternoon by the ferry that "
    "links the town to the two islands off the coast.",
    "The council said the work had cost less than planned and had finished four days "
    "ahead of the schedule agreed with the contractor last winter.",
    "Local traders, who had complained about the closure, welcomed the news and said "
    "they expected the summer season to make up for the lost weeks.",
]


def article_page(head_extra: str = "", byline: str = "", date_line: str = "") -> bytes:
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    html = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Portville harbour reopens after repairs | The Portville Post</title>
<meta property="og:title" content="Portville harbour reopens after repairs">
<meta property="og:site_name" content="The Portville Post">
<meta property="og:image" content="/images/quay.jpg">
<link rel="canonical" href="https://news.example.org/2019/harbour-reopens">
{head_extra}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/local">Local</a>
<a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Portville harbour reopens after repairs</h1>
{byline}{date_line}
{body}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Council votes on budget</a></li>
<li><a href="/b">Storm warning for the weekend</a></li></ul></aside>
<footer><p>Copyright The Portville Post. All rights reserved.</p></footer>
</body></html>"""
    return html.encode("utf-8")


META = """
<meta name="author" content="Ann Example; Bob Sample">
<meta property="article:published_time" content="2019-03-12T08:30:00+00:00">
"""


def test_main_text_and_metadata() -> None:
    article = extract_article(
        article_page(META),
        url="http://www.example.org/p?id=7&utm_source=feed",
        content_type="text/html; charset=utf-8",
    )
    assert article.source_format == "html"
    assert article.url == "https://news.example.org/2019/harbour-reopens"  # canonical
    assert article.domain == "news.example.org"
    assert article.publisher == "The Portville Post"
    assert article.title == "Portville harbour reopens after repairs"
    assert article.authors == ("Ann Example", "Bob Sample")
    assert (article.published, article.date_method) == (date(2019, 3, 12), "htmldate:markup")
    assert article.language == "en"
    assert article.lede == PARAGRAPHS[0]
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert article.image_url == "https://news.example.org/images/quay.jpg"
    assert article.content_hash == content_hash(article.text)
    assert article.encoding == "utf-8 (http)"
    for boilerplate in ("Most read", "Storm warning", "All rights reserved", "Sport"):
        assert boilerplate not in article.text


def test_date_found_only_in_the_text() -> None:
    dated = "<p class='when'>Published on 12 March 2019 by the newsroom</p>"
    article = extract_article(article_page(date_line=dated))
    assert (article.published, article.date_method) == (date(2019, 3, 12), "htmldate:text")
    assert article.url == "https://news.example.org/2019/harbour-reopens"


def test_no_date_at_all() -> None:
    article = extract_article(article_page().replace(b"/2019/", b"/local/"))
    assert (article.published, article.date_method) == (None, None)


def test_content_hash_ignores_spacing_case_and_compatibility_forms() -> None:
    text = "The quay reopened on Tuesday; 3 boats returned."
    assert content_hash(text) == content_hash(
        "  the QUAY reopened\non Tuesday;  \uff13 boats returned."  # a full-width 3
    )
    assert content_hash(text) != content_hash(text.replace("3", "4"))
    assert len(content_hash(text)) == 64


def test_result_and_inputs_pickle_and_run_in_a_worker_process() -> None:
    data = article_page(META)
    article = extract_article(data, url="https://news.example.org/x")
    assert pickle.loads(pickle.dumps(article)) == article
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        remote = pool.submit(extract_article, data, "https://news.example.org/x").result()
    assert isinstance(remote, ExtractedArticle)
    assert remote == article


def test_plain_text_content_type_is_read_as_plain_text() -> None:
    text = "Harbour reopens\n\n" + "\n\n".join(PARAGRAPHS)
    article = extract_article(text.encode(), content_type="text/plain")
    assert article.source_format == "text"
    assert article.title == "Harbour reopens"
    assert article.text == "\n\n".join(PARAGRAPHS)


def test_an_html_fragment_is_read() -> None:
    fragment = "<div>" + "".join(f"<p>{text}</p>" for text in PARAGRAPHS) + "</div>"
    article = extract_article(fragment.encode(), content_type="text/html")
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert article.title is None
