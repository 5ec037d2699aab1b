"""Generated post text: words drawn with a long-tailed frequency, as in real writing.

Search cost depends on how many posts hold a word, so the words follow a Zipf law over a
vocabulary of the community's own words and a long tail of made-up rarer ones: a few words
are in a large share of all posts, most are in few. The text holds no digits, addresses or
handles, so the forum's confidentiality check and mentions never act on it.

Markdown is rendered once per paragraph and bodies are made of whole paragraphs: the HTML
of a body is the HTML of its paragraphs put together, which is exactly what rendering the
whole body gives (``seed`` checks that on a sample before it writes anything).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, pairwise


def _listed(words: str) -> list[str]:
    return words.split()


COMMUNITY_WORDS = _listed("""
client clients session sessions boundary boundaries ethics ethical practice therapist therapists massage
bodywork table drape draping consent touch pressure treatment relationship relationships friendship
dual role roles trust professional professionals license licensing board law scope referral refer
confidential confidentiality privacy record records notes intake history injury pain tension muscle
muscles shoulder back neck hip hips posture appointment appointments cancel cancellation fee fees
billing barter trade trading gift gifts tip tips discount family friend friends partner colleague
colleagues supervisor mentor peer peers studio clinic spa room music oil lotion linen linens hygiene
safety safe unsafe stop stopping pause ask asked asking answer answers question questions feel felt
feeling comfortable uncomfortable honest honesty respect respectful power differential transference
countertransference attraction flirt flirting dating social media message messages text email phone
call schedule rebook rebooking policy policies written verbal agreement agreements care caring careful
kind kindly clear clearly calm calmly gently firmly explain explained listen listened learn learned
teach taught course courses class workshop continuing education training school student students year
years week weeks month months morning evening day days time minute minutes hour hours home office
house mobile travel community forum thread advice experience experiences story stories case cases
situation situations choice choices decision decisions mistake mistakes lesson lessons guideline
guidelines code standard standards duty obligation risk risks harm harmful help helpful support
""")

FUNCTION_WORDS = _listed("""
the a an and or but if when then so because that this these those it its they them their we our you
your i my me he she his her of to in on at for with about from by as into over after before during
without between through is was were be been being have has had do did does not no yes can could
would should might must will just also still very more most some any all each every other same
""")

SYLLABLES = _listed("ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no")

TITLE_SHAPES = (
    "How do you handle {a} with {b}?",
    "{A} and {b}: where is the line?",
    "Is it ever right to {verb} a {a}?",
    "Advice on {a} after a {b}",
    "When a {a} asks about {b}",
    "{A}, {b} and the ethics of {c}",
    "What would you do about {a}?",
    "Our {a} policy and {b}",
)
TITLE_VERBS = ("refer", "rebook", "cancel", "teach", "trade with", "stop", "pause", "ask")


def made_up_words(rng: random.Random, count: int) -> list[str]:
    """Rare words that are still words to a stemmer: two to four syllables."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass(frozen=True)
class Paragraph:
    markdown: str
    html: str


class TextMaker:
    """Titles, paragraphs and bodies, reproducible from one seed.

    ``render`` is the forum's own Markdown renderer; it is called once per paragraph. Without
    it the text is Markdown only (for posts sent to the forum, which renders them itself).
    """

    def __init__(
        self, rng: random.Random, render: Callable[[str], str] | None = None, *, paragraphs: int, rare_words: int
    ) -> None:
        self.rng = rng
        self.content_words = COMMUNITY_WORDS + made_up_words(rng, rare_words)
        # Zipf: the n-th word is used in proportion to 1/n; the community's words come first.
        self._content_weights = list(accumulate(1 / rank for rank in range(1, len(self.content_words) + 1)))
        self.paragraphs = [self._paragraph(render) for _ in range(paragraphs)]

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.content_words, cum_weights=self._content_weights, k=count)

    def _sentence(self) -> str:
        content = self.words(self.rng.randint(4, 10))
        glue = self.rng.choices(FUNCTION_WORDS, k=len(content))
        mixed = [word for pair in zip(content, glue, strict=True) for word in pair]
        sentence = " ".join(mixed[: self.rng.randint(6, len(mixed))])
        return sentence[0].upper() + sentence[1:] + self.rng.choice(".?.!.")

    def _paragraph(self, render: Callable[[str], str] | None) -> Paragraph:
        shape = self.rng.random()
        if shape < 0.08:  # a short list, led by a sentence: two lists in a row would render as one
            items = "\n".join(f"- {self._sentence()}" for _ in range(self.rng.randint(2, 4)))
            markdown = f"{self._sentence()}\n\n{items}"
        else:
            sentences = [self._sentence() for _ in range(self.rng.randint(2, 5))]
            if shape < 0.2:  # some emphasis
                word = self.rng.choice(self.content_words[:60])
                sentences[0] = f"**{word.capitalize()}**: {sentences[0]}"
            markdown = " ".join(sentences)
        return Paragraph(markdown, render(markdown) if render else "")

    def body(self, most_paragraphs: int = 4) -> tuple[str, str]:
        """A post of one to ``most_paragraphs`` paragraphs: its Markdown and its HTML."""
        chosen = self.rng.choices(self.paragraphs, k=self.rng.randint(1, most_paragraphs))
        return "\n\n".join(p.markdown for p in chosen), "".join(p.html for p in chosen)

    def title(self) -> str:
        a, b, c = self.words(3)
        shape = self.rng.choice(TITLE_SHAPES)
        return shape.format(a=a, b=b, c=c, A=a.capitalize(), verb=self.rng.choice(TITLE_VERBS))[:150]

    def search_queries(self) -> list[str]:
        """Queries from very common to rare, one and two words, and a phrase taken from a post."""
        words = self.content_words
        return [
            words[0],
            words[3],
            words[40],
            words[150],
            words[len(words) // 2],
            f"{words[1]} {words[25]}",
            f"{words[8]} {words[200]}",
            f'"{self._phrase()}"',
        ]

    def _phrase(self) -> str:
        """Two words that follow each other in some paragraph."""
        tokens = self.rng.choice(self.paragraphs).markdown.split()
        pairs = [(a, b) for a, b in pairwise(tokens) if a.isalpha() and b.isalpha()]
        return " ".join(self.rng.choice(pairs)) if pairs else self.content_words[0]


def spread(rng: random.Random, count: int, alpha: float = 1.5) -> list[float]:
    """Cumulative weights with a Pareto tail: most threads get a few comments, a few get very many."""
    return list(accumulate(rng.paretovariate(alpha) for _ in range(count)))
