"""Pages as JSON: the page view, keys in a fixed order (see docs/schemas/).

Written compactly, on one line: ``json.dumps`` with ``indent`` falls back to the
pure-Python encoder, which made JSON a fifth of a site build's time; programs read
these files, and ``python -m json.tool`` pretty-prints one for a person.
"""

from __future__ import annotations

import json
from typing import Any


def render_json(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False) + "\n"
