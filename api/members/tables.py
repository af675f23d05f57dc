"""Piccolo tables of the members domain: organisations and their contact people."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    """A member organisation (or one being created from an application)."""

    name = Varchar(length=200)
    name_kana = Varchar(length=200, index=True)  # lists sort by the reading
    name_key = Varchar(length=200, index=True)  # normalised name, for duplicates and imports
    corporate_number = Varchar(length=13, null=True, default=None, index=True)
    kind = Varchar(length=32, index=True)
    industry = Varchar(length=2, index=True)
    size_band = Varchar(length=10, index=True)
    postal_code = Varchar(length=8)
    prefecture = Varchar(length=10)
    municipality = Varchar(length=40, index=True)
    address_line = Varchar(length=200)
    website = Varchar(length=300, default="")
    representative_name = Varchar(length=100)
    representative_title = Varchar(length=100, default="")
    profile_public = Boolean(default=False, index=True)
    profile_text = Text(default="")
    status = Varchar(length=16, index=True)
    applied_on = Date(null=True, default=None)
    joined_on = Date(null=True, default=None, index=True)
    suspended_on = Date(null=True, default=None)
    withdrawn_on = Date(null=True, default=None, index=True)
    status_note = Text(default="")  # why it was suspended or withdrew
    joined_fiscal_year = Integer(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class OrganisationContact(Table, tablename="organisation_contact"):
    """A contact person of an organisation: personal data, shown only to those who need it."""

    organisation = ForeignKey(references=Organisation, index=True)
    position = Integer(default=0)  # the order on the form; 0 is the main contact
    name = Varchar(length=100)
    department = Varchar(length=100, default="")
    email = Varchar(length=254)
    phone = Varchar(length=20)
