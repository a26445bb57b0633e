from congvan.lib.errors import Conflict, InvalidInput, NotFound


class AssignmentNotFound(NotFound):
    code = "assignment_not_found"


class InvalidAssignment(InvalidInput):
    code = "invalid_assignment"


class AssignmentWrongState(Conflict):
    code = "wrong_state"


class DossierNotFound(NotFound):
    code = "dossier_not_found"


class DossierClosed(Conflict):
    code = "dossier_closed"
