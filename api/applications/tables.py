"""Piccolo tables of membership applications and their screening."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account
from api.members.tables import Organisation


class ScreeningChecklist(Table, tablename="screening_checklist"):
    """One version of the prefecture's screening criteria; the newest version is in use.

    Versions are never changed: an admin's edit adds a version, so every application keeps the
    list it was screened against.
    """

    version = Integer(unique=True)
    items = Text()  # JSON: a list of {"key": ..., "label": ...}
    created_by = ForeignKey(references=Account, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Application(Table, tablename="membership_application"):
    """A membership application as the applicant typed it, and where its screening stands."""

    reference = Varchar(length=20, unique=True)  # shown to the applicant, e.g. R8-0001
    status = Varchar(length=24, index=True)
    organisation_name = Varchar(length=200)
    name_kana = Varchar(length=200)
    name_key = Varchar(length=200, index=True)
    corporate_number = Varchar(length=13, null=True, default=None, index=True)
    data = Text()  # JSON: the organisation and the applicant contact as validated
    applicant_name = Varchar(length=100)
    applicant_email = Varchar(length=254, index=True)
    submission_key = Varchar(length=64, unique=True)  # catches the same form submitted twice
    declaration_name = Varchar(length=100)  # who signed the declaration of no ties
    submitted_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    checklist = ForeignKey(references=ScreeningChecklist, null=True)
    checklist_answers = Text(default="{}")  # JSON: item key -> {"ok": bool, "note": str}
    checklist_by = ForeignKey(references=Account, null=True)
    checklist_at = Timestamptz(null=True, default=None)
    info_request = Text(default="")  # what staff asked the applicant for
    info_token_hash = Varchar(length=64, null=True, default=None, index=True)
    info_requested_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=Account, null=True)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    organisation = ForeignKey(references=Organisation, null=True)


class AntisocialCheck(Table, tablename="antisocial_check"):
    """The check that an applicant has no ties to anti-social forces (反社会的勢力)."""

    application = ForeignKey(references=Application, index=True)
    method = Varchar(length=32)
    source = Varchar(length=200)
    result = Varchar(length=16)
    notes = Text(default="")
    checked_by = ForeignKey(references=Account)
    checked_at = Timestamptz(default=TimestamptzNow())
    evidence_key = Varchar(length=200, null=True, default=None)
    evidence_name = Varchar(length=200, default="")
    evidence_type = Varchar(length=100, default="")
    evidence_size = Integer(default=0)
