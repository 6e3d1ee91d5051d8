"""Documents over REST on a real broker (Camunda 8.8's ``/v2/documents``): upload with metadata,
download with the stored type and file name, content hash checks, batches with a failing file,
expiry and its sweep, links that work without credentials until they expire, documents that
outlive a restart, DOCUMENT permissions with ``--auth basic``, and Camunda's Python client."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk.models.create_document_data import CreateDocumentData
from camunda_orchestration_sdk.models.create_documents_data import CreateDocumentsData
from camunda_orchestration_sdk.models.document_link_request import DocumentLinkRequest
from camunda_orchestration_sdk.models.document_metadata import DocumentMetadata
from camunda_orchestration_sdk.types import File

pytestmark = pytest.mark.slow

MAX_SIZE = 64 * 1024
ENV = {"STROM_DOCUMENTS__MAX_SIZE": str(MAX_SIZE), "STROM_DOCUMENTS__SWEEP_INTERVAL_S": "0.3"}
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _iso_in(seconds: float) -> str:
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def _until(check: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return found


def _upload(
    http: httpx.Client, content: bytes, metadata: dict[str, Any] | None = None, **params: str
) -> httpx.Response:
    files: list[tuple[str, Any]] = [("file", ("invoice.pdf", content, "application/pdf"))]
    if metadata is not None:
        files.append(("metadata", (None, json.dumps(metadata).encode(), "application/json")))
    return http.post("/documents", files=files, params=params)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("documents"), env=ENV).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture
def http(broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
        yield client


def _documents_dir(broker: BrokerProcess) -> Path:
    return broker.directory / "data" / "documents"


def test_a_document_is_uploaded_downloaded_and_deleted(http: httpx.Client) -> None:
    metadata = {
        "fileName": "März invoice.pdf",
        "customProperties": {"customer": "ACME", "pages": 3},
        "processDefinitionId": "invoice-approval",
        "processInstanceKey": "2251799813690746",
        "size": 1,  # measured by the broker, not taken from the client
    }
    created = _upload(http, PDF, metadata)
    assert created.status_code == 201, created.text
    reference = created.json()
    assert reference["camunda.document.type"] == "camunda"
    assert reference["storeId"] == "local"
    assert reference["contentHash"] == hashlib.sha256(PDF).hexdigest()
    assert reference["metadata"] == {
        "contentType": "application/pdf",
        "fileName": "März invoice.pdf",
        "size": len(PDF),
        "expiresAt": None,
        "customProperties": {"customer": "ACME", "pages": 3},
        "processDefinitionId": "invoice-approval",
        "processInstanceKey": "2251799813690746",
    }
    document_id = reference["documentId"]

    content = http.get(f"/documents/{document_id}")
    assert content.status_code == 200, content.text
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["content-disposition"] == "attachment; filename*=utf-8''M%C3%A4rz%20invoice.pdf"
    checked = http.get(
        f"/documents/{document_id}", params={"contentHash": reference["contentHash"], "storeId": "local"}
    )
    assert checked.status_code == 200 and checked.content == PDF

    assert http.delete(f"/documents/{document_id}").status_code == 204
    gone = http.get(f"/documents/{document_id}")
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"Document with id '{document_id}' not found"
    assert http.delete(f"/documents/{document_id}").status_code == 404


def test_content_type_and_file_name_come_from_the_file_part_without_metadata(http: httpx.Client) -> None:
    files = {"file": ("notes.txt", b"plain words", "text/plain")}
    reference = http.post("/documents", files=files).json()
    assert reference["metadata"]["fileName"] == "notes.txt"
    assert reference["metadata"]["contentType"] == "text/plain"
    content = http.get(f"/documents/{reference['documentId']}")
    assert content.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    assert content.headers["content-type"].startswith("text/plain")


def test_any_file_name_gives_a_well_formed_content_disposition(http: httpx.Client) -> None:
    name = 'a "quoted"\r\nname/..\\.txt'
    reference = _upload(http, b"odd name", {"fileName": name}).json()
    assert reference["metadata"]["fileName"] == name
    content = http.get(f"/documents/{reference['documentId']}")
    assert content.status_code == 200
    disposition = content.headers["content-disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert urllib.parse.unquote(disposition.split("''", 1)[1]) == name


def test_a_wrong_content_hash_is_refused(http: httpx.Client) -> None:
    reference = _upload(http, b"secret contract").json()
    wrong = hashlib.sha256(b"a guess").hexdigest()
    refused = http.get(f"/documents/{reference['documentId']}", params={"contentHash": wrong})
    assert refused.status_code == 400
    assert refused.json()["title"] == "INVALID_ARGUMENT"
    assert "does not match" in refused.json()["detail"]
    assert b"secret contract" not in refused.content


def test_a_chosen_document_id_is_kept_and_cannot_be_taken_twice(http: httpx.Client) -> None:
    first = _upload(http, b"one", documentId="order-4711.pdf")
    assert first.status_code == 201, first.text
    assert first.json()["documentId"] == "order-4711.pdf"
    second = _upload(http, b"two", documentId="order-4711.pdf")
    assert second.status_code == 409
    assert second.json()["detail"] == "Document with id 'order-4711.pdf' already exists"
    assert http.get("/documents/order-4711.pdf").content == b"one"
    assert _upload(http, b"x", documentId="../escape").status_code == 400


def test_unknown_stores_and_bad_requests_are_refused(http: httpx.Client) -> None:
    unknown = _upload(http, b"x", storeId="aws")
    assert unknown.status_code == 400
    assert "Document store with id 'aws' does not exist" in unknown.json()["detail"]
    assert http.post("/documents", json={"file": "x"}).status_code == 415
    missing = http.post("/documents", files={"other": ("a.txt", b"x", "text/plain")})
    assert missing.status_code == 400 and "'file'" in missing.json()["detail"]
    past = _upload(http, b"x", {"expiresAt": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400 and "in the future" in past.json()["detail"]
    assert _upload(http, b"x", {"customProperties": [1]}).status_code == 400
    header_injection = _upload(http, b"x", {"contentType": "text/html\r\nSet-Cookie: a=b"})
    assert header_injection.status_code == 400 and "contentType" in header_injection.json()["detail"]
    too_large = _upload(http, b"x" * (MAX_SIZE + 1))
    assert too_large.status_code == 413, too_large.text


def test_a_body_sent_without_content_length_is_cut_off_at_the_limit(
    http: httpx.Client, broker: BrokerProcess
) -> None:
    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(64):  # 64 x 64 KiB: far past max_size plus the allowance for the other parts
            yield b"z" * MAX_SIZE
        yield b"\r\n--b--\r\n"

    answer = http.post(
        "/documents", content=body(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413, answer.text
    assert answer.json()["title"] == "PAYLOAD_TOO_LARGE"
    assert not list(_documents_dir(broker).glob("*.json")) or all(
        json.loads(path.read_text())["fileName"] != "big.bin"
        for path in _documents_dir(broker).glob("*.json")
    )


def test_a_batch_with_one_file_too_large_creates_the_others(
    http: httpx.Client, broker: BrokerProcess
) -> None:
    files = [
        ("files", ("a.txt", b"alpha", "text/plain")),
        ("files", ("huge.bin", b"z" * (MAX_SIZE + 1), "application/octet-stream")),
        ("files", ("c.json", b'{"c": 1}', "application/json")),
    ]
    metadata = [{"customProperties": {"n": n}} for n in range(3)]
    parts = files + [("metadataList", (None, json.dumps(m).encode(), "application/json")) for m in metadata]
    answer = http.post("/documents/batch", files=parts)
    assert answer.status_code == 207, answer.text
    body = answer.json()
    assert [d["metadata"]["fileName"] for d in body["createdDocuments"]] == ["a.txt", "c.json"]
    assert [d["metadata"]["customProperties"] for d in body["createdDocuments"]] == [{"n": 0}, {"n": 2}]
    [failed] = body["failedDocuments"]
    assert failed["fileName"] == "huge.bin"
    assert failed["status"] == 413
    assert "documents.max_size" in failed["detail"]
    for reference in body["createdDocuments"]:
        assert http.get(f"/documents/{reference['documentId']}").status_code == 200
    assert not list(_documents_dir(broker).glob(".tmp-*"))  # the refused file left nothing behind

    good = http.post("/documents/batch", files=[files[0], files[2]])
    assert good.status_code == 201
    assert len(good.json()["createdDocuments"]) == 2 and good.json()["failedDocuments"] == []
    uneven = http.post("/documents/batch", files=[*files[:1], parts[3], parts[4]])
    assert uneven.status_code == 400


def test_a_batch_file_with_bad_metadata_fails_alone_named_by_its_part(http: httpx.Client) -> None:
    parts = [
        ("files", ("a.txt", b"alpha", "text/plain")),
        ("files", ("b.txt", b"beta", "text/plain")),
        ("metadataList", (None, b"{}", "application/json")),
        ("metadataList", (None, b'{"fileName": 5}', "application/json")),
    ]
    answer = http.post("/documents/batch", files=parts)
    assert answer.status_code == 207, answer.text
    assert [d["metadata"]["fileName"] for d in answer.json()["createdDocuments"]] == ["a.txt"]
    [failed] = answer.json()["failedDocuments"]
    assert failed["fileName"] == "b.txt" and failed["status"] == 400
    assert "'metadataList[1].fileName'" in failed["detail"]


def test_an_expired_document_is_gone_and_swept(http: httpx.Client, broker: BrokerProcess) -> None:
    expires = _iso_in(3)
    reference = _upload(http, b"short-lived", {"expiresAt": expires}).json()
    document_id = reference["documentId"]
    assert reference["metadata"]["expiresAt"][:19] == expires[:19]
    assert http.get(f"/documents/{document_id}").status_code == 200
    assert list(_documents_dir(broker).glob(f"{document_id}.*"))
    _until(lambda: http.get(f"/documents/{document_id}").status_code == 404, "the document expires")
    _until(lambda: not list(_documents_dir(broker).glob(f"{document_id}.*")), "the sweep removes its files")


def test_camunda_s_python_client_creates_reads_links_and_batches_documents(broker: BrokerProcess) -> None:
    configuration = {"CAMUNDA_REST_ADDRESS": broker.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    with CamundaClient(configuration=configuration) as client:
        data = CreateDocumentData(
            file=File(payload=io.BytesIO(b"from the SDK"), file_name="sdk.txt", mime_type="text/plain"),
            metadata=DocumentMetadata(process_definition_id="sdk-process"),
        )
        reference = client.create_document(data=data)
        assert reference.store_id == "local"
        assert reference.metadata.file_name == "sdk.txt"
        assert reference.metadata.process_definition_id == "sdk-process"
        assert reference.metadata.size == len(b"from the SDK")
        content = client.get_document(reference.document_id, content_hash=reference.content_hash)
        assert content.payload.read() == b"from the SDK"
        link = client.create_document_link(
            reference.document_id, data=DocumentLinkRequest(time_to_live=60_000)
        )
        assert httpx.get(link.url).content == b"from the SDK"
        batch = client.create_documents(
            data=CreateDocumentsData(
                files=[
                    File(payload=io.BytesIO(b"1"), file_name="one.txt"),
                    File(payload=io.BytesIO(bytes(range(256)))),
                ],
                metadata_list=[DocumentMetadata(), DocumentMetadata(file_name="two.txt")],
            )
        )
        assert [d.metadata.file_name for d in batch.created_documents] == ["one.txt", "two.txt"]
        assert batch.failed_documents == []
        # the second part named no file (only its metadata did): its bytes are kept, not decoded as text
        second = client.get_document(batch.created_documents[1].document_id)
        assert second.payload.read() == bytes(range(256))
        client.delete_document(reference.document_id)


# -- with authentication, and across a restart ------------------------------------------------------


def _basic(username: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


ADMIN = _basic("admin", "admin's password")
BOB = _basic("bob", "bob's password")


def test_with_auth_documents_need_a_caller_and_links_do_not_and_everything_survives_a_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    process = BrokerProcess(
        tmp_path_factory.mktemp("documents-auth"),
        "--auth",
        "basic",
        "--admin-user",
        "admin",
        env={**ENV, "STROM_ADMIN_PASSWORD": "admin's password"},
    ).start()
    try:
        with httpx.Client(base_url=process.rest_address, timeout=30) as http:
            _until(lambda: http.get("/topology", headers=ADMIN).status_code == 200, "admin login")
            anonymous = _upload(http, b"nobody")
            assert anonymous.status_code == 401

            http.headers.update(ADMIN)
            reference = _upload(http, PDF, {"fileName": "kept.pdf"}).json()
            document_id = reference["documentId"]
            long = http.post(f"/documents/{document_id}/links", json={})
            assert long.status_code == 201
            expires_at = datetime.datetime.fromisoformat(long.json()["expiresAt"])
            remaining = expires_at - datetime.datetime.now(datetime.UTC)
            assert datetime.timedelta(minutes=59) < remaining <= datetime.timedelta(hours=1)
            bad_hash = http.post(f"/documents/{document_id}/links", params={"contentHash": "0" * 64}, json={})
            assert bad_hash.status_code == 400
            assert http.post("/documents/nothing-here/links", json={}).status_code == 404

            http.post("/users", json={"username": "bob", "password": "bob's password"})
            _until(lambda: http.get("/topology", headers=BOB).status_code == 200, "bob login")
            refused = http.get(f"/documents/{document_id}", headers=BOB)
            assert refused.status_code == 403
            assert refused.json()["detail"] == (
                "Insufficient permissions to perform operation 'READ' on resource 'DOCUMENT'"
            )
            assert _upload(http, b"x").status_code == 201  # the admin may
            grant = {
                "ownerId": "bob",
                "ownerType": "USER",
                "resourceType": "DOCUMENT",
                "resourceId": "*",
                "permissionTypes": ["READ"],
            }
            assert http.post("/authorizations", json=grant).status_code == 201
            read = _until(
                lambda: (
                    r
                    if (r := http.get(f"/documents/{document_id}", headers=BOB)).status_code == 200
                    else None
                ),
                "bob may read once granted",
            )
            assert read.content == PDF
            assert http.delete(f"/documents/{document_id}", headers=BOB).status_code == 403
            short = http.post(f"/documents/{document_id}/links", json={"timeToLive": 3000})
            assert short.status_code == 201, short.text

        with httpx.Client(timeout=30) as anonymous_http:  # no credentials at all
            fetched = anonymous_http.get(short.json()["url"])
            assert fetched.status_code == 200, fetched.text
            assert fetched.content == PDF
            assert fetched.headers["content-disposition"] == 'attachment; filename="kept.pdf"'
            token = short.json()["url"].rsplit("/", 1)[1]
            payload, signature = token.split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["e"] += 3_600_000  # a longer life, without the key
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            link_base = short.json()["url"].rsplit("/", 1)[0]
            assert anonymous_http.get(f"{link_base}/{forged}.{signature}").status_code == 403
            _until(lambda: anonymous_http.get(short.json()["url"]).status_code == 403, "the link expires")
            assert anonymous_http.get(short.json()["url"]).json()["detail"] == "The document link has expired"

        assert process.stop() == 0, process.logs()
        process.start()

        with httpx.Client(base_url=process.rest_address, timeout=30, headers=ADMIN) as http:
            _until(lambda: http.get("/topology").status_code == 200, "admin login after the restart")
            after = http.get(f"/documents/{document_id}", params={"contentHash": reference["contentHash"]})
            assert after.status_code == 200 and after.content == PDF
            with httpx.Client(timeout=30) as anonymous_http:  # the link key outlived the restart
                assert anonymous_http.get(long.json()["url"]).content == PDF
            assert http.delete(f"/documents/{document_id}").status_code == 204
            with httpx.Client(timeout=30) as anonymous_http:
                assert anonymous_http.get(long.json()["url"]).status_code == 404
    finally:
        process.stop()
