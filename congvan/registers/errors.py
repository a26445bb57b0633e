from congvan.lib.errors import Conflict


class NumberingNotConfigured(Conflict):
    code = "numbering_not_configured"


class TermOverlaps(Conflict):
    code = "term_overlaps"


class NumberMoved(Exception):
    """The number prepared for (outside the lock) was taken by another release meanwhile: prepare again."""


class RegisterExists(Conflict):
    code = "register_exists"
