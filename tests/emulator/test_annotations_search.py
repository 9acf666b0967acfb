"""POST /annotations/search: query operators, query_string, ordering, page and search_after pagination."""

from __future__ import annotations

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue


def _set(api, annotation_url, **values):
    annotation = api.get(annotation_url).json()
    nodes = datapoints_by_schema_id(api.get(annotation["content"]).json()["content"])
    operations = [
        {"op": "replace", "id": nodes[key][0]["id"], "value": {"content": {"value": value}}}
        for key, value in values.items()
    ]
    assert api.post(f"{annotation_url}/content/operations", json={"operations": operations}).status_code == 200


def _search(api, body, **params):
    response = api.post("/annotations/search", json=body, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _fixture(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    other = make_queue(api, name="Other")
    urls = legacy_upload(api, queue, [("acme-1.pdf", b"1"), ("acme-2.pdf", b"2"), ("globex.pdf", b"3")])
    [other_url] = legacy_upload(api, other, [("initech.pdf", b"4")])
    for url in [*urls, other_url]:
        imported(api, url)
    _set(api, urls[0], sender_name="ACME corp", amount_total="100.50", date_issue="1/2/2024")
    _set(api, urls[1], sender_name="ACME corp", amount_total="20", date_issue="15/3/2024")
    _set(api, urls[2], sender_name="Globex Explosives Ltd", amount_total="3000")
    _set(api, other_url, sender_name="Initech")
    api.post(f"{urls[2]}/postpone")
    return queue, other, urls, other_url


def test_query_operators(api, emulator):
    queue, other, urls, other_url = _fixture(api, emulator)

    def urls_of(body, **params):
        return [r["url"] for r in _search(api, body, **params)["results"]]

    assert urls_of({"query": {"field.sender_name.string": {"$eq": "ACME corp"}}}) == urls[:2]
    assert urls_of(
        {
            "query": {
                "$and": [{"field.sender_name.string": {"$eq": "ACME corp"}}, {"field.amount_total.number": {"$gt": 50}}]
            }
        }
    ) == [urls[0]]
    assert urls_of({"query": {"field.amount_total.number": {"$lte": 100.5}}}) == urls[:2]
    assert urls_of({"query": {"field.date_issue.date": {"$gte": "2024-03-01"}}}) == [urls[1]]
    assert urls_of({"query": {"status": {"$in": ["postponed", "deleted"]}}}) == [urls[2]]
    assert urls_of({"query": {"status": {"$nin": ["postponed"]}, "queue": {"$eq": queue["url"]}}}) == urls[:2]
    assert urls_of({"query": {"queue": {"$ne": queue["url"]}}}) == [other_url]
    assert urls_of({"query": {"$or": [{"queue": {"$eq": other["id"]}}, {"status": "postponed"}]}}) == [
        urls[2],
        other_url,
    ]
    assert urls_of({"query": {"field.sender_name.string": {"$startsWith": "glo"}}}) == [urls[2]]
    assert urls_of({"query": {"field.date_issue.date": {"$emptyOrMissing": True}}}) == [urls[2], other_url]
    assert urls_of({"query": {"original_file_name": {"$startsWith": "acme"}}}) == urls[:2]
    workspace = api.get(queue["url"]).json()["workspace"]
    assert urls_of({"query": {"workspace": {"$eq": workspace}}}) == urls
    assert urls_of({"query": {"created_at": {"$gte": "2000-01-01"}}}) == [*urls, other_url]
    assert urls_of({}) == [*urls, other_url]
    bad = api.post("/annotations/search", json={"query": {"status": {"$regex": "x"}}})
    assert bad.status_code == 400 and "query" in bad.json()
    assert api.post("/annotations/search", json={"query": {"nonsense": 1}}).status_code == 400
    assert (
        api.post("/annotations/search", json={"query": {"field.amount_total.number": {"$gt": "x"}}}).status_code == 400
    )


def test_query_string_and_combination(api, emulator):
    _queue, _other, urls, _other_url = _fixture(api, emulator)
    found = _search(api, {"query_string": {"string": "explos"}})
    assert [r["url"] for r in found["results"]] == [urls[2]]
    assert [r["url"] for r in _search(api, {"query_string": {"string": "INITECH.pdf"}})["results"]] == [_other_url]
    both = _search(api, {"query_string": {"string": "acme"}, "query": {"field.amount_total.number": {"$lt": 50}}})
    assert [r["url"] for r in both["results"]] == [urls[1]]
    assert _search(api, {"query_string": {"string": "acme nothing"}})["pagination"]["total"] == 0


def test_ordering_sideloads_and_fields(api, emulator):
    _queue, _other, urls, other_url = _fixture(api, emulator)
    ordered = _search(api, {"query": {}}, ordering="-field.amount_total.number")
    assert [r["url"] for r in ordered["results"]] == [urls[2], urls[0], urls[1], other_url]  # empty values last
    by_status = _search(api, {}, ordering="status,-id")
    assert [r["status"] for r in by_status["results"]] == ["postponed", "to_review", "to_review", "to_review"]
    with_content = _search(
        api,
        {"query_string": {"string": "globex"}},
        sideload="content,documents",
        **{"content.schema_id": "sender_name"},
    )
    assert [n["content"]["value"] for n in with_content["content"]] == ["Globex Explosives Ltd"]
    assert [d["original_file_name"] for d in with_content["documents"]] == ["globex.pdf"]
    slim = _search(api, {}, fields="id,status")
    assert all(set(r) == {"id", "status"} for r in slim["results"])


def test_page_and_search_after_pagination(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    urls = legacy_upload(api, queue, [(f"f{i}.pdf", str(i).encode()) for i in range(7)])
    body = {"query": {"queue": {"$eq": queue["url"]}}}

    collected = []
    page = _search(api, body, page_size=3)
    assert page["pagination"]["total"] == 7 and page["pagination"]["total_pages"] == 3
    assert page["pagination"]["previous"] is None
    while True:
        collected += [r["url"] for r in page["results"]]
        next_url = page["pagination"]["next"]
        if not next_url:
            break
        assert "search_after=" in next_url
        response = api.post(next_url, json=body)  # the same body re-POSTed to the cursor URL
        assert response.status_code == 200, response.text
        page = response.json()
    assert collected == urls

    by_page = [
        r["url"] for n in (1, 2, 3) for r in _search(api, body, page_size=3, page=n, include_total="true")["results"]
    ]
    assert by_page == urls
    assert api.post("/annotations/search", json=body, params={"page_size": 3, "page": 4}).status_code == 404

    cursor = _search(api, body, page_size=3)["pagination"]["next"]
    stale = api.post(cursor, json={"query": {"status": {"$eq": "to_review"}}})
    assert stale.status_code == 400 and "search_after" in stale.json()
    garbage = api.post("/annotations/search", json=body, params={"search_after": "not-a-cursor"})
    assert garbage.status_code == 400
    big = _search(api, body, page_size=1000)
    assert len(big["results"]) == 7


def test_page_size_limits(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    legacy_upload(api, queue, [(f"p{i}.pdf", str(i).encode()) for i in range(510)])
    page = _search(api, {}, page_size=1000)
    assert len(page["results"]) == 500 and page["pagination"]["total_pages"] == 2
    with_content = _search(api, {}, page_size=1000, sideload="content", **{"content.schema_id": "document_id"})
    assert len(with_content["results"]) == 100 and len(with_content["content"]) == 100
    default = _search(api, {})
    assert len(default["results"]) == 20
