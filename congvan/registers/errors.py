from congvan.lib.errors import Conflict


class NumberingNotConfigured(Conflict):
    code = "numbering_not_configured"


class TermOverlaps(Conflict):
    code = "term_overlaps"
