"""Dateline: a self-hostable archive of dated news events, their sources and their history.

Layers, each importing only the ones before it:
``model`` (plain data) -> ``store`` (SQL) -> ``ingest`` (reading formats in)
-> ``render`` (writing formats out) -> ``site`` / ``cli`` (delivery).
"""

__version__ = "0.1.0"
