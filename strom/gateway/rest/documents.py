"""Documents over REST (Camunda 8.8's ``Document`` operations): upload one or several files
(multipart), download, delete, and links that let someone without credentials download a document
until the link expires.

The documents live in the broker's ``DocumentStore`` (``strom.broker.documents``: files in the
data directory, store id ``local``). An upload answers a document reference — the JSON a process
variable holds to point at the document (``"camunda.document.type": "camunda"``, store, id, content
hash, metadata). A download given a ``contentHash`` checks it (a reference is then proof of having
been handed the document, as in Camunda). A link is ``/documents/links/<token>`` on the same host,
outside ``/v2`` so that it needs no credentials: the token names the document, its content hash
and the link's expiry, signed with HMAC-SHA256 under a key kept in the data directory
(``document-links.key``), so links survive a restart and cannot be forged or extended.

With authentication on, ``/v2`` needs an authenticated caller, and with authorizations on the
caller needs Camunda 8.8's DOCUMENT permissions on ``*``: CREATE to upload and to make a link
(as Camunda does), READ to download, DELETE to delete.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import errno
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import (  # python-multipart's, whichever version Starlette found
    MultiPartException,
    MultiPartParser,
    parse_options_header,
)
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from strom.broker.documents import (
    STORE_ID,
    DocumentAlreadyExists,
    DocumentError,
    DocumentNotFound,
    DocumentStore,
    DocumentTooLarge,
    InvalidDocumentId,
    StoredDocument,
)
from strom.gateway.auth.identity import identity_of
from strom.gateway.auth.permissions import readable_ids
from strom.gateway.rest.context import RestContext, json_response
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument, not_found
from strom.protocol.values.identity import AuthorizationResourceType, PermissionType

operations = Operations("Document")

LINK_PREFIX = "/documents/links/"
LINK_ROUTE = LINK_PREFIX + "{token}"
"""Where a document link points, on the outer app (not under ``/v2``: no credentials needed)."""
LINK_KEY_FILE = "document-links.key"
DEFAULT_LINK_TTL_MS = 3_600_000
"""A link's lifetime when the request does not say (Camunda's default: one hour)."""
MAX_BATCH_FILES = 100
_MULTIPART_SLACK = 1024 * 1024
"""What a multipart body may carry besides the files: boundaries, headers, the metadata parts."""
_CHUNK = 256 * 1024
CONTENT_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(?:\s*;[\x20-\x7e]*)?", re.ASCII)
"""A media type with optional parameters, printable ASCII only (it becomes a response header)."""


class DocumentLinkRequest(Body):
    timeToLive: int | None = None
    """How long the link works, in milliseconds (default one hour)."""


# -- the operations ----------------------------------------------------------------------------------


@operations.post(
    "/documents",
    "createDocument",
    "Upload a document (multipart: 'file', optional 'metadata' JSON); answers its reference",
    answers=201,
)
async def create_document(request: Request) -> Response:
    store = _store(request)
    await _require(request, PermissionType.CREATE)
    form = await _form(request, store.settings.max_size + _MULTIPART_SLACK, max_files=2)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise invalid_argument("Expected the document's content in the multipart file part 'file'")
        metadata = _metadata_object(form.get("metadata"), "metadata")
        document_id = request.query_params.get("documentId") or None
        try:
            stored = await _create(store, upload, metadata, "metadata", document_id)
        except DocumentError as error:
            raise _problem(error) from None
        return json_response(_reference(stored), 201)
    finally:
        await form.close()


@operations.post(
    "/documents/batch",
    "createDocuments",
    "Upload several documents (multipart: 'files', optional 'metadataList'); 207 if some failed",
    answers=201,
)
async def create_documents(request: Request) -> Response:
    store = _store(request)
    await _require(request, PermissionType.CREATE)
    limit = (store.settings.max_size + _MULTIPART_SLACK) * MAX_BATCH_FILES
    form = await _form(request, limit, max_files=2 * MAX_BATCH_FILES)  # metadata may come as files
    try:
        uploads = [part for part in form.getlist("files") if isinstance(part, UploadFile)]
        if not uploads:
            raise invalid_argument("Expected at least one document in the multipart file parts 'files'")
        if len(uploads) > MAX_BATCH_FILES:
            raise invalid_argument(
                f"Expected at most {MAX_BATCH_FILES} documents in one batch, but got {len(uploads)}"
            )
        given = form.getlist("metadataList")
        if given and len(given) != len(uploads):
            raise invalid_argument(
                f"Expected one 'metadataList' part per file ({len(uploads)}), but got {len(given)}"
            )
        metadata = [_metadata_object(part, f"metadataList[{index}]") for index, part in enumerate(given)]
        created: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for index, upload in enumerate(uploads):
            described = metadata[index] if metadata else {}
            try:
                stored = await _create(store, upload, described, f"metadataList[{index}]", None)
            except (DocumentError, Problem) as error:
                problem = error if isinstance(error, Problem) else _problem(error)
                name = described.get("fileName")
                if not isinstance(name, str) or not name:
                    name = upload.filename or ""
                failed.append(
                    {
                        "fileName": name,
                        "status": problem.status,
                        "title": problem.title,
                        "detail": problem.detail,
                    }
                )
                continue
            created.append(_reference(stored))
        return json_response({"createdDocuments": created, "failedDocuments": failed}, 207 if failed else 201)
    finally:
        await form.close()


@operations.get(
    "/documents/{documentId}",
    "getDocument",
    "Download a document's content (checked against 'contentHash' when given)",
)
async def get_document(request: Request, documentId: str) -> Response:
    store = _store(request)
    await _require(request, PermissionType.READ)
    document = await _existing(store, documentId, request.query_params.get("contentHash"))
    return await _download(store, document)


@operations.delete("/documents/{documentId}", "deleteDocument", "Delete a document", answers=204)
async def delete_document(request: Request, documentId: str) -> Response:
    store = _store(request)
    await _require(request, PermissionType.DELETE)
    try:
        await asyncio.to_thread(store.delete, documentId)
    except DocumentError as error:
        raise _problem(error) from None
    return Response(status_code=204)


@operations.post(
    "/documents/{documentId}/links",
    "createDocumentLink",
    "A link that downloads the document without credentials until it expires",
    body=DocumentLinkRequest,
    answers=201,
)
async def create_document_link(request: Request, documentId: str, body: DocumentLinkRequest) -> Response:
    store = _store(request)
    await _require(request, PermissionType.CREATE)
    ttl = DEFAULT_LINK_TTL_MS if body.timeToLive is None else body.timeToLive
    if ttl <= 0:
        raise invalid_argument(
            f"Expected 'timeToLive' to be a positive number of milliseconds, but it was {ttl}"
        )
    document = await _existing(store, documentId, request.query_params.get("contentHash"))
    expires_at = store.now_ms() + ttl
    token = _sign_link(_link_key(store.directory.parent), document, expires_at)
    url = urlunsplit((request.url.scheme, request.url.netloc, LINK_PREFIX + token, "", ""))
    return json_response({"url": url, "expiresAt": _iso(expires_at)}, 201)


async def linked_document(request: Request) -> Response:
    """``GET /documents/links/{token}`` on the outer app: the document a valid, unexpired link names."""
    context: RestContext = request.app.state.context
    path = request.url.path
    store = context.documents
    if store is None:
        return not_found("This broker keeps no documents").response(path)
    claims = _verify_link(_link_key(store.directory.parent), request.path_params["token"])
    if claims is None:
        return Problem(403, "FORBIDDEN", "The document link is not valid").response(path)
    if claims["e"] <= store.now_ms():
        return Problem(403, "FORBIDDEN", "The document link has expired").response(path)
    try:
        document = await _existing(store, claims["d"], claims["h"])
    except Problem as problem:  # deleted, expired, or replaced under the same id
        if problem.status == 400:  # the hash: the document was replaced since the link was made
            problem = not_found(f"Document with id '{claims['d']}' not found")
        return problem.response(path)
    return await _download(store, document)


# -- helpers ---------------------------------------------------------------------------------------


def _store(request: Request) -> DocumentStore:
    context: RestContext = request.app.state.context
    if context.documents is None:
        raise Problem(501, "NOT_IMPLEMENTED", "This gateway has no document store")
    store_id = request.query_params.get("storeId")
    if store_id and store_id != STORE_ID:
        raise invalid_argument(
            f"Document store with id '{store_id}' does not exist: this broker's store is '{STORE_ID}'"
        )
    return context.documents


async def _require(request: Request, permission: PermissionType) -> None:
    """403 unless the caller holds ``permission`` on DOCUMENT ``*`` (always, with authorizations
    off or without authentication)."""
    identity = identity_of(request)
    if not identity.authenticated or not identity.checked:
        return
    identities = request.app.state.auth.store
    if identities is None:
        return
    resource = AuthorizationResourceType.DOCUMENT
    if await asyncio.to_thread(readable_ids, identity, identities, resource, permission) is None:
        return
    raise Problem(
        403,
        "FORBIDDEN",
        f"Insufficient permissions to perform operation '{permission}' on resource '{resource}'",
    )


async def _form(request: Request, limit: int, max_files: int) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise Problem(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Expected a multipart/form-data body, but the content type was '{content_type}'",
        )
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise Problem(
            413,
            "PAYLOAD_TOO_LARGE",
            f"The request body of {length} bytes is larger than this broker accepts ({limit} bytes; "
            "documents.max_size per document)",
        )
    body = _limited(request.stream(), limit)
    parser = _DocumentParts(request.headers, body, max_files=max_files, max_fields=max_files + 10)
    try:
        return await parser.parse()
    except MultiPartException as error:
        raise invalid_argument(f"The multipart body is malformed: {error.message}") from None


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    """``stream`` until more than ``limit`` bytes came (a body sent without Content-Length)."""
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise Problem(
                413,
                "PAYLOAD_TOO_LARGE",
                f"The request body is larger than this broker accepts ({limit} bytes; documents.max_size "
                "per document)",
            )
        yield chunk


class _DocumentParts(MultiPartParser):
    """Starlette's multipart parser, except that the content parts (``file``, ``files``) are files
    even without a ``filename`` (a client may name the file in the metadata only): Starlette would
    decode such a part as text, which binary content does not survive."""

    def on_headers_finished(self) -> None:
        part = self._current_part
        _, options = parse_options_header(part.content_disposition)
        if b"filename" not in options and options.get(b"name") in (b"file", b"files"):
            part.content_disposition = (part.content_disposition or b"form-data") + b'; filename=""'
        super().on_headers_finished()


def _metadata_object(part: Any, field: str) -> dict[str, Any]:
    """A metadata part (a JSON object, sent as a field or a file) as a dict; {} when absent."""
    if part is None:
        return {}
    raw = part.file.read(1024 * 1024 + 1) if isinstance(part, UploadFile) else part
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise invalid_argument(f"Expected '{field}' to be a JSON object: {error}") from None
    if not isinstance(value, dict):
        raise invalid_argument(f"Expected '{field}' to be a JSON object, but it was {type(value).__name__}")
    return value


async def _create(
    store: DocumentStore,
    upload: UploadFile,
    metadata: dict[str, Any],
    field: str,
    document_id: str | None,
) -> StoredDocument:
    options = _store_options(metadata, field, store.now_ms())
    document_id = document_id or str(uuid.uuid4())
    sent = upload.content_type
    if sent is not None and not CONTENT_TYPE.fullmatch(sent):
        sent = None
    options["content_type"] = options.get("content_type") or sent or "application/octet-stream"
    options["file_name"] = options.get("file_name") or upload.filename or document_id
    try:
        return await asyncio.to_thread(_create_from, store, upload.file, document_id, options)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise Problem(
            503, "RESOURCE_EXHAUSTED", f"The document could not be stored: {error.strerror}"
        ) from None


def _create_from(
    store: DocumentStore, content: IO[bytes], document_id: str, options: dict[str, Any]
) -> StoredDocument:
    content.seek(0)
    return store.create(content, document_id=document_id, **options)


def _store_options(metadata: dict[str, Any], field: str, now_ms: int) -> dict[str, Any]:
    """The store's arguments from Camunda's ``DocumentMetadata`` (``size`` is measured, not taken)."""
    options: dict[str, Any] = {}
    for name, option in (
        ("contentType", "content_type"),
        ("fileName", "file_name"),
        ("processDefinitionId", "process_definition_id"),
    ):
        value = metadata.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise invalid_argument(f"Expected '{field}.{name}' to be a string, but it was {value!r}")
        options[option] = value
    if "content_type" in options and not CONTENT_TYPE.fullmatch(options["content_type"]):
        raise invalid_argument(
            f"Expected '{field}.contentType' to be a media type such as application/pdf, but it was "
            f"{options['content_type']!r}"
        )
    key = metadata.get("processInstanceKey")
    if key is not None:
        if isinstance(key, bool) or not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())):
            raise invalid_argument(
                f"Expected '{field}.processInstanceKey' to be a key (a string of digits), but it was {key!r}"
            )
        options["process_instance_key"] = str(key)
    properties = metadata.get("customProperties")
    if properties is not None:
        if not isinstance(properties, dict):
            raise invalid_argument(
                f"Expected '{field}.customProperties' to be a JSON object, but it was {properties!r}"
            )
        options["custom_properties"] = properties
    expires = metadata.get("expiresAt")
    if expires is not None:
        expires_at = _parse_time(expires, f"{field}.expiresAt")
        if expires_at <= now_ms:
            raise invalid_argument(
                f"Expected '{field}.expiresAt' to be in the future, but it was {expires!r}"
            )
        options["expires_at_ms"] = expires_at
    return options


def _parse_time(value: Any, field: str) -> int:
    """An ISO 8601 date-time (UTC when it names no offset) as epoch milliseconds."""
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise invalid_argument(
            f"Expected '{field}' to be an ISO 8601 date-time such as 2030-01-31T12:00:00Z, "
            f"but it was {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp() * 1000)


def _iso(epoch_ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _existing(store: DocumentStore, document_id: str, content_hash: str | None) -> StoredDocument:
    try:
        document = await asyncio.to_thread(store.get, document_id)
    except DocumentError as error:
        raise _problem(error) from None
    given = (content_hash or "").lower().encode()
    if content_hash and not hmac.compare_digest(given, document.content_hash.encode()):
        raise invalid_argument(
            f"The content hash '{content_hash}' does not match the content of document '{document_id}'"
        )
    return document


async def _download(store: DocumentStore, document: StoredDocument) -> Response:
    try:
        content = await asyncio.to_thread(store.open, document)
    except DocumentError as error:
        raise _problem(error) from None

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await run_in_threadpool(content.read, _CHUNK):
                yield chunk
        finally:
            content.close()

    headers = {
        "Content-Disposition": _disposition(document.file_name),
        "Content-Length": str(document.size),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(chunks(), media_type=document.content_type, headers=headers)


def _disposition(file_name: str) -> str:
    """``attachment`` naming the file (RFC 6266): plain when it needs no escaping, else
    percent-encoded UTF-8 as ``filename*`` (so no name can break the header)."""
    quoted = quote(file_name, safe="")
    if quoted == file_name:
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename*=utf-8''{quoted}"


def _reference(document: StoredDocument) -> dict[str, Any]:
    """Camunda's document reference: what a process variable holds to point at the document."""
    return {
        "camunda.document.type": "camunda",
        "storeId": STORE_ID,
        "documentId": document.document_id,
        "contentHash": document.content_hash,
        "metadata": {
            "contentType": document.content_type,
            "fileName": document.file_name,
            "size": document.size,
            "expiresAt": None if document.expires_at_ms is None else _iso(document.expires_at_ms),
            "customProperties": document.custom_properties,
            "processDefinitionId": document.process_definition_id,
            "processInstanceKey": document.process_instance_key,
        },
    }


