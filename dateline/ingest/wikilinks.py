"""Wikipedia addresses to article titles: how every reader names a linked context.

The portal page, WikiTimes and the vocabulary must all call one article by one name,
or it becomes two tags. The title in the address is the reliable one: WikiTimes'
entity names lost their accents and punctuation (``Otto Prez Molina``).
"""

from __future__ import annotations

from urllib.parse import unquote


def wiki_title(url: str) -> str | None:
    """The article title of a Wikipedia address (``.../wiki/Rowan_County,_Kentucky#History``
    is ``Rowan County, Kentucky``), or None if it is none."""
    _, marker, page = url.partition("/wiki/")
    if not marker:
        return None
    return " ".join(unquote(page.split("#")[0]).replace("_", " ").split()) or None
