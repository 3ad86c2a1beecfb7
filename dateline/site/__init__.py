"""Publishing the archive as files: the Markdown export (and, later, the static site)."""
