"""The API's URL entry point (importing the views registers their routes)."""

from congvan.api import admin, incoming, mail, people, reports, security, signing, views  # noqa: F401
from congvan.api.base import api

__all__ = ["api"]
