"""Full-text search through the API and the page, on SQLite FTS5 and PostgreSQL alike.

What this file proves:

* words are stemmed ("trading" finds "trade" and "traded"), all words must match, and a
  quoted phrase needs its words together and in order;
* ``tag`` (every topic given) and ``author`` narrow the results;
* on a small fixed corpus a title hit outranks a passing mention, and ``sort=newest``
  orders by date;
* following the cursors walks every result exactly once, in the same order as one big page;
* the index follows every write: an edit (old word gone, new word found), a delete, and a
  moderator's hide and restore;
* snippets are escaped HTML with the matches in ``<mark>``, in the API and on the page;
* the page has an accessible search form, results, an empty state, the "Newest first"
  toggle and a pager, and the header links to it;
* a search runs a fixed number of SQL queries however many results it shows.
"""

import re

import pytest
from fastapi.testclient import TestClient

from forum.search import postgres_fts, sqlite_fts
from tests.factories import Factory
from tests.search.helpers import SEARCH, every_hit, hits, moderate, search_json

# A long post that mentions a word once, among many others.
FILLER = (
    "Most of this post is about scheduling, intake forms, draping, pressure, hydration, aftercare "
    "advice, rebooking, the weather, parking and how the room is kept warm between sessions. "
)


def passing_mention(word: str) -> str:
    return f"{FILLER * 3}Someone once asked me about {word}. {FILLER * 3}"


# --- matching -----------------------------------------------------------------------------


