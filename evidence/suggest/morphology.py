# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Ukrainian and Russian morphology for ``evidence suggest``, and which language a text is.

Word lists cannot follow Ukrainian and Russian inflection far: «Національній поліції»,
«Офісі Генерального прокурора», «сотні», «четверых» are each one form of many. This
module asks pymorphy3 and its OpenCorpora (Russian) and VESUM (Ukrainian) dictionaries,
which ship as PyPI packages (``pymorphy3-dicts-ru``, ``pymorphy3-dicts-uk``) and need no
download at run time (decision 0605). The analysers are loaded on first use, once per
process, and every word's analysis is cached.

What the rules ask of it:

- :func:`is_name_word`: whether a capitalised word can be part of a person's name, so
  that «Запорізькій» (an adjective in the dative) or «Офісі» (a noun in the locative) is
  never taken for a speaker's name;
- :func:`nominative`: an institution's name in the nominative ("Національній поліції" ->
  "Національна поліція", "Офисе Генерального прокурора" -> "Офис Генерального
  прокурора"): the head and its adjectives are put in the nominative, the genitive
  complement after them is left as written;
- :func:`singular_of`: whether «сотні», «сотни», «десятка» can be a singular form (so
  that "більше сотні" is "more than one hundred", never "hundreds");
- :func:`text_language`: English, Ukrainian, Russian, or another language, from the
  letters and the commonest function words of the text.

Example:
    >>> nominative("Національній поліції")
    'Національна поліція'
    >>> text_language("Унаслідок атаки загинули троє людей, повідомили в поліції.")
    'uk'
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final

__all__ = [
    "READ_LANGUAGES",
    "is_name_word",
    "language_name",
    "language_of_word",
    "nominative",
    "singular_of",
    "text_language",
]

_UK_ONLY: Final = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY: Final = re.compile(r"[ыэъёЫЭЪЁ]")
_CYRILLIC: Final = re.compile(r"[а-яА-ЯёЁіїєґІЇЄҐ]")
_NAME_TAGS: Final = frozenset({"Name", "Surn", "Patr"})
_OBLIQUE: Final = frozenset({"gent", "datv", "ablt", "loct", "gen2", "loc2", "voct"})
_ADJECTIVES: Final = frozenset({"ADJF", "ADJS", "PRTF", "PRTS"})

# The commonest function words of each language the rules read, and of the languages a
# text is most often mistaken for. A text is read when one of the three has the largest
# share of its words and that share is plausible for running text.
_FUNCTION_TEXT: Final = {
    "en": "the of and to in a is was were that for on with by as at from has have had it said "
    "are be an this their they after",
    "uk": "і й та в у на з із що не до за від як про це його її було були після також через "
    "під повідомив повідомили",
    "ru": "и в на с что не по из за от как о об это его ее был были было после также через "
    "под сообщил сообщили",
    "fr": "le la les de des du et un une est à au aux dans pour que qui sur par avec été ont",
    "es": "el la los las de del y en un una es que por con para se al fue han sido",
    "de": "der die das und den dem des ist ein eine nicht mit von zu im auf für wurde wurden",
    "it": "il lo la gli le di del della e un una è che per con sono stato nel alla",
    "pt": "o a os as de do da dos das e um uma é que por com para em foi foram",
    "pl": "i w na z że nie do się jest od po jak przez został została",
    "bg": "и на в с че не да се от за е са беше бяха като по",
    "be": "і ў на з што не да па як гэта яго было былі пасля",
    "sr": "и у на са да је не се за од као по били била",
}
_FUNCTION_WORDS: Final = {lang: frozenset(words.split()) for lang, words in _FUNCTION_TEXT.items()}
READ_LANGUAGES: Final = ("en", "uk", "ru")
"""The languages the rules of ``suggest`` read."""
_LANGUAGE_NAMES: Final = {
    "en": "English",
    "uk": "Ukrainian",
    "ru": "Russian",
    "ar": "Arabic",
    "zh": "Chinese",
    "am": "Amharic",
    "my": "Burmese",
    "he": "Hebrew",
    "fa": "Persian",
    "ja": "Japanese",
    "ko": "Korean",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "bg": "Bulgarian",
    "be": "Belarusian",
    "sr": "Serbian",
}


@functools.cache
def _analyser(lang: str) -> Any:
    import pymorphy3  # loaded on first use: about 0.3 s and 15 MB per language

    return pymorphy3.MorphAnalyzer(lang=lang)


