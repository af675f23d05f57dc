"""Piccolo tables of the recordings archive: recordings and their monthly view counts."""

from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account
from api.events.tables import Event
from api.solutions.tables import SolutionCategory


class Recording(Table, tablename="recording"):
    """A recording of an event: the video in the object store (uploaded in parts), and what makes
    it accessible (captions, a transcript, chapters) or the recorded reason for an exemption."""

    event = ForeignKey(references=Event, index=True, on_delete=OnDelete.restrict)
    # The DX theme, from the one taxonomy staff keep for the solutions directory.
    theme = ForeignKey(
        references=SolutionCategory, null=True, index=True, on_delete=OnDelete.set_null
    )
    title = Varchar(length=200)
    speakers = Text(default="")  # one per line
    description = Text(default="")
    duration_seconds = Integer(null=True, default=None)
    video_codec = Varchar(length=16, default="")  # read from the file; "" when unknown
    chapters = Text(default="[]")  # JSON: [{"start": seconds, "title": "..."}]
    captions = Text(default="")  # WebVTT, checked on save
    transcript = Text(default="")
    exemption_reason = Text(default="")  # why it is published without captions or transcript
    state = Varchar(length=16, default="uploading", index=True)
    storage_key = Varchar(length=300)
    content_type = Varchar(length=40)
    file_name = Varchar(length=255, default="")
    poster_key = Varchar(length=300, default="")  # a still shown before playing (WebP)
    size = BigInt()  # the declared size while uploading, the stored size after
    upload_id = Varchar(length=200, default="")  # the open multipart upload, while uploading
    created_by = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    uploaded_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)


class RecordingMonthlyView(Table, tablename="recording_monthly_view"):
    """Views of a recording per month (a player page opened, not each range request)."""

    recording = ForeignKey(references=Recording, index=True, on_delete=OnDelete.cascade)
    month = Date(index=True)  # the first day of the month, Japan time
    views = Integer(default=0)
