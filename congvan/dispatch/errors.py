from congvan.lib.errors import Conflict, InvalidInput, NotFound


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"


class BadRecipients(InvalidInput):
    code = "bad_recipients"


class AlreadyReleased(Conflict):
    code = "already_released"


class ReceiptWrongState(Conflict):
    code = "wrong_state"
