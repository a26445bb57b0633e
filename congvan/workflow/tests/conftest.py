"""Shared by the workflow tests: see congvan/conftest.py (crew, incoming_doc, send_to_hu)."""

from congvan.conftest import CS1, HU, send_to_hu

__all__ = ["CS1", "HU", "send_to_hu"]
