"""The guideline pages: public, in order, with a table of contents, stable anchors and few queries."""

import re

import pytest
from sqlmodel import select

from forum.guidelines.models import GuidelineDocument, GuidelineSection
from forum.kit.time import utcnow
from tests.guidelines.test_official_text import ANCHORS, APOSTROPHE

PAGE = "/guidelines/stop-session"


def _section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', page)


def _toc_links(page: str) -> list[str]:
    toc = page[page.index('class="guideline-toc"') : page.index("</nav>", page.index('class="guideline-toc"'))]
    return re.findall(r'href="#([^"]+)"', toc)


@pytest.mark.parametrize("role", [None, "member", "moderator", "admin"])
def test_guideline_page_is_public_and_shows_every_section_in_order(client, factory, role) -> None:
    if role:
        factory.login(client, factory.member(role=role))
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.text
    assert _section_ids(page) == ANCHORS
    assert _toc_links(page) == ANCHORS
    for anchor in ANCHORS:
        assert f'<h2 id="{anchor}-heading"' in page
    assert "Official guideline" in page
    assert "Last updated" in page
    assert page.index("When a Massage Client Wants to Stop") < page.index('<section id="stop-any-reason"')
    assert (
        page.index('<section id="illicit-request"')
        < page.index("Client Appointment Modifications</h2>")
        < page.index('<section id="appointment-changes"')
    )


def test_toc_shows_the_editorial_headings(client) -> None:
    page = client.get(PAGE).text
    assert '<a href="#illness">When the client becomes ill</a>' in page
    assert f'<a href="#asking-why">Asking why, and the client{APOSTROPHE}s right to keep the reason private</a>' in page


@pytest.mark.parametrize("role", [None, "member", "moderator"])
def test_only_admins_see_edit_links(client, factory, role) -> None:
    if role:
        factory.login(client, factory.member(role=role))
    assert "/sections/illness/edit" not in client.get(PAGE).text


def test_admin_sees_an_edit_and_history_link_for_each_section(client, factory) -> None:
    factory.login(client, factory.member(role="admin"))
    page = client.get(PAGE).text
    for anchor in ANCHORS:
        assert f'href="/guidelines/stop-session/sections/{anchor}/edit"' in page
        assert f'href="/guidelines/stop-session/sections/{anchor}/history"' in page


def test_index_lists_the_guideline_documents(client) -> None:
    response = client.get("/guidelines")
    assert response.status_code == 200
    assert 'href="/guidelines/stop-session"' in response.text
    assert "Professional and Ethical Duties" in response.text
    assert 'href="/guidelines/stop-session#illness"' in response.text


def test_index_lists_a_document_added_as_data(client, database) -> None:
    with database.session(write=True) as session:
        session.add(GuidelineDocument(slug="draping", title="Draping and Client Modesty"))
    page = client.get("/guidelines").text
    assert 'href="/guidelines/draping"' in page
    assert client.get("/guidelines/draping").status_code == 200


@pytest.mark.parametrize("path", ["/", "/login", "/guidelines", PAGE])
def test_every_page_links_to_the_guidelines_in_the_site_navigation(client, path) -> None:
    header = client.get(path).text.split("</header>")[0]
    assert '<a href="/guidelines"' in header


@pytest.mark.parametrize("role", [None, "member"])
@pytest.mark.parametrize("path", ["/guidelines/no-such-guideline", "/guidelines/STOP-SESSION"])
def test_unknown_guideline_is_not_found(client, factory, path, role) -> None:
    if role:
        factory.login(client, factory.member(role=role))
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text


def test_page_reads_on_a_phone_and_prints(client) -> None:
    page = client.get(PAGE).text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    css = client.get("/static/forum.css").text
    guideline_css = css[css.index("=== Guidelines") :]
    assert "@media print" in guideline_css
    print_rules = guideline_css[guideline_css.index("@media print") :]
    for hidden in (".site-header", ".site-footer", "form", ".guideline-actions"):
        assert hidden in print_rules.split("display: none")[0]


# --- queries -------------------------------------------------------------------------


def _queries_for(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def _add_long_document(database, sections: int) -> None:
    now = utcnow()
    with database.session(write=True) as session:
        document = GuidelineDocument(slug="long-guideline", title="A long guideline", created_at=now, updated_at=now)
        session.add(document)
        session.flush()
        for position in range(1, sections + 1):
            session.add(
                GuidelineSection(
                    document_id=document.id,
                    anchor=f"part-{position}",
                    position=position,
                    part_heading="A part" if position % 5 == 1 else None,
                    heading=f"Section {position}",
                    body=f"Text {position}.",
                    body_html=f"<p>Text {position}.</p>",
                )
            )


@pytest.mark.parametrize("role", [None, "admin"], ids=["visitor", "admin"])
def test_guideline_pages_run_a_fixed_number_of_queries(client, factory, database, count_queries, role) -> None:
    if role:
        factory.login(client, factory.member(role=role))
    seven = _queries_for(client, count_queries, PAGE)
    index_with_one = _queries_for(client, count_queries, "/guidelines")
    _add_long_document(database, sections=30)
    assert _queries_for(client, count_queries, "/guidelines/long-guideline") == seven
    assert _queries_for(client, count_queries, "/guidelines") == index_with_one
    if role is None:
        assert seven == 1


def test_api_runs_a_fixed_number_of_queries(client, database, count_queries) -> None:
    listing = _queries_for(client, count_queries, "/api/v1/guidelines")
    document = _queries_for(client, count_queries, "/api/v1/guidelines/stop-session")
    _add_long_document(database, sections=30)
    assert _queries_for(client, count_queries, "/api/v1/guidelines") == listing == 1
    assert _queries_for(client, count_queries, "/api/v1/guidelines/long-guideline") == document == 1


def test_loaded_sections_have_stable_short_anchors(database) -> None:
    with database.session() as session:
        anchors = session.exec(select(GuidelineSection.anchor).order_by(GuidelineSection.position)).all()
    assert list(anchors) == ANCHORS