def _problem(error: DocumentError) -> Problem:
    if isinstance(error, DocumentNotFound):
        return not_found(str(error))
    if isinstance(error, DocumentAlreadyExists):
        return Problem(409, "ALREADY_EXISTS", str(error))
    if isinstance(error, DocumentTooLarge):
        return Problem(413, "PAYLOAD_TOO_LARGE", str(error))
    if isinstance(error, InvalidDocumentId):
        return invalid_argument(str(error))
    return invalid_argument(str(error))


# -- signed links ----------------------------------------------------------------------------------


@functools.cache
def _link_key(data_dir: Path) -> bytes:
    """The links' signing key: ``data_dir/document-links.key`` (32 random bytes, mode 0600),
    written on first use."""
    path = data_dir / LINK_KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes()
        if len(secret) < 32:
            raise ValueError(f"{path}: expected a key of 32 bytes, found {len(secret)}") from None
    else:
        secret = secrets.token_bytes(32)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secret)
            file.flush()
            os.fsync(file.fileno())
    return hmac.new(secret, b"strom document link v1", hashlib.sha256).digest()


def _sign_link(key: bytes, document: StoredDocument, expires_at_ms: int) -> str:
    claims = {"d": document.document_id, "h": document.content_hash, "e": expires_at_ms}
    payload = _encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_encode(hmac.new(key, payload.encode(), hashlib.sha256).digest())}"


def _verify_link(key: bytes, token: str) -> dict[str, Any] | None:
    """The claims of a token this broker signed; None for anything else (expiry not checked)."""
    if len(token) > 2048 or not token.isascii() or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    expected = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _decode(signature)):
            return None
        claims = json.loads(_decode(payload))
    except (ValueError, binascii.Error):
        return None
    if not (
        isinstance(claims, dict)
        and isinstance(claims.get("d"), str)
        and isinstance(claims.get("h"), str)
        and isinstance(claims.get("e"), int)
    ):
        return None
    return claims


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))


__all__ = ["LINK_ROUTE", "linked_document", "operations"]