def test_stemming_finds_other_forms_of_a_word(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    thread = factory.thread(author, title="Swapping sessions with a colleague", body="Can I trade a massage?")
    comment = factory.comment(author, thread, body="I traded once and regretted it.")
    factory.thread(author, title="Draping questions", body="Nothing about swaps here.")

    for query in ("trading", "trades", "TRADE"):
        found = hits(client, factory.headers(author), q=query)
        assert set(found) == {("thread", thread.id), ("comment", comment.id)}, query


def test_every_word_must_match_and_a_phrase_needs_its_words_together(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    together = factory.thread(author, title="About a client gift", body="The client gift was a scarf.")
    apart = factory.thread(author, title="Thank-you notes", body="A gift card came from a former client.")
    headers = factory.headers(author)

    assert set(hits(client, headers, q="client gift")) == {("thread", together.id), ("thread", apart.id)}
    assert hits(client, headers, q='"client gift"') == [("thread", together.id)]
    assert hits(client, headers, q='"gift client"') == []
    assert hits(client, headers, q="client gift zeppelin") == []


def test_a_hyphenated_or_curly_quoted_query_reads_as_a_phrase(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    hyphenated = factory.thread(author, title="A co-worker asked me", body="Should I see a co-worker as a client?")
    factory.thread(author, title="Working with a partner", body="My partner and I co-own the clinic; a worker left.")
    headers = factory.headers(author)

    assert hits(client, headers, q="co-worker") == [("thread", hyphenated.id)]
    assert hits(client, headers, q="\u201cco worker\u201d") == [("thread", hyphenated.id)]


def test_tag_filter_keeps_posts_whose_thread_has_every_topic(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    one = factory.thread(author, title="Boundaries with regulars", body="Regulars and boundaries.")
    both = factory.thread(
        author, title="Regulars who overshare", body="Regulars and secrets.", tags=("boundaries", "confidentiality")
    )
    comment = factory.comment(author, both, body="Regulars test this often.")

    assert set(hits(client, factory.headers(author), q="regulars", tag="boundaries")) == {
        ("thread", one.id),
        ("thread", both.id),
        ("comment", comment.id),
    }
    assert set(hits(client, factory.headers(author), q="regulars", tag=["boundaries", "confidentiality"])) == {
        ("thread", both.id),
        ("comment", comment.id),
    }
    assert hits(client, factory.headers(author), q="regulars", tag="trading-services") == []
    unknown = client.get(SEARCH, params={"q": "regulars", "tag": "no-such-topic"})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "There is no such topic."


def test_author_filter_keeps_that_members_threads_and_comments(client: TestClient, factory: Factory) -> None:
    ana, ben = factory.member(), factory.member()
    ana_thread = factory.thread(ana, title="Cancellation fees", body="My cancellation policy.", audience="public")
    ben_thread = factory.thread(ben, title="Cancellation etiquette", body="Cancellation again.", audience="public")
    ana_comment = factory.comment(ana, ben_thread, body="My cancellation fee is half.")
    factory.comment(ben, ana_thread, body="Cancellation fees scare clients.")

    found = hits(client, q="cancellation", author=ana.id)
    assert set(found) == {("thread", ana_thread.id), ("comment", ana_comment.id)}
    assert hits(client, q="cancellation", author=ana.id + ben.id + 1000) == []


# --- ranking and sorting ----------------------------------------------------------------------


def test_a_title_hit_outranks_passing_mentions(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    for number in range(8):  # other threads, so the word is rare among threads
        factory.thread(author, title=f"Intake form question {number}", body=FILLER)
    mention = factory.thread(author, title="A long week", body=passing_mention("bartering"))
    titled = factory.thread(author, title="Bartering massage for plumbing", body="Is bartering ever fine?")
    comment = factory.comment(author, mention, body=passing_mention("barter"))

    found = hits(client, factory.headers(author), q="barter")

    assert found[0] == ("thread", titled.id)
    assert set(found[1:]) == {("thread", mention.id), ("comment", comment.id)}


def test_newest_first_orders_threads_and_comments_by_date(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    first = factory.thread(author, title="Referral fees", body="Are referral fees kickbacks?")
    second = factory.comment(author, first, body="Referral fees are common.")
    third = factory.thread(author, title="Referral networks", body="Building a referral network.")
    fourth = factory.comment(author, third, body="Referral partners should share values.")
    headers = factory.headers(author)

    assert hits(client, headers, q="referral", sort="newest") == [
        ("comment", fourth.id),
        ("thread", third.id),
        ("comment", second.id),
        ("thread", first.id),
    ]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_following_the_cursor_walks_every_result_once_in_order(client: TestClient, factory: Factory, sort: str) -> None:
    author = factory.member()
    threads = [factory.thread(author, title=f"Gratuity question {n}", body="gratuity " * (n % 3 + 1)) for n in range(7)]
    for thread in threads[:3]:  # equal texts rank equally: the cursor must still split them right
        factory.comment(author, thread, body="A gratuity is a gift.")
        factory.comment(author, thread, body="A gratuity is a gift.")
    headers = factory.headers(author)
    everything = hits(client, headers, q="gratuity", sort=sort, limit=100)

    walked = every_hit(client, headers, q="gratuity", sort=sort, limit=3)

    assert len(everything) == 13
    assert walked == everything


def test_a_cursor_from_another_sort_or_made_up_is_refused(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    for number in range(3):
        factory.thread(author, title=f"Tipping culture {number}", body="Tipping", audience="public")
    cursor = search_json(client, q="tipping", limit=1)["next_cursor"]

    assert client.get(SEARCH, params={"q": "tipping", "cursor": cursor, "sort": "newest"}).status_code == 400
    assert client.get(SEARCH, params={"q": "tipping", "cursor": "not-a-cursor"}).status_code == 400
    assert client.get(SEARCH, params={"q": "tipping", "cursor": cursor, "limit": 5}).status_code == 200


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_word_in_very_many_posts_is_searched_in_its_newest_matches(
    client: TestClient, factory: Factory, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Each match costs a little, so each kind is searched in its newest ``MATCH_WINDOW`` matches, in either order."""
    for engine in (sqlite_fts, postgres_fts):
        monkeypatch.setattr(engine, "MATCH_WINDOW", 3)
    author = factory.member()
    threads = [factory.thread(author, title=f"Stretch {n}", body="Stretching.", audience="public") for n in range(5)]
    comments = [factory.comment(author, threads[0], body=f"Stretch number {n}.") for n in range(4)]

    found = every_hit(client, q="stretch", sort=sort, limit=2)

    assert sorted(found) == sorted(
        [("thread", t.id) for t in threads[-3:]] + [("comment", c.id) for c in comments[-3:]]
    )


# --- the index follows every write -----------------------------------------------------------


def test_an_edit_replaces_the_words_found(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    headers = factory.headers(author)
    thread = factory.thread(author, title="Aromatherapy oils", body="Which lavender blend?")
    comment = factory.comment(author, thread, body="Peppermint works for me.")

    edited = client.patch(
        f"/api/v1/threads/{thread.id}", json={"title": "Unscented lotions", "body": "Which jojoba?"}, headers=headers
    )
    assert edited.status_code == 200
    assert client.patch(f"/api/v1/comments/{comment.id}", json={"body": "Eucalyptus"}, headers=headers).is_success

    for old in ("aromatherapy", "lavender", "peppermint"):
        assert hits(client, headers, q=old) == [], old
    assert hits(client, headers, q="unscented") == [("thread", thread.id)]
    assert hits(client, headers, q="jojoba") == [("thread", thread.id)]
    assert hits(client, headers, q="eucalyptus") == [("comment", comment.id)]


def test_deleted_posts_are_no_longer_found(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    headers = factory.headers(author)
    thread = factory.thread(author, title="Hot stone safety", body="Stones too hot.")
    kept = factory.thread(author, title="Cold stone therapy", body="Stones in the fridge.")
    comment = factory.comment(author, kept, body="My stones crack.")

    assert client.delete(f"/api/v1/threads/{thread.id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/comments/{comment.id}", headers=headers).status_code == 204

    assert hits(client, headers, q="stones") == [("thread", kept.id)]


def test_hidden_posts_leave_the_results_and_come_back_when_restored(client: TestClient, factory: Factory) -> None:
    author, member, moderator = factory.member(), factory.member(), factory.member(role="moderator")
    thread = factory.thread(author, title="Cupping marks", body="Cupping marks on a client.", audience="public")
    comment = factory.comment(author, thread, body="Cupping needs consent.")
    staff, reader = factory.headers(moderator), factory.headers(member)
    everything = {("thread", thread.id), ("comment", comment.id)}

    moderate(client, staff, "comments", comment.id, "hide")
    assert set(hits(client, reader, q="cupping")) == {("thread", thread.id)}
    moderate(client, staff, "threads", thread.id, "hide")
    assert hits(client, reader, q="cupping") == []
    assert hits(client, q="cupping") == []
    assert set(hits(client, factory.headers(author), q="cupping")) == everything
    assert set(hits(client, staff, q="cupping")) == everything

    moderate(client, staff, "threads", thread.id, "restore")
    moderate(client, staff, "comments", comment.id, "restore")
    assert set(hits(client, reader, q="cupping")) == everything
    assert set(hits(client, q="cupping")) == everything


# --- what the API returns -----------------------------------------------------------------------


def test_results_carry_their_thread_title_author_date_and_a_marked_snippet(
    client: TestClient, factory: Factory
) -> None:
    author = factory.member(display_name="Ines Ortega")
    thread = factory.thread(author, title="Scope of practice", body="Is stretching in scope?", audience="public")
    comment = factory.comment(
        author, thread, body="<script>alert('x')</script> Stretching & <b>assisted</b> work is fine."
    )

    items = search_json(client, q="stretching", sort="newest")["items"]

    assert [item["type"] for item in items] == ["comment", "thread"]
    found_comment, found_thread = items
    assert found_comment["thread_id"] == thread.id
    assert found_comment["comment_id"] == comment.id
    assert found_comment["title"] == "Scope of practice"
    assert found_comment["author"] == {"id": author.id, "display_name": "Ines Ortega"}
    assert found_comment["created_at"].startswith(str(comment.created_at.year))
    assert "<mark>Stretching</mark>" in found_comment["snippet"]
    assert "<script" not in found_comment["snippet"] and "<b>" not in found_comment["snippet"]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in found_comment["snippet"]
    assert re.sub(r"</?mark>", "", found_comment["snippet"]).count("<") == 0
    assert found_thread["comment_id"] is None
    assert found_thread["snippet"] == "Is <mark>stretching</mark> in scope?"


def test_a_query_with_no_words_finds_nothing(client: TestClient, factory: Factory) -> None:
    factory.thread(factory.member(), title="Punctuation only", body="!!! ??? ...", audience="public")
    for query in ("", "   ", "!!!", '""', "???"):
        assert search_json(client, q=query) == {"items": [], "next_cursor": None}, query


def test_an_over_long_query_is_refused_with_the_limit(client: TestClient) -> None:
    too_long = client.get(SEARCH, params={"q": "a" * 201})
    too_many = client.get(SEARCH, params={"q": " ".join(f"word{n}" for n in range(17))})

    assert too_long.status_code == too_many.status_code == 422
    assert too_long.json()["detail"] == "Please correct: q must be at most 200 characters."
    assert too_many.json()["detail"] == "Please correct: q has too many words: use at most 16."
    assert client.get(SEARCH, params={"q": "a" * 200}).status_code == 200


# --- the page -------------------------------------------------------------------------------------


def test_the_page_shows_an_accessible_form_results_and_the_newest_toggle(client: TestClient, factory: Factory) -> None:
    author = factory.member(display_name="Priya Lowe")
    thread = factory.thread(author, title="Draping and consent", body="Draping rules differ.", audience="public")
    comment = factory.comment(author, thread, body="Good draping <em>protects</em> everyone.")

    page = client.get("/search", params={"q": "draping"})

    assert page.status_code == 200
    html = page.text
    assert '<form class="search-form" role="search"' in html
    assert '<label for="q">' in html and 'id="q" name="q" type="search" value="draping"' in html
    assert f'<a href="/threads/{thread.id}">Draping and consent</a>' in html
    assert f'<a href="/comments/{comment.id}">Comment in “Draping and consent”</a>' in html
    assert "Good <mark>draping</mark> &lt;em&gt;protects&lt;/em&gt; everyone." in html
    assert f'<a href="/members/{author.id}">Priya Lowe</a>' in html
    assert "<time datetime=" in html
    assert 'href="/search?q=draping&amp;sort=newest">Newest first</a>' in html
    newest = client.get("/search", params={"q": "draping", "sort": "newest"}).text
    assert newest.index(f"/comments/{comment.id}") < newest.index(f'"/threads/{thread.id}"')
    assert 'aria-current="true">Newest first</a>' in newest


def test_the_page_says_when_nothing_matches_and_invites_visitors_to_log_in(client: TestClient) -> None:
    page = client.get("/search", params={"q": "xylophone"})
    assert page.status_code == 200
    assert "Nothing matches every word." in page.text
    assert "Members-only discussions are not searched until you" in page.text


def test_the_page_pager_leads_to_the_next_results(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    threads = [
        factory.thread(author, title=f"Reflexology claim {n}", body="Reflexology", audience="public") for n in range(21)
    ]

    first = client.get("/search", params={"q": "reflexology", "sort": "newest"}).text
    next_link = re.search(r'<a rel="next" href="([^"]+)">More results</a>', first)
    assert next_link
    second = client.get(next_link.group(1).replace("&amp;", "&")).text

    assert f'"/threads/{threads[-1].id}"' in first and f'"/threads/{threads[0].id}"' not in first
    assert f'"/threads/{threads[0].id}"' in second and f'"/threads/{threads[-1].id}"' not in second
    assert 'rel="next"' not in second


def test_the_page_shows_an_over_long_query_again_with_its_message(client: TestClient) -> None:
    page = client.get("/search", params={"q": "b" * 300})
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text
    assert '<p class="error" id="q-error">Your search must be at most 200 characters.</p>' in page.text


def test_every_page_has_the_search_box_in_its_header(client: TestClient) -> None:
    html = client.get("/").text
    assert '<form class="header-search" role="search" aria-label="Site search" method="get" action="/search">' in html
    assert '<label for="site-search" class="visually-hidden">Search the forum</label>' in html


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/search", SEARCH])
def test_a_search_runs_a_fixed_number_of_queries(client, factory, count_queries, path) -> None:
    author = factory.member()
    factory.login(client, author)
    headers = factory.headers(author) if path == SEARCH else {}
    factory.thread(author, title="Hydrotherapy basics", body="Hydrotherapy", comments=0)
    params = {"q": "hydrotherapy", "tag": "boundaries", "author": author.id}

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(path, params=params, headers=headers).status_code == 200
        return counter.count

    few = queries()
    for number in range(12):
        thread = factory.thread(factory.member(), title=f"Hydrotherapy {number}", body="Hydrotherapy")
        factory.comment(author, thread, body="Hydrotherapy helps.")
    assert queries() == few
