from congvan.lib.errors import Conflict, InvalidInput, NotFound


class DocumentNotFound(NotFound):
    code = "document_not_found"


class InvalidDocument(InvalidInput):
    code = "invalid"


class Classified(InvalidInput):
    code = "classified"


class WrongState(Conflict):
    code = "wrong_state"
