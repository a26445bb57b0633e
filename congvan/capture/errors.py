from congvan.lib.errors import InvalidInput, NotFound


class IntakeNotFound(NotFound):
    code = "intake_not_found"


class IntakeRefused(InvalidInput):
    code = "intake_refused"
