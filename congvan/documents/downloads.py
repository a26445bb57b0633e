"""Stream a document's file to a client, verified against its SHA-256 on the way out."""

from __future__ import annotations

from typing import Protocol

from django.http import StreamingHttpResponse

from congvan.documents.blobstore import iter_verified
from congvan.documents.models import Blob
from congvan.lib.http import content_disposition


class StoredFile(Protocol):
    """A named stored file: a document's file, a progress note's file."""

    blob_id: str
    blob: Blob
    name: str


def file_response(f: StoredFile, *, inline: bool = False) -> StreamingHttpResponse:
    """Return a streaming response; the name survives in any language (RFC 6266/5987)."""
    response = StreamingHttpResponse(iter_verified(f.blob_id), content_type=f.blob.mime)
    response["Content-Length"] = str(f.blob.size)
    response["Content-Disposition"] = content_disposition(f.name, inline=inline)
    response["ETag"] = f'"{f.blob_id}"'
    return response
