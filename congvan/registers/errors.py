from congvan.lib.errors import Conflict


class NumberingNotConfigured(Conflict):
    code = "numbering_not_configured"
