"""Pages as JSON: the page view, keys in a fixed order (see docs/schemas/event.schema.json)."""

from __future__ import annotations

import json
from typing import Any


def render_json(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False, indent=2) + "\n"
