"""The guidelines API: public, read-only, in the documented shapes."""

from datetime import datetime

from tests.guidelines.test_official_text import ANCHORS, TITLE


def test_list_gives_each_document_with_its_section_anchors(client) -> None:
    response = client.get("/api/v1/guidelines")
    assert response.status_code == 200
    [document] = response.json()
    assert set(document) == {"slug", "title", "updated_at", "sections"}
    assert (document["slug"], document["title"]) == ("stop-session", TITLE)
    assert [s["anchor"] for s in document["sections"]] == ANCHORS
    assert set(document["sections"][0]) == {"anchor", "heading"}
    assert datetime.fromisoformat(document["updated_at"]).tzinfo is not None


def test_document_gives_every_section_with_its_html(client, factory) -> None:
    response = client.get("/api/v1/guidelines/stop-session", headers=factory.headers(factory.member()))
    assert response.status_code == 200
    document = response.json()
    assert set(document) == {"slug", "title", "updated_at", "sections"}
    assert document["slug"] == "stop-session"
    assert document["title"] == TITLE
    sections = document["sections"]
    assert [s["anchor"] for s in sections] == ANCHORS
    assert all(set(s) == {"anchor", "heading", "part_heading", "body_html"} for s in sections)
    illness = sections[ANCHORS.index("illness")]
    assert illness["heading"] == "When the client becomes ill"
    assert illness["part_heading"] is None
    assert illness["body_html"].startswith("<p>If the client wants to stop because they have become ill")
    assert sections[0]["part_heading"] == "When a Massage Client Wants to Stop"
    assert (
        "<ul>\n<li>calling for unplanned transportation from their office</li>"
        in (sections[ANCHORS.index("emergency")]["body_html"])
    )


def test_unknown_document_is_a_json_404(client) -> None:
    response = client.get("/api/v1/guidelines/no-such-guideline")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_overlong_slug_is_refused(client) -> None:
    assert client.get("/api/v1/guidelines/" + "a" * 81).status_code == 422


def test_openapi_documents_the_guideline_shapes(client) -> None:
    spec = client.get("/openapi.json").json()
    listing = spec["paths"]["/api/v1/guidelines"]["get"]
    single = spec["paths"]["/api/v1/guidelines/{slug}"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].endswith(
        "/GuidelineSummary"
    )
    assert single["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/GuidelinePublic")
    assert "404" in single["responses"]
    schemas = spec["components"]["schemas"]
    assert set(schemas["GuidelinePublic"]["properties"]) == {"slug", "title", "updated_at", "sections"}
    assert {"anchor", "heading", "body_html"} <= set(schemas["GuidelineSectionPublic"]["properties"])
    assert not any(path.startswith("/guidelines") for path in spec["paths"])
