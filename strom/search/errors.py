"""Errors of the search API, shaped like the REST API's problem details (title + detail)."""

from __future__ import annotations


class SearchError(Exception):
    """A search request the store cannot answer; ``title`` is the problem type the REST layer
    reports (``INVALID_ARGUMENT`` maps to HTTP 400) and ``detail`` names what is wrong."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail
