"""What a person typed into the search box, read as words and quoted phrases.

The text never reaches a search engine as typed: it is cut into words (letters and
digits only) and phrases here, and each engine builds its own query from those, so no
operator, bracket, quote or control character can change what the engine does.
"""

import re
import unicodedata
from dataclasses import dataclass

from forum.errors import InvalidInput

MAX_QUERY_LENGTH = 200
MAX_WORDS = 16
# Runs of letters and digits: what both engines' tokenizers keep as words.
_WORD = re.compile(r"[^\W_]+")
_CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})


@dataclass(frozen=True)
class SearchTerms:
    """Terms that must all match; each is one word, or the words of a phrase in order.

    A phrase is written in double quotes; a word typed with joining punctuation
    ("co-worker", "client's") is a phrase of its parts, as the engines index it.
    """

    terms: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_search_text(text: str) -> SearchTerms:
    """Words and phrases from the search box; too long a query is a 422 naming the limit.

    An unmatched quote is ignored (the words after it are searched as words), and text
    with no word in it gives no terms, so every input has an answer.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput({"q": f"must be at most {MAX_QUERY_LENGTH} characters"})
    text = unicodedata.normalize("NFKC", text).translate(_CURLY_QUOTES).lower()
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an opening quote that never closes
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    terms: list[tuple[str, ...]] = []
    for position, part in enumerate(parts):
        quoted = position % 2 == 1
        chunks = [part] if quoted else part.split()
        terms.extend(words for chunk in chunks if (words := tuple(_WORD.findall(chunk))))
    unique = tuple(dict.fromkeys(terms))
    if sum(len(term) for term in unique) > MAX_WORDS:
        raise InvalidInput({"q": f"has too many words: use at most {MAX_WORDS}"})
    return SearchTerms(unique)
