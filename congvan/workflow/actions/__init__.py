"""Every state change of the workflow app (DESIGN.md: one door per change), by concern.

Callers import the doors from here: ``from congvan.workflow import actions as wf`` then ``wf.do_...``.
"""

from congvan.workflow.actions.dossiers import do_add_to_dossier, do_close_dossier, do_create_dossier
from congvan.workflow.actions.incoming import (
    AssignmentRequest,
    do_add_progress_note,
    do_complete_assignment,
    do_decide_extension,
    do_direct_receipt,
    do_hand_back_assignment,
    do_reassign_assignment,
    do_request_extension,
    do_start_reply,
    reply_prefill,
)
from congvan.workflow.actions.notices import do_mark_read, notify
from congvan.workflow.actions.outgoing import (
    RemoteSignature,
    do_approve_document,
    do_prepare_approval_signature,
    do_reject_document,
    do_release_document,
    do_submit_document,
    tell_arrivals,
)
from congvan.workflow.actions.reorganise import MergeResult, do_merge_unit
from congvan.workflow.actions.settings import (
    SETTING_FIELDS,
    HolidaysRefused,
    do_add_holiday,
    do_import_holidays,
    do_remove_holiday,
    do_update_unit_settings,
)
from congvan.workflow.actions.told import do_register_receipt, do_return_receipt, do_revoke_release

__all__ = [
    "SETTING_FIELDS",
    "AssignmentRequest",
    "HolidaysRefused",
    "MergeResult",
    "RemoteSignature",
    "do_add_holiday",
    "do_add_progress_note",
    "do_add_to_dossier",
    "do_approve_document",
    "do_close_dossier",
    "do_complete_assignment",
    "do_create_dossier",
    "do_decide_extension",
    "do_direct_receipt",
    "do_hand_back_assignment",
    "do_import_holidays",
    "do_mark_read",
    "do_merge_unit",
    "do_prepare_approval_signature",
    "do_reassign_assignment",
    "do_register_receipt",
    "do_reject_document",
    "do_release_document",
    "do_remove_holiday",
    "do_request_extension",
    "do_return_receipt",
    "do_revoke_release",
    "do_start_reply",
    "do_submit_document",
    "do_update_unit_settings",
    "notify",
    "reply_prefill",
    "tell_arrivals",
]
