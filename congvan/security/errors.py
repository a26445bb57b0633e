from congvan.lib.errors import Conflict, Forbidden, InvalidInput, NotFound


class SecondFactorNeeded(Forbidden):
    """The password was right; the person's authenticator code (or a recovery code) is needed."""

    code = "otp_required"
    status = 401

    def __init__(self, message: str, *, user_id: int) -> None:
        super().__init__(message)
        self.user_id = user_id  # who gave the right password: the page keeps it for the code's step


class SecondFactorWrong(Forbidden):
    code = "otp_wrong"
    status = 401


class SecondFactorSetupRequired(Forbidden):
    """Their role requires two-factor sign-in and they have not set it up (done in the pages)."""

    code = "otp_setup_required"


class AlreadyEnrolled(Conflict):
    code = "otp_enrolled"


class UnknownAlert(NotFound):
    code = "unknown_alert"


class UnknownSession(NotFound):
    code = "unknown_session"


class InvalidCode(InvalidInput):
    code = "otp_wrong"


class AlertAcknowledged(Conflict):
    code = "already_acknowledged"
