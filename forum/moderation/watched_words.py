"""The admins' watched-words list: words and phrases a moderator should see whenever they are posted."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from forum.errors import Conflict
from forum.moderation.models import WatchedWord
from forum.moderation.schemas import WatchedWordCreate
from forum.permissions import Viewer, can_appoint_moderators, can_moderate, require, require_visible


def list_words(session: Session, *, viewer: Viewer) -> list[WatchedWord]:
    """Moderators may read the list; only admins change it."""
    require(can_moderate(viewer), viewer)
    return list(session.exec(select(WatchedWord).order_by(col(WatchedWord.phrase))))


def add_word(session: Session, *, viewer: Viewer, data: WatchedWordCreate) -> WatchedWord:
    require(can_appoint_moderators(viewer), viewer, "Only admins change the watched words.")
    word = WatchedWord(phrase=data.phrase.strip().lower(), mode=data.mode, added_by_id=viewer.id)
    try:
        with session.begin_nested():
            session.add(word)
            session.flush()
    except IntegrityError:
        raise Conflict("That word or phrase is already on the list.") from None
    return word


def remove_word(session: Session, *, viewer: Viewer, word_id: int) -> None:
    """A list entry is settings, not content: taking it off the list deletes it."""
    require(can_appoint_moderators(viewer), viewer, "Only admins change the watched words.")
    require_visible(session.get(WatchedWord, word_id) is not None)
    session.execute(delete(WatchedWord).where(col(WatchedWord.id) == word_id))
