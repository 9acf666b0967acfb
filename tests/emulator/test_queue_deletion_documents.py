"""Deleting a queue removes the documents of its annotations (documents have no queue link) and their bytes."""

from __future__ import annotations

from rossum_iac.emulator.resources import _blobs
from rossum_iac.emulator.resources.documents import DOCUMENT_BLOB

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue, wait_for
from .helpers import id_of


def _blob_size(emulator, document_id):
    with emulator.app.store.transaction() as tx:
        return _blobs.size(tx, DOCUMENT_BLOB, document_id)


def _documents_of(api, annotation_urls):
    return [imported(api, url)["document"] for url in annotation_urls]


def test_delete_queue_at_once_removes_its_documents_and_their_bytes(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    kept_queue = make_queue(api, name="Kept")
    urls = legacy_upload(api, queue, [("a.pdf", b"aaa"), ("b.pdf", b"bbb")])
    (kept_document,) = _documents_of(api, legacy_upload(api, kept_queue, [("k.pdf", b"kkk")]))
    documents = _documents_of(api, urls)
    # an annotation holding data would block DELETE /documents/{id}, but not the queue's deletion
    node = datapoints_by_schema_id(api.get(f"{urls[0]}/content").json()["content"])["document_id"][0]
    assert api.patch(f"{urls[0]}/content/{node['id']}", json={"content": {"value": "INV-1"}}).status_code == 200
    assert all(_blob_size(emulator, id_of(d)) == 3 for d in documents)

    assert api.delete(queue["url"], params={"delete_after": "0"}).status_code == 202

    for document in documents:
        assert api.get(document).status_code == 404
        assert api.get(f"{document}/content").status_code == 404
        assert _blob_size(emulator, id_of(document)) is None
    assert api.get(kept_document).status_code == 200  # another queue's document stays
    assert _blob_size(emulator, id_of(kept_document)) == 3


def test_deferred_queue_deletion_removes_its_documents_when_it_fires(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    (document,) = _documents_of(api, legacy_upload(api, queue, [("a.pdf", b"aaa")]))
    assert api.delete(queue["url"], params={"delete_after": "00:00:00.200000"}).status_code == 202
    assert api.get(document).status_code == 200  # not yet
    wait_for(lambda: api.get(queue["url"]).status_code == 404)
    assert api.get(document).status_code == 404
    assert _blob_size(emulator, id_of(document)) is None
