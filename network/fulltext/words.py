"""Swedish words into search tokens: one pure function of the text, used on both databases.

Why normalise in Python rather than in each database: SQLite's FTS5 and PostgreSQL's text search
stem, fold and split differently (PostgreSQL's ``swedish`` configuration keeps å/ä/ö, FTS5 has
no Swedish stemmer, prefix queries behave differently), so the same query gave different hits.
Here every word becomes tokens once, when an entry is written; both databases only look tokens
up (FTS5 ``unicode61`` and PostgreSQL's ``simple`` configuration over the same token columns), so
the hit set is the same by construction.

Per word:
- the *form*: casefolded, diacritics removed ("Lägesbilden" → "lagesbilden"), so "lagesbild"
  typed without ä finds it; the displayed text keeps the original;
- the *stem*: Snowball's Swedish stemmer (on the unfolded word, whose rules know å/ä/ö), plus
  the definite -et ending Snowball leaves ("våldet" → "våld"), then folded;
- its *parts* when it is a compound: see ``compound_parts``.

Compounds: a word is split when its stem ends with a known part (the compound's head, at least
4 letters, e.g. "rekrytering" in "nyrekrytering", "vandring" in "trygghetsvandringar"); what
comes before (the modifier, less a linking -s-) is split the same way or kept when at least
3 letters long. The known parts are a shipped list of common Swedish words of this domain
(``parts.py``), not the corpus' own vocabulary: that keeps an entry's tokens a function of its
own text alone, so an entry indexes the same whatever was written before it, on both backends.
Trigram indexes were the alternative; they match any substring ("ras" inside "organisation"),
roughly triple the index and cannot tell a real part from a coincidence, so ranking suffers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from network.fulltext.parts import COMPOUND_PARTS, STOP_WORDS

# Letters and digits only: the same split FTS5's unicode61 and PostgreSQL's parser make.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKEN = 60  # longer "words" (hashes, base64) are not language; PostgreSQL drops > 2047
MIN_HEAD, MIN_MODIFIER = 4, 3
SHORT_HEAD = 7  # a head shorter than this needs a modifier of 3 letters ("bi-drog" is no compound)
VOWELS = "aeiouyåäö"
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Casefold and remove diacritics: "Lägesbild" → "lagesbild", "Örebro" → "orebro"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_word(word: str) -> str:
    """Snowball's Swedish stem, plus the definite -et ending it leaves ("våldet" → "våld")."""
    word = word.lower()
    stem = _stemmer().stemWord(word)
    if stem.endswith("et") and len(stem) >= 5 and stem[-3] not in VOWELS:
        stem = stem[:-2]
        # Neuters that drop their -e-: "klottret" → "klottr" → "klott", as "klotter" stems.
        if word.endswith("ret") and len(stem) >= 5 and stem[-2] not in VOWELS:
            stem = stem[:-1]
    return stem


@lru_cache(maxsize=200_000)
def stem_token(word: str) -> str:
    return fold(normalise_word(word))


@lru_cache(maxsize=1)
def known_parts() -> frozenset[str]:
    return frozenset(stem_token(w) for w in COMPOUND_PARTS)


@lru_cache(maxsize=200_000)
def compound_parts(stem: str) -> tuple[str, ...]:
    """The known parts of a (stemmed, folded) compound, head first; () if it is not one."""
    known = known_parts()
    for start in range(2, len(stem) - MIN_HEAD + 1):  # longest head first
        head = stem[start:]
        if head in known and (start >= MIN_MODIFIER or len(head) >= SHORT_HEAD):
            return (head, *_modifier_parts(stem[:start], known))
    return ()


def _modifier_parts(modifier: str, known: frozenset[str]) -> tuple[str, ...]:
    candidates = [modifier]
    if modifier.endswith("s") and len(modifier) > MIN_MODIFIER:
        candidates.append(modifier[:-1])  # the linking -s- of "trygghet-s-vandring"
    for candidate in candidates:
        if candidate in known:
            return (candidate,)
    for candidate in candidates:
        inner = compound_parts(candidate)
        if inner:
            return inner
    tail = candidates[-1]
    return (tail,) if len(tail) >= MIN_MODIFIER else ()


def words_of(text: str) -> list[str]:
    """The words of a text, in order, as written (letters and digits)."""
    return [w for w in WORD.findall(text or "") if len(w) <= MAX_TOKEN]


def is_stop_word(word: str) -> bool:
    return fold(word) in STOP_WORDS


@dataclass
class EntryTokens:
    """What one entry stores for matching: space-separated tokens per column."""

    title: str
    body: str
    parts: str
    vocabulary: dict[str, str] = field(default_factory=dict)  # folded form → display form


def _word_tokens(words: list[str], parts: dict[str, None], vocabulary: dict[str, str]) -> str:
    out = []
    for word in words:
        form = fold(word)
        if form in STOP_WORDS:
            continue
        stem = stem_token(word)
        out.append(form)
        if stem != form:
            out.append(stem)
        for part in compound_parts(stem):
            parts[part] = None
        if len(form) >= 3 and not form.isdigit():
            vocabulary.setdefault(form, word.lower())
    return " ".join(out)


def entry_tokens(title: str, body: str) -> EntryTokens:
    parts: dict[str, None] = {}
    vocabulary: dict[str, str] = {}
    title_tokens = _word_tokens(words_of(title), parts, vocabulary)
    body_tokens = _word_tokens(words_of(body), parts, vocabulary)
    return EntryTokens(title_tokens, body_tokens, " ".join(parts), vocabulary)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: what it matches (its form and stem, or typo neighbours)."""

    text: str
    form: str
    stem: str

    @property
    def tokens(self) -> tuple[str, ...]:
        return (self.form,) if self.stem == self.form else (self.form, self.stem)


def query_word(word: str) -> QueryWord:
    return QueryWord(word, fold(word), stem_token(word))


def edits1(form: str) -> set[str]:
    """Every folded word one deletion, substitution, insertion or transposition away."""
    splits = [(form[:i], form[i:]) for i in range(len(form) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {form}
