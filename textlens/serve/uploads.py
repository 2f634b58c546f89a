"""Turn a request body into (file name, bytes) uploads and option fields, within the size limit.

Three ways in: multipart/form-data (``file`` fields plus option fields), a JSON object with the
file in base64 (``{"file": "...", "filename": "scan.pdf", "dpi": 300}``; ``files`` for several
crops), or the raw bytes with an image/* or application/pdf/octet-stream type and the options in
the query string. Nothing here touches the file system: names are labels for answers only.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from textlens.serve.service import ApiError

MAX_FIELDS = 32
RAW_TYPES = ("application/octet-stream", "application/pdf")
_UNSAFE_NAME = re.compile(r"[^\w .()+-]")


@dataclass
class Upload:
    files: list[tuple[str, bytes]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


async def read_upload(request: Request, limit: int, *, max_files: int = 1) -> Upload:
    """The request's files and option fields (query string first, body fields override)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, limit)
    upload = Upload(fields=dict(request.query_params))
    if content_type == "multipart/form-data":
        await _parse_multipart(request, body, upload, max_files)
    elif content_type == "application/json":
        _parse_json(body, upload, max_files)
    elif content_type in RAW_TYPES or content_type.startswith("image/"):
        name = safe_name(str(upload.fields.pop("filename", "") or "upload"))
        upload.files.append((name, body))
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type {content_type or 'none'!r}: send multipart/form-data, application/json "
            "(file in base64) or the raw image/PDF bytes",
        )
    if not upload.files:
        raise ApiError(400, "no_file", "no file in the request: send it as the `file` field")
    if len(upload.files) > max_files:
        raise ApiError(413, "too_many_files", f"{len(upload.files)} files in one request; at most {max_files}")
    return upload


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` bytes (declared or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def safe_name(name: str) -> str:
    """A file name fit for an answer or an error line: its last path part, plain characters, short."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip() or "upload"
    return cleaned[:100]


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"request body over this server's {limit / 1048576:g} MB limit")


async def _parse_multipart(request: Request, body: bytes, upload: Upload, max_files: int) -> None:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, stream(), max_files=max_files + 1, max_fields=MAX_FIELDS)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(400, "bad_request", f"malformed multipart body: {exc.message}") from None
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key in ("file", "files"):
                    upload.files.append((safe_name(value.filename or "upload"), await value.read()))
                else:
                    raise ApiError(422, "bad_option", f"unexpected file field {key!r}; send files as `file`")
            else:
                upload.fields[key] = value
    finally:
        await form.close()  # spooled parts are deleted: nothing stays on disk


def _parse_json(body: bytes, upload: Upload, max_files: int) -> None:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "bad_request", f"body is not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "JSON body must be an object with a base64 `file`")
    encoded = payload.pop("files", None) if "files" in payload else [payload.pop("file", None)]
    name = safe_name(str(payload.pop("filename", "") or "upload"))
    if not isinstance(encoded, list) or len(encoded) > max_files:
        raise ApiError(400, "bad_request", f"`files` must be a list of at most {max_files} base64 strings")
    for index, item in enumerate(encoded):
        if item is None:
            continue
        suffix = f"#{index + 1}" if len(encoded) > 1 else ""
        upload.files.append((name + suffix, _decode_base64(item)))
    upload.fields.update(payload)


def _decode_base64(item: Any) -> bytes:
    if not isinstance(item, str):
        raise ApiError(400, "bad_request", "`file` must be a base64 string")
    text = item.split(",", 1)[1] if item.startswith("data:") else item  # a data URL is fine too
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "bad_request", "`file` is not valid base64") from None
