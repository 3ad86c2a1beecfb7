"""The HTML forms on both backends: signing in with an API token, the session cookie,
CSRF refusals that store nothing, one version per write with its editor and note,
validation errors that keep the input, a stale edit that loses nothing, and archive
text escaped on every form page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from lxml import html

from dateline.model import EventContent, Source
from dateline.render.markdown import version_path
from dateline.store import Store
from dateline.web import create_app
from dateline.web.forms import safe_next
from dateline.web.session import SESSION_COOKIE
from tests.web.conftest import BASE_URL

HOSTILE = "<script>alert('x')</script> & </textarea><b>made-up</b>"
FORM: dict[str, str] = {
    "date": "2021-03-04",
    "headline": "A made-up event written through the form",
    "summary": "Generated text, first version.\r\n\r\nA second paragraph.",
    "story": "Made-up story",
    "category": "",
    "contexts": "Made-up Tag\nOther Made-up Tag\n",
    "sources": "Example Wire https://example.org/1\nExample Daily",
    "cover_image": "",
    "note": "first draft",
}


@pytest.fixture
def event_id(store: Store) -> int:
    content = EventContent(
        date(2021, 3, 1),
        "A made-up event already there",
        "Its made-up summary.",
        contexts=("Made-up Tag",),
        sources=(Source("Example Wire", "https://example.org/0"),),
    )
    return store.create_event(content, editor="importer").id


@pytest.fixture
def client(database_url: str, event_id: int) -> Iterator[TestClient]:
    with TestClient(create_app(database_url, secret_key="test"), base_url=BASE_URL) as made:
        yield made


@pytest.fixture
def secret(store: Store) -> str:
    return store.create_token("ann")[1]


def page(response: Response) -> Any:
    return html.document_fromstring(response.content)


def csrf_of(response: Response) -> str:
    values = set(page(response).xpath("//input[@name='csrf_token']/@value"))
    assert len(values) == 1, values  # every form of a page carries its session's one token
    return str(values.pop())


def sign_in(client: TestClient, secret: str, next_path: str = "/new") -> Response:
    form = client.get("/login", params={"next": next_path})
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(form), "next": next_path, "token": secret},
        follow_redirects=False,
    )


def field(response: Response, name: str) -> str:
    """The value the form on ``response`` shows in field ``name``."""
    (element,) = page(response).xpath(f"//*[@name='{name}']")
    return str(element.text or "") if element.tag == "textarea" else str(element.get("value"))


def post_form(
    client: TestClient, path: str, changes: dict[str, str] | None = None, **kwargs: Any
) -> Response:
    """Open the form at ``path`` and send it with its own values and ``changes``."""
    opened = client.get(path)
    assert opened.status_code == 200, opened.text
    values = {
        str(e.get("name")): (e.text or "") if e.tag == "textarea" else str(e.get("value") or "")
        for e in page(opened).xpath("(//main//form[@method='post'])[1]//*[@name]")
    }
    return client.post(path, data={**values, **(changes or {})}, follow_redirects=False, **kwargs)


def version_count(store: Store, event_id: int) -> int:
    return len(store.event(event_id).versions)


# -- signing in -----------------------------------------------------------------------


def test_signing_in_sets_a_safe_session_cookie(client: TestClient, secret: str) -> None:
    response = sign_in(client, secret, "/edit/1")
    assert response.status_code == 303
    assert response.headers["location"] == "/edit/1"
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if SESSION_COOKIE in c]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert secret not in cookie  # the cookie names the token, it does not hold it
    form = client.get("/new")
    assert form.status_code == 200
    assert "Signed in as" in form.text and "ann" in form.text


def test_the_cookie_is_secure_over_https(database_url: str, event_id: int, secret: str) -> None:
    with TestClient(create_app(database_url), base_url="https://testserver") as client:
        response = sign_in(client, secret)
    assert response.status_code == 303
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if SESSION_COOKIE in c]
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_a_bad_token_does_not_sign_in(client: TestClient, secret: str) -> None:
    for wrong, status in (("not-a-token-at-all", 401), ("", 422), (secret + "x", 401)):
        response = sign_in(client, wrong)
        assert response.status_code == status, wrong
        assert page(response).xpath("//p[@role='alert']"), wrong
    later = client.get("/new", follow_redirects=False)
    assert later.status_code == 303 and later.headers["location"].startswith("/login")


def test_a_revoked_token_is_refused_and_ends_its_sessions(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    assert sign_in(client, secret).status_code == 303
    form = client.get(f"/edit/{event_id}")
    store.revoke_token("ann")
    response = client.post(
        f"/edit/{event_id}",
        data={**FORM, "csrf_token": csrf_of(form), "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert version_count(store, event_id) == 1
    assert client.get("/new", follow_redirects=False).status_code == 303
    again = sign_in(client, secret)
    assert again.status_code == 403 and "revoked" in again.text


def test_signing_in_leads_only_to_this_site() -> None:
    assert safe_next("/edit/3") == "/edit/3"
    for hostile in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "", None):
        assert safe_next(hostile) == "/new", hostile


def test_signing_out(client: TestClient, secret: str) -> None:
    sign_in(client, secret)
    response = post_form(client, "/logout")
    assert response.status_code == 303
    assert client.get("/new", follow_redirects=False).status_code == 303


# -- CSRF -----------------------------------------------------------------------------


def test_posts_without_the_forms_token_are_refused_and_store_nothing(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    events_before = len(list(store.iter_events()))
    for path, data in (
        ("/new", FORM),
        (f"/edit/{event_id}", {**FORM, "version": "1"}),
        (f"/retire/{event_id}", {"note": "gone", "version": "1"}),
    ):
        for token in (None, "", "forged-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=sent, follow_redirects=False)
            assert response.status_code == 403, (path, token)
            assert "nothing was saved" in response.text
    assert len(list(store.iter_events())) == events_before
    assert version_count(store, event_id) == 1
    assert client.get("/new").status_code == 200  # still signed in: refusing is not signing out


def test_a_post_from_another_site_is_refused(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        response = post_form(client, f"/edit/{event_id}", {"note": "x"}, headers=header)
        assert response.status_code == 403, header
    assert version_count(store, event_id) == 1
    same_site = post_form(
        client, f"/edit/{event_id}", {"summary": "Changed."}, headers={"Origin": BASE_URL}
    )
    assert same_site.status_code == 303


def test_a_session_cookie_signed_with_another_key_is_not_a_session(
    database_url: str, event_id: int, secret: str
) -> None:
    with TestClient(create_app(database_url, secret_key="one"), base_url=BASE_URL) as first:
        sign_in(first, secret)
        stolen = first.cookies[SESSION_COOKIE]
    with TestClient(create_app(database_url, secret_key="two"), base_url=BASE_URL) as other:
        other.cookies.set(SESSION_COOKIE, stolen)
        assert other.get("/new", follow_redirects=False).status_code == 303


# -- writing --------------------------------------------------------------------------


def test_creating_an_event_makes_one_version(store: Store, client: TestClient, secret: str) -> None:
    sign_in(client, secret)
    response = post_form(client, "/new", FORM)
    assert response.status_code == 303
    (event,) = [e for e in store.iter_events() if e.content.headline == FORM["headline"]]
    assert response.headers["location"] == version_path(event, event.current, "html")
    (version,) = event.versions
    assert (version.editor, version.note) == ("ann", "first draft")
    content = version.content
    assert content.summary == "Generated text, first version.\n\nA second paragraph."
    assert content.contexts == ("Made-up Tag", "Other Made-up Tag")
    assert content.sources == (
        Source("Example Wire", "https://example.org/1"),
        Source("Example Daily", None),
    )
    assert content.category is None and content.story == "Made-up story"
    assert client.get(response.headers["location"]).status_code == 200


def test_editing_an_event_makes_one_version(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    form = client.get(f"/edit/{event_id}")
    assert field(form, "headline") == "A made-up event already there"
    assert field(form, "sources") == "Example Wire https://example.org/0"
    assert field(form, "version") == "1"
    response = post_form(
        client, f"/edit/{event_id}", {"summary": "A corrected summary.", "note": "fix summary"}
    )
    assert response.status_code == 303
    event = store.event(event_id)
    assert len(event.versions) == 2
    assert (event.current.editor, event.current.note) == ("ann", "fix summary")
    assert event.current.content.summary == "A corrected summary."
    assert event.versions[0].content.summary == "Its made-up summary."
    shown = client.get(response.headers["location"])
    assert "A corrected summary." in shown.text


def test_an_edit_that_changes_nothing_writes_nothing(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    response = post_form(client, f"/edit/{event_id}", {"note": "nothing really"})
    assert response.status_code == 200 and "no version was written" in response.text
    assert version_count(store, event_id) == 1


def test_retiring_an_event_makes_one_version(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    without_note = post_form(client, f"/retire/{event_id}")
    assert without_note.status_code == 422
    assert page(without_note).xpath("//input[@name='note'][@aria-invalid='true']")
    response = post_form(client, f"/retire/{event_id}", {"note": "a duplicate"})
    assert response.status_code == 303
    event = store.event(event_id)
    assert len(event.versions) == 2
    assert (event.current.editor, event.current.note) == ("ann", "a duplicate")
    assert store.retired_versions(event_id) == {2}
    assert client.get(response.headers["location"]).status_code == 200  # still readable
    again = client.get(f"/retire/{event_id}")
    assert again.status_code == 409 and "retired already" in again.text


def test_a_live_event_page_links_to_its_edit_form(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    event = store.event(event_id)
    shown = client.get(version_path(event, event.current, "html"))
    (link,) = page(shown).xpath("//main//a[text()='Edit this event']/@href")
    assert link == f"/edit/{event_id}"
    assert client.get(link).url.path == "/login"  # not signed in: asked to
    sign_in(client, secret, link)
    assert field(client.get(link), "headline") == event.content.headline


def test_validation_errors_name_the_field_and_keep_the_input(
    store: Store, client: TestClient, secret: str
) -> None:
    sign_in(client, secret)
    events_before = len(list(store.iter_events()))
    cases = {
        "headline": {"headline": "   "},
        "date": {"date": "2021-02-30"},
        "sources": {"sources": "Example Wire https://example.org/1\nhttps://example.org/2"},
        "cover_image": {"cover_image": "not an address"},
        "story": {"story": "two\nlines"},
        "summary": {"summary": "a control character \x01"},
        "note": {"note": "a NUL \x00, which PostgreSQL cannot store"},
    }
    for name, changes in cases.items():
        response = post_form(client, "/new", {**FORM, **changes})
        assert response.status_code == 422, name
        document = page(response)
        (invalid,) = document.xpath("//*[@aria-invalid='true']/@name")
        assert invalid == name
        message = document.xpath("string(//*[@id='form-message'])")
        assert "not saved" in message, name
        kept = "summary" if name != "summary" else "headline"
        assert field(response, kept).replace("\r\n", "\n") == FORM[kept].replace("\r\n", "\n")
    line = post_form(client, "/new", {**FORM, **cases["sources"]})
    assert "line 2" in page(line).xpath("string(//*[@id='error-sources'])")
    assert len(list(store.iter_events())) == events_before


def test_a_stale_edit_is_refused_showing_the_current_version(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    form = client.get(f"/edit/{event_id}")
    values = {
        "csrf_token": csrf_of(form),
        "version": field(form, "version"),
        **{name: field(form, name) for name in FORM},
        "summary": "Mine: written from version 1.",
    }
    # Someone else saves version 2 meanwhile.
    first = store.event(event_id)
    store.edit_event(
        event_id,
        EventContent(first.content.date, "Their headline, saved first", "Theirs."),
        editor="bob",
        note="their change",
        expected_version=1,
    )
    for version in ("", "0", "\u00b2", "x", "9" * 5000):
        odd = client.post(
            f"/edit/{event_id}", data={**values, "version": version}, follow_redirects=False
        )
        assert odd.status_code == 400, version
    response = client.post(f"/edit/{event_id}", data=values, follow_redirects=False)
    assert response.status_code == 409
    document = page(response)
    alert = document.xpath("string(//section[@role='alert'])")
    assert "Someone else changed this event" in alert
    assert "Their headline, saved first" in alert and "bob" in alert and "their change" in alert
    assert field(response, "summary") == "Mine: written from version 1."  # nothing typed is lost
    assert field(response, "version") == "2"
    event = store.event(event_id)
    assert len(event.versions) == 2 and event.current.content.summary == "Theirs."
    # Sent again, having seen version 2, it is a deliberate third version.
    again = client.post(
        f"/edit/{event_id}",
        data={**values, "version": "2", "csrf_token": csrf_of(response)},
        follow_redirects=False,
    )
    assert again.status_code == 303
    versions = store.event(event_id).versions
    assert [v.editor for v in versions] == ["importer", "bob", "ann"]
    assert versions[-1].content.summary == "Mine: written from version 1."


def test_a_stale_retirement_is_refused(
    store: Store, client: TestClient, secret: str, event_id: int
) -> None:
    sign_in(client, secret)
    form = client.get(f"/retire/{event_id}")
    first = store.event(event_id)
    store.edit_event(
        event_id,
        EventContent(first.content.date, "Changed meanwhile"),
        editor="bob",
        note=None,
        expected_version=1,
    )
    response = client.post(
        f"/retire/{event_id}",
        data={"csrf_token": csrf_of(form), "version": "1", "note": "a duplicate"},
        follow_redirects=False,
    )
    assert response.status_code == 409 and "Someone else changed this event" in response.text
    assert field(response, "note") == "a duplicate" and field(response, "version") == "2"
    assert store.retired_versions(event_id) == frozenset()
    assert version_count(store, event_id) == 2


def test_archive_text_is_escaped_on_the_form_pages(
    store: Store, client: TestClient, secret: str
) -> None:
    made = store.create_event(EventContent(date(2021, 3, 2), HOSTILE, HOSTILE, story=HOSTILE))
    sign_in(client, secret)
    for path in (f"/edit/{made.id}", f"/retire/{made.id}"):
        response = client.get(path)
        document = page(response)
        assert not document.xpath("//script | //b"), path
        assert document.xpath("string(//p[@class='subject'])") == HOSTILE, path
    assert field(client.get(f"/edit/{made.id}"), "summary") == HOSTILE
    # The stale page shows the other version's text too, escaped.
    form = client.get(f"/edit/{made.id}")
    store.edit_event(
        made.id,
        EventContent(date(2021, 3, 2), HOSTILE + " 2", HOSTILE),
        editor="bob",
        note=HOSTILE,
        expected_version=1,
    )
    values = {name: field(form, name) for name in (*FORM, "version")}
    values["csrf_token"] = csrf_of(form)
    stale = client.post(f"/edit/{made.id}", data=values, follow_redirects=False)
    assert stale.status_code == 409
    assert not page(stale).xpath("//script | //b")
    assert HOSTILE + " 2" in page(stale).xpath("string(//dl[@class='current'])")


def test_missing_events_are_the_404_page(client: TestClient, secret: str) -> None:
    sign_in(client, secret)
    csrf = csrf_of(client.get("/new"))
    for path in (
        "/edit/999999",
        "/retire/999999",
        "/edit/99999999999",
        "/edit/" + "9" * 5000,  # more digits than int() reads
        "/retire/\u00b2",  # a digit to str.isdigit
        "/edit/0",
        "/edit/abc",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
        posted = client.post(path, data={"csrf_token": csrf, "version": "1", **FORM})
        assert posted.status_code == 404, path