def language_of_word(word: str, hint: str | None = None) -> str | None:
    """ "uk" or "ru" for a Cyrillic word (by its letters, else ``hint``), else None."""
    if not _CYRILLIC.search(word):
        return None
    if _UK_ONLY.search(word) or "'" in word or "’" in word:
        return "uk"
    if _RU_ONLY.search(word):
        return "ru"
    return hint if hint in ("uk", "ru") else "ru"


@functools.lru_cache(maxsize=65536)
def _parses(word: str, lang: str) -> tuple[Any, ...]:
    return tuple(_analyser(lang).parse(word))


@functools.lru_cache(maxsize=65536)
def _known(word: str, lang: str) -> bool:
    return bool(_analyser(lang).word_is_known(word))


def is_name_word(word: str, hint: str | None = None) -> bool:
    """Whether a capitalised Cyrillic word can belong to a person's name. An adjective in
    an oblique case («Запорізькій», «Национальной») or a dictionary noun for a thing in an
    oblique case («Офісі», «Облздраве») cannot; a name, a surname, a patronymic or a word
    the dictionary does not know (most surnames) can. Latin words are left to the caller."""
    lang = language_of_word(word, hint)
    if lang is None:
        return True
    parses = _parses(word, lang)
    if not parses or any(_NAME_TAGS & set(p.tag.grammemes) for p in parses):
        return True
    if all(p.tag.POS in _ADJECTIVES for p in parses):
        return False
    if not _known(word.casefold(), lang):
        return True
    return not all(
        (p.tag.POS in _ADJECTIVES or (p.tag.POS == "NOUN" and "inan" in p.tag.grammemes))
        and (p.tag.case in _OBLIQUE)
        for p in parses
    )


def nominative(phrase: str, hint: str | None = None) -> str:
    """An institution's name with its head noun and the adjectives before it in the
    nominative, and what follows the head (a genitive complement) as written."""
    words = phrase.split()
    out: list[str] = []
    for i, word in enumerate(words):
        lang = language_of_word(word, hint)
        if lang is None or word.isupper():
            out.extend(words[i:])
            break
        parses = [p for p in _parses(word, lang) if p.tag.POS in ("NOUN", *_ADJECTIVES)]
        if not parses:
            out.extend(words[i:])
            break
        best = parses[0]
        number = "plur" if "plur" in best.tag.grammemes else "sing"
        inflected = best.inflect({"nomn", number}) or best.inflect({"nomn"})
        form = inflected.word if inflected is not None else word
        out.append(_same_case(form, word))
        if best.tag.POS == "NOUN":
            out.extend(words[i + 1 :])
            break
    return " ".join(out)


def _same_case(form: str, like: str) -> str:
    if like[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def singular_of(word: str, lemma: str, hint: str | None = None) -> bool:
    """Whether ``word`` can be a singular form of the noun ``lemma`` ("сотні" of
    "сотня": yes, in the genitive; "сотень": no)."""
    lang = language_of_word(word, hint)
    if lang is None:
        return False
    return any(
        p.normal_form == lemma and "plur" not in p.tag.grammemes
        for p in _parses(word.casefold(), lang)
    )


def text_language(text: str) -> str | None:
    """ "en", "uk" or "ru" when the text is written in one of them; another language's code
    (or "und") when it is not; None for a text too short to tell."""
    sample = text[:20000]
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", sample.casefold())
    if len(words) < 4:
        return None
    letters = sum(len(w) for w in words)
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(re.findall(r"[a-zA-Z]", sample))
    if cyrillic + latin < letters * 0.5:
        return "und"  # Arabic, Chinese, Amharic … : another script altogether
    counts = {lang: sum(1 for w in words if w in table) for lang, table in _FUNCTION_WORDS.items()}
    if cyrillic > latin:
        counts = {k: v for k, v in counts.items() if k in ("uk", "ru", "bg", "be", "sr")}
        uk_letters = len(_UK_ONLY.findall(sample))
        ru_letters = len(_RU_ONLY.findall(sample))
        if "ў" in sample:
            counts["be"] = counts.get("be", 0) + len(words)
        counts["uk"] += uk_letters // 2
        counts["ru"] += ru_letters // 2
    else:
        counts = {k: v for k, v in counts.items() if k not in ("uk", "ru", "bg", "be", "sr")}
    best = max(counts, key=lambda k: counts[k])
    if counts[best] == 0:
        return None  # Latin or Cyrillic letters but no common word: too little to tell
    return best


def language_name(code: str) -> str:
    """A language's English name for a message ("fr" -> "French")."""
    if code == "und":
        return "in a script the rules do not read"
    return "in " + _LANGUAGE_NAMES.get(code, f"the language {code!r}")
