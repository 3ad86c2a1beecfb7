"""The site writer: pages replaced atomically, by swapping with a spare file or not."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from dateline.site import output
from dateline.site.output import SiteWriter
from dateline.site.state import STATE_DIR, BuildState

PAGES = {
    "/news/2012/02/9/a.html": b"<p>first page, long enough to shrink later</p>" * 40,
    "/news/2012/02/9/b.json": b'{"a":1}',
    "/context/homs.xml": b"<context/>" * 500,
    "/news/2012/02/9/c.html": b"<p>third</p>",
}


def _leftovers(out: Path) -> list[str]:
    """Files in the output that are neither pages nor the build state."""
    return sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file()
        and "/" + str(p.relative_to(out)) not in PAGES
        and not p.name.startswith("state.sqlite")
    )


def _write_all(out: Path, pages: dict[str, bytes]) -> SiteWriter:
    state = BuildState(out)
    writer = SiteWriter(out, state)
    try:
        writer.put_all(pages.items())
        writer.flush()
    finally:
        writer.close_spare()
        state.close()
    return writer


def _new_texts() -> dict[str, bytes]:
    """Shorter, then longer: written over the old file of the page of its kind before
    (the spare of its extension), the short one must not keep the tail of that longer
    file (c.html goes into a.html's old file)."""
    return {
        "/news/2012/02/9/a.html": b"<p>second</p>",
        "/news/2012/02/9/b.json": b'{"a":22}',
        "/context/homs.xml": b"<context>" + b"x" * 6000 + b"</context>",
        "/news/2012/02/9/c.html": b"<p>c</p>",
    }


def test_replaced_pages_hold_exactly_the_new_text_and_nothing_is_left_over(
    tmp_path: Path,
) -> None:
    first = _write_all(tmp_path, PAGES)
    assert first.written == 4
    _write_all(tmp_path, _new_texts())
    for path, data in _new_texts().items():
        assert (tmp_path / path.lstrip("/")).read_bytes() == data
    assert _leftovers(tmp_path) == []
    assert not list((tmp_path / STATE_DIR).glob("spare-*"))


def test_a_reader_of_the_old_page_keeps_reading_the_old_page(tmp_path: Path) -> None:
    """Replaced by a rename or a swap, never written over: an open file is unchanged."""
    _write_all(tmp_path, PAGES)
    page = tmp_path / "news/2012/02/9/a.html"
    inode = page.stat().st_ino
    with page.open("rb") as reader:
        _write_all(tmp_path, _new_texts())
        assert reader.read() == PAGES["/news/2012/02/9/a.html"]
    assert page.stat().st_ino != inode
    assert page.read_bytes() == _new_texts()["/news/2012/02/9/a.html"]


@pytest.mark.skipif(output.renameat2 is None, reason="swapping files is Linux-only")
def test_pages_are_swapped_with_one_spare_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every replaced page goes through the swap, and no temporary file is made."""
    _write_all(tmp_path, PAGES)
    swapped: list[str] = []
    swap = output._swap

    def counting_swap(first: str, second: str) -> None:
        swapped.append(second)
        swap(first, second)

    renamed: list[str] = []
    rename = os.replace

    def recording_replace(source: str, target: str) -> None:
        renamed.append(target)
        rename(source, target)

    monkeypatch.setattr(output, "_swap", counting_swap)
    monkeypatch.setattr(os, "replace", recording_replace)
    _write_all(tmp_path, _new_texts())
    assert sorted(s.removeprefix(str(tmp_path)) for s in swapped) == sorted(PAGES)
    assert renamed == []  # no temporary file


def test_without_swapping_pages_are_replaced_by_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filesystem that cannot swap (EINVAL) costs a rename per page, nothing else."""
    _write_all(tmp_path, PAGES)
    calls: list[str] = []

    def refusing_swap(first: str, second: str) -> None:
        calls.append(second)
        raise OSError(errno.EINVAL, "no exchange here")

    monkeypatch.setattr(output, "_swap", refusing_swap)
    inodes = {p: (tmp_path / p.lstrip("/")).stat().st_ino for p in PAGES}
    _write_all(tmp_path, _new_texts())
    assert len(calls) == 1  # tried once, then temporary files
    for path, data in _new_texts().items():
        assert (tmp_path / path.lstrip("/")).read_bytes() == data
        assert (tmp_path / path.lstrip("/")).stat().st_ino != inodes[path]
    assert _leftovers(tmp_path) == []
    assert not list((tmp_path / STATE_DIR).glob("spare-*"))


def test_a_failed_swap_is_an_error_not_a_lost_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_all(tmp_path, PAGES)

    def failing_swap(first: str, second: str) -> None:
        raise OSError(errno.EIO, "disk error")

    monkeypatch.setattr(output, "_swap", failing_swap)
    with pytest.raises(OSError, match="disk error"):
        _write_all(tmp_path, _new_texts())
    for path, data in PAGES.items():
        assert (tmp_path / path.lstrip("/")).read_bytes() == data


def test_new_pages_in_a_recorded_site_take_the_spare(tmp_path: Path) -> None:
    _write_all(tmp_path, {"/news/2012/02/9/a.html": b"old"})
    writer = _write_all(tmp_path, PAGES)
    assert writer.added == set(PAGES) - {"/news/2012/02/9/a.html"}
    for path, data in PAGES.items():
        assert (tmp_path / path.lstrip("/")).read_bytes() == data
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(output.renameat2 is None, reason="swapping files is Linux-only")
def test_without_leases_pages_are_replaced_by_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filesystem that grants no leases (EINVAL) cannot tell whether someone reads the
    spare: no spare is written over then, and no swap is tried."""
    _write_all(tmp_path, PAGES)
    swapped: list[str] = []
    monkeypatch.setattr(output, "_swap", lambda first, second: swapped.append(second))

    def no_leases(handle: int, command: int, argument: int = 0) -> int:
        raise OSError(errno.EINVAL, "no leases here")

    monkeypatch.setattr(output.fcntl, "fcntl", no_leases)
    _write_all(tmp_path, _new_texts())
    assert swapped == []
    for path, data in _new_texts().items():
        assert (tmp_path / path.lstrip("/")).read_bytes() == data
    assert _leftovers(tmp_path) == []
    assert not list((tmp_path / STATE_DIR).glob("spare-*"))
