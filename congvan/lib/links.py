"""The page of a thing the domain refers to by kind and id (a notice's subject, for instance)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

PAGES = {"assignment": "web:assignment", "document": "web:document", "intake": "web:intake"}


def page_of(kind: str, pk: int | None) -> str:
    """The path of the page showing it, or "" when there is none."""
    if kind not in PAGES or pk is None:
        return ""
    try:
        return reverse(PAGES[kind], args=[pk])
    except NoReverseMatch:
        return ""
