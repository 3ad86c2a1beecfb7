"""Pages as JSON: the page view, keys in a fixed order (see docs/schemas/).

Written compactly, on one line: ``json.dumps`` with ``indent`` falls back to the
pure-Python encoder, which made JSON a fifth of a site build's time; programs read
these files, and ``python -m json.tool`` pretty-prints one for a person. One encoder
serves every page (``json.dumps`` with an option makes a new one per call); it keeps
no state between calls, so threads may share it.
"""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False)


def render_json(view: dict[str, Any]) -> str:
    return _ENCODER.encode(view) + "\n"
