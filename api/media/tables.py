"""Piccolo table of the media library: one row per uploaded image or document."""

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account


class MediaItem(Table, tablename="media_item"):
    """An image or a document; the bytes live in the object store under generated keys."""

    kind = Varchar(length=16, index=True)  # image / document
    file_name = Varchar(length=255)  # the original (Japanese) name, for downloads only
    storage_key = Varchar(length=300)
    content_type = Varchar(length=120)  # detected from the content, never from the name
    size = Integer()
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    alt_text = Varchar(length=300, default="")  # the suggested alternative text
    title = Varchar(length=200, default="")
    # [{"width": 320, "height": 213, "key": "...", "content_type": "image/webp", "size": 1234}]
    renditions = JSON(default="[]")
    uploaded_by = ForeignKey(
        references=Account, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
