from congvan.lib.errors import Conflict, Forbidden, InvalidInput, NotFound


class UnknownUnit(NotFound):
    code = "unknown_unit"


class NotAllowed(Forbidden):
    code = "not_allowed"


class LoginFailed(Forbidden):
    code = "login_failed"
    status = 401


class AccountLocked(Forbidden):
    code = "account_locked"
    status = 429


class NoMembership(Forbidden):
    code = "no_membership"


class DuplicateUnit(Conflict):
    code = "duplicate_unit"


class InvalidOrgData(InvalidInput):
    code = "invalid"


class UnknownUser(NotFound):
    code = "unknown_user"


class UnknownMembership(NotFound):
    code = "unknown_membership"


class UnitHasChildren(Conflict):
    code = "unit_has_children"


class UnknownGroup(NotFound):
    code = "unknown_group"


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"
