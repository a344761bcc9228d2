"""What the file-import endpoints share: the upload, the dry-run switch, and the all-or-nothing
refusal that lists every row's error (households, products, commune targets)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, fields

from connector.errors import ValidationFailed


class DryRunSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class RowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class FileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


# For @blp.doc: the request is a multipart form with one file.
UPLOAD_DOC = {"requestBody": {"content": {"multipart/form-data": {"schema": FileSchema}}}}


def uploaded_file() -> bytes:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(errors={"file": [_("Choose a CSV or Excel file.")]})
    return upload.read()


def refuse_unless_clean(report) -> None:
    """A file with any bad row imports nothing: 422 with each row's error."""
    if not report.clean:
        raise ValidationFailed(_("The file has errors: nothing was imported."), errors={
            "rows": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]})
