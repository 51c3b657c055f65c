# ruff: noqa: RUF001, RUF002, RUF003  (the text is Ukrainian and Russian on purpose)
"""Reported speech: who said each sentence of an article, in what role, through which
channel, and which words of the sentence are theirs.

The forms recognised, in English, Ukrainian and Russian (``evidence/language/data/speech.yaml``):

- a quotation with a tail: ``"…," the head of the Ministry of Defence wrote.``,
  ``«…», — написав у Telegram начальник КМВА Андрій Ковальчук.``;
- a quotation after a colon: ``Umierov said: "…"``;
- a lead: ``According to Zelensky, …``, ``За словами очільника КМВА, …``,
  ``По словам главы ОВА Петра Савчука, …``, ``…, як повідомив голова ОВА …, …``;
- a tail: ``…, the mayor wrote on Telegram.``, ``…, повідомив начальник МВА …``;
- a subject: ``The Air Force reported that …``, ``Полиция сообщает, что …``;
- backwards: ``This was stated by …``, ``Про це повідомив …``, ``Об этом сообщил …``
  name the speaker of the sentences before them in the paragraph (or of the paragraph
  before, when they stand alone);
- and a sentence with none of these continues the speaker of the sentence before it in
  the same paragraph, as news copy does.

A role ("the head of the Ministry of Defence", "очільник КМВА", "the governor") or a
pronoun ("he", "посадовець") is resolved to the person the article named earlier in
that role (:class:`~evidence.suggest.speakers.PeopleBook`); a name written in the genitive
after "за словами" or "по словам" is put back in the nominative where the article writes it
so, or by the common endings. Each speaker gets an identity :attr:`Speaker.key` that is the same
across languages and transliterations (Umierov, Umerov, Умєров, Умеров), which
``corroborate`` uses to count independent origins.

Example:
    >>> from evidence.suggest.sentences import split_text
    >>> text = 'Mayor Ihor Demchenko spoke. "Six died," the mayor wrote on Telegram.'
    >>> found = attribute(text, split_text(text))
    >>> found[1].speaker.name, found[1].speaker.channel
    ('Ihor Demchenko', 'Telegram post')
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from evidence.language.lexicon import fold_text
from evidence.suggest.gazetteer import gazetteer
from evidence.suggest.morphology import is_name_word, nominative, text_language
from evidence.suggest.numbers import is_number_word
from evidence.suggest.sentences import Paragraph, QuoteSpan, Sentence, quote_spans
from evidence.suggest.speakers import (
    PeopleBook,
    Speaker,
    degenitive,
    identity_key,
    region_of,
    speaker_key,
    speech_lexicon,
)

__all__ = ["Attribution", "attribute"]

_MAX_TAIL_WORDS: Final = 16
_MAX_SUBJECT_WORDS: Final = 12
_NAME_TOKEN: Final = re.compile(r"[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’]+(?:-[A-ZА-ЯІЇЄҐ]?[a-zа-яіїєґ'’]+)*")
_STOP_NAMES: Final = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "as",
        "according",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "it",
        "they",
        "his",
        "her",
        "their",
        "there",
        "later",
        "also",
        "but",
        "and",
        "or",
        "if",
        "after",
        "before",
        "during",
        "ukraine's",
        "russian",
        "ukrainian",
        "russia's",
        "telegram",
        "facebook",
        "twitter",
        "instagram",
        "youtube",
        "в",
        "у",
        "по",
        "за",
        "як",
        "как",
        "про",
        "об",
        "це",
        "этом",
        "про",
        "з",
        "із",
        "і",
        "й",
        "та",
        "и",
        "а",
        "но",
        "також",
        "также",
        "нагадаємо",
        "напомним",
        "він",
        "вона",
        "вони",
        "воно",
        "он",
        "она",
        "они",
        "його",
        "её",
        "ее",
        "цей",
        "этот",
    ]
)


_NEAR: Final = 120
"""Characters around a role in which its region is looked for; lead and tail windows."""
_UNNAMED: Final = ("none", "inherited", "quote-unattributed")
_CARRIED: Final = ("lead", "tail", "mid", "subject", "backward", "inherited", "signature")
_JOINT: Final = re.compile(r"\s(?:and|і|й|та|и)\s")
_AS_SAID: Final = re.compile(r"\s*(?:as|як|как)\s", re.IGNORECASE)
_TIME_STAMP: Final = re.compile(r"\s*\d{1,2}[:.]\d{2}\s+")
_BULLET: Final = re.compile(r"\s*[-–—•*·]\s")
_SIGNATURE: Final = re.compile(
    r"^\s*[—–-]\s*(?P<who>[^(\n\d;:,]+?)\s*(?:\([^)]*\))?\s*"
    r"(?:[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2}[./]\d{1,2}[./]\d{2,4})?"
    r"\s*[.]?\s*$"
)
_INSTITUTION_SKIP: Final = frozenset(
    {"the", "в", "у", "во", "із", "з", "из", "от", "від", "a", "an", "its", "by"}
)
# What an English body is called when it is written in lower case ("the city council",
# "the regional health department"): the head nouns of public bodies.
_BODY_NOUNS: Final = frozenset(
    {
        "council",
        "department",
        "administration",
        "ministry",
        "office",
        "service",
        "services",
        "forces",
        "command",
        "agency",
        "authorities",
        "authority",
        "police",
        "company",
        "operator",
        "committee",
        "directorate",
        "inspectorate",
        "guard",
        "mission",
    }
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """What :func:`attribute` found for one sentence.

    ``content`` is the part of the sentence that is the speaker's (or the outlet's) words,
    without the attribution; ``masked`` the attribution's own span, which the rules do
    not read for places, dates or figures. ``how`` names the form that was recognised.
    """

    speaker: Speaker | None
    content: tuple[int, int]
    masked: tuple[int, int] | None
    how: str
    words: str
    meta: bool = False
    quote: tuple[int, int] | None = None


@dataclass
class _Parsed:
    speaker: Speaker | None
    channel: str | None


class _Attributor:
    def __init__(self, text: str, folded: str) -> None:
        self.text = text
        self.folded = folded
        self.lex = speech_lexicon()
        self.book = PeopleBook()
        self.lang = text_language(text[:4000])
        self._starts: tuple[object, list[int]] = (None, [])

    # -- speaker phrases -----------------------------------------------------------------

    def channel_in(self, start: int, end: int) -> str | None:
        for label, pattern in self.lex.channels:
            if pattern.search(self.folded, start, end):
                return label
        return None

    def parse(self, start: int, end: int, *, genitive: bool = False) -> Speaker | None:
        """The speaker named in ``text[start:end]``, or None."""
        phrase = self.folded[start:end]
        cut = re.search(r",\s*(?:who|which|який|яка|які|который|которая|которые)\b", phrase)
        if cut is not None:
            phrase = phrase[: cut.start()]
            end = start + cut.start()
        joint = self._joint(start, end, phrase, genitive)
        if joint is not None:
            return joint
        return self._parse_one(start, end, phrase, genitive)

    def _joint(self, start: int, end: int, phrase: str, genitive: bool) -> Speaker | None:
        """Two who spoke together ("the mayor and the head of the administration said",
        «заявили міський голова та начальник ОВА»): both, never only one of them."""
        found = list(_JOINT.finditer(phrase))
        if len(found) != 1:
            return None
        middle = found[0]
        left = self._parse_one(start, start + middle.start(), phrase[: middle.start()], genitive)
        right = self._parse_one(start + middle.end(), end, phrase[middle.end() :], genitive)
        if (
            left is None
            or right is None
            or left.key == right.key
            or "group" in (left.kind, right.kind)
        ):
            return None
        if left.kind == "person" and re.search(r"\bof\b", phrase[: middle.start()]):
            return None  # "the Ministry of Culture and Information Policy": one body
        cyrillic = all(re.search(r"[а-яіїєґё]", n.casefold()) for n in (left.name, right.name))
        conjunction = (
            self.text[start + middle.start() : start + middle.end()].strip() if cyrillic else "and"
        )
        name = f"{left.name} {conjunction} {right.name}"
        return Speaker(
            name,
            None,
            left.channel or right.channel,
            "group",
            "+".join(sorted((left.key, right.key))),
            " ".join(self.text[start:end].split()),
        )

    def _parse_one(self, start: int, end: int, phrase: str, genitive: bool) -> Speaker | None:
        channel = self.channel_in(start, end)
        covered: list[tuple[int, int]] = []
        for _, pattern in self.lex.channels:
            covered.extend(m.span() for m in pattern.finditer(phrase))
        covered.extend(m.span() for m in self.lex.fillers.finditer(phrase))
        role = None
        for role_id, label, generic, pattern in self.lex.roles:
            match = pattern.search(phrase)
            if match is not None:
                covered.append(match.span())
                if role is None:
                    role = (role_id, label, generic, match)
        body = None
        for body_id, label, pattern in self.lex.bodies:
            match = pattern.search(phrase)
            if match is not None and (
                role is None
                or (
                    match.start() <= role[3].start()
                    and role[3].end() <= match.end()
                    and match.span() != role[3].span()
                )
            ):
                # «Офіс Генерального прокурора» is the office, not the role inside it
                covered.append(match.span())
                body = (body_id, label, match)
                role = None
                break
        places = gazetteer().find(phrase)
        covered.extend((m.start, m.end) for m in places)
        name = self._name(start, phrase, covered)
        written = " ".join(self.text[start:end].split())
        role_label = self._role_label(role[0], role[1], phrase) if role else None
        if name:
            if genitive:
                name = degenitive(name)
            known = self.book.by_key(identity_key(name))
            if len(name.split()) == 1 and known is not None:
                person = known
                self.book.last = person
            else:
                person = self.book.add(
                    name,
                    role[0] if role and not role[2] else None,
                    role_label if role and not role[2] else None,
                    channel,
                )
            if channel and not person.channel:
                person.channel = channel
            return Speaker(
                person.name, person.role, channel or person.channel, "person", person.key, written
            )
        if role is not None:
            role_id, label, generic, _ = role
            holder = self.book.last if generic else self.book.by_role(role_id)
            if holder is not None:
                self.book.last = holder
                return Speaker(
                    holder.name,
                    holder.role,
                    channel or holder.channel,
                    "person",
                    holder.key,
                    written,
                )
            return Speaker(
                role_label or label,
                None,
                channel,
                "role",
                speaker_key(role_label or label),
                written,
            )
        if body is not None:
            body_id, label, _ = body
            region = self._region(phrase, places)
            regional = body_id in ("rma", "cma", "prosecutor", "police")
            shown = f"{region} {label}" if region and regional else label
            key = f"body:{body_id}" + (f":{region}" if region and regional else "")
            return Speaker(shown, None, channel, "body", key, written)
        if self.lex.pronouns.fullmatch(phrase.strip(" ,—–-")) or (
            self.lex.pronouns.search(phrase) and len(phrase.split()) <= 3
        ):
            last = self.book.last
            if last is not None:
                return Speaker(
                    last.name, last.role, channel or last.channel, "person", last.key, written
                )
            return None
        group = self.lex.groups.search(phrase)
        if group is not None and len(phrase.split()) <= 5:
            label = " ".join(self.text[start + group.start() : start + group.end()].split())
            return Speaker(label, None, channel, "group", identity_key(label.casefold()), written)
        return self._institution(start, end, covered, channel, written)

    def _institution(
        self,
        start: int,
        end: int,
        covered: list[tuple[int, int]],
        channel: str | None,
        written: str,
    ) -> Speaker | None:
        """A body the word lists do not name ("the city council", «Укренерго», «МВС»,
        «Офісі Генерального прокурора»): a short noun phrase of its own, put in the
        nominative (:func:`~evidence.suggest.morphology.nominative`)."""
        words = [
            m
            for m in re.finditer(r"[^\s,.;:()«»\"“”]+", self.text[start:end])
            if not any(a <= m.start() < b for a, b in covered)
        ]
        while words and words[0].group(0).casefold() in _INSTITUTION_SKIP:
            words = words[1:]
        if not 1 <= len(words) <= 5:
            return None
        shown = [m.group(0) for m in words]
        if any(not w.replace("-", "").replace("'", "").isalpha() for w in shown):
            return None
        first = shown[0]
        if first.casefold() in _STOP_NAMES:
            return None
        cyrillic = bool(re.search(r"[а-яіїєґё]", first.casefold()))
        if not (first[:1].isupper() or (not cyrillic and len(shown) >= 2)):
            return None
        if any(w.casefold() in _STOP_NAMES for w in shown[1:]) or self.lex.verbs.search(
            " ".join(shown)
        ):
            return None
        name = nominative(" ".join(shown), self.lang) if cyrillic else " ".join(shown)
        if not cyrillic and not (first[:1].isupper() or shown[-1].casefold() in _BODY_NOUNS):
            return None
        return Speaker(name, None, channel, "body", speaker_key(name), written)

    def _name(self, start: int, phrase: str, covered: list[tuple[int, int]]) -> str | None:
        """The last run of one to three capitalised words not taken by a role, a body, a
        place, a channel or a filler: the person's name."""
        runs: list[list[re.Match[str]]] = [[]]
        quoted = [(q.start, q.end) for q in quote_spans(phrase)]
        for match in re.finditer(r"\S+", phrase):
            word = match.group(0).strip(',.;:()«»"“”')
            inside = any(a <= match.start() < b for a, b in [*covered, *quoted]) or (
                is_number_word(word)
            )
            if (
                not inside
                and _NAME_TOKEN.fullmatch(word)
                and word.casefold() not in _STOP_NAMES
                and not word.isupper()
                and is_name_word(word, self.lang)
            ):
                runs[-1].append(match)
                if match.group(0).endswith(","):
                    runs.append([])
            elif runs[-1]:
                runs.append([])
        candidates = [r for r in runs if r]
        if not candidates:
            return None
        run = candidates[-1][-3:]
        words = [self.text[start + m.start() : start + m.end()].strip(',.;:()«»"“”') for m in run]
        return " ".join(words)

    def _role_label(self, role_id: str, label: str, phrase: str) -> str:
        if role_id in ("head-rma", "head-cma"):
            region = self._region(phrase, gazetteer().find(phrase))
            if region:
                kind = "Regional" if role_id == "head-rma" else "City"
                return f"Head of the {region} {kind} Military Administration"
        return label

    def _region(self, phrase: str, places: Sequence[Any]) -> str | None:
        return region_of(phrase, places)

    def introductions(self, start: int, end: int) -> None:
        """Register the people a sentence introduces with their role ("Mayor Ihor
        Demchenko", "міністр оборони Рустем Умєров"), whether or not they speak in it, so
        that a later "the mayor" or "очільник Міноборони" finds them."""
        for role_id, label, generic, pattern in self.lex.roles:
            if generic:
                continue
            for match in pattern.finditer(self.folded, start, end):
                after = re.match(
                    r"[\s,]*((?:[A-ZА-ЯІЇЄҐ][\w'’-]+\s?){2,3})",
                    self.text[match.end() : min(end, match.end() + 80)],
                )
                if after is None:
                    continue
                words = after.group(1).split()
                if any(w.casefold() in _STOP_NAMES or is_number_word(w) for w in words):
                    continue
                if gazetteer().find(fold_text(" ".join(words))):
                    continue
                name = " ".join(words)
                before = self.folded[max(start, match.start() - 24) : match.start()]
                if self.lex.genitive_leads.search(before.strip()):
                    name = degenitive(name)  # "по словам главы ОВА Петра Савчука"
                around = self.folded[
                    max(start, match.start() - _NEAR) : min(end, match.end() + _NEAR)
                ]
                role_label = self._role_label(role_id, label, around)
                self.book.add(name, role_id, role_label, None)

    def signature(self, para: Paragraph) -> Attribution | None:
        """A line that only names who wrote or said the paragraph before it: a post's
        signature ("— Volodymyr Zelenskyy (@ZelenskyyUa) August 26, 2024") or a live
        blog's source line ("– the State Emergency Service says.", "– Терехов.")."""
        line = self.text[para.start : para.end]
        match = _SIGNATURE.match(line)
        if match is None or len(match.group("who").split()) > 8:
            return None
        start = para.start + match.start("who")
        end = para.start + match.end("who")
        verb = self.lex.verbs.search(self.folded, start, end)
        speaker = (
            self._parse_around(start, end, verb) if verb is not None else self.parse(start, end)
        )
        if speaker is None:
            return None
        return Attribution(
            speaker,
            (para.start, para.start),
            (para.start, para.end),
            "signature",
            " ".join(line.split()),
            meta=True,
        )

    # -- quotations ------------------------------------------------------------------------

    def speech_spans(self, para: Paragraph) -> list[tuple[QuoteSpan, _Parsed, tuple[int, int]]]:
        """The quotations of a paragraph that are someone's words, with their speaker and
        the span of the words that say so."""
        found = []
        for quote in para.quotes:
            inner = self.folded[quote.inner_start : quote.inner_end]
            words = len(inner.split())
            if words < 2:
                continue
            parsed, span = self._quote_tail(quote, para)
            if parsed is None:
                parsed, span = self._quote_lead(quote, para)
            if parsed is None and (words < 3 or (words < 5 and not re.search(r"[.!?…,]", inner))):
                continue  # a name or a term in quotation marks, not someone's words
            found.append((quote, parsed or _Parsed(None, None), span or (quote.end, quote.end)))
        return found

    def _quote_tail(
        self, quote: QuoteSpan, para: Paragraph
    ) -> tuple[_Parsed | None, tuple[int, int] | None]:
        limit = min(para.end, quote.end + _NEAR * 4)  # a tail is a few words long
        after = self.folded[quote.end : limit]
        head = re.match(r"\s*[,.!?…]?\s*(?:[—–-]\s*)?", after)
        begin = quote.end + (head.end() if head else 0)
        stop = re.search(r"[.!?…](?=\s|$)|\s[«\"“]", self.folded[begin:limit])
        end = begin + (stop.start() if stop else limit - begin)
        if end <= begin or len(self.folded[begin:end].split()) > _MAX_TAIL_WORDS:
            return None, None
        verb = self.lex.verbs.search(self.folded, begin, end)
        if verb is None:
            return None, None
        speaker = self._parse_around(begin, end, verb)
        if speaker is None:
            return None, None
        return _Parsed(speaker, speaker.channel), (quote.end, end)

    def _quote_lead(
        self, quote: QuoteSpan, para: Paragraph
    ) -> tuple[_Parsed | None, tuple[int, int] | None]:
        window = max(para.start, quote.start - _NEAR * 4)  # the lead is a few words long
        before_start = window
        for sentence_end in re.finditer(r"[.!?…]\s", self.folded[window : quote.start]):
            before_start = window + sentence_end.end()
        before = self.folded[before_start : quote.start]
        if not before.rstrip().endswith(":"):
            return None, None
        verb = self.lex.verbs.search(self.folded, before_start, quote.start)
        if verb is None:
            return None, None
        speaker = self._parse_around(before_start, quote.start, verb)
        if speaker is None:
            return None, None
        return _Parsed(speaker, speaker.channel), (before_start, quote.start)

    def _parse_around(self, begin: int, end: int, verb: re.Match[str]) -> Speaker | None:
        """The speaker in ``[begin, end)`` around a verb of saying (before it in English,
        often after it in Ukrainian and Russian)."""
        channel = self.channel_in(begin, end)
        after = self.parse(verb.end(), end)
        before = self.parse(begin, verb.start()) if verb.start() > begin else None
        speaker = after or before
        return speaker.with_channel(channel) if speaker else None

    # -- sentences ---------------------------------------------------------------------------

    def sentence(
        self, sent: Sentence, speech: Sequence[tuple[QuoteSpan, _Parsed, tuple[int, int]]]
    ) -> Attribution:
        start, end = sent.start, sent.end
        # The quotations are in order and do not overlap: only the last one that opens at
        # or before the sentence can hold it.
        if self._starts[0] is not speech:
            self._starts = (speech, [q.start for q, _, _ in speech])
        at = bisect.bisect_right(self._starts[1], start)
        for quote, parsed, span in speech[max(0, at - 1) : at]:
            if quote.start <= start < quote.inner_end:
                c_start = max(start, quote.inner_start)
                c_end = min(end, quote.inner_end)
                c_start, c_end = self._trim(c_start, c_end)
                masked = (span[0], span[1]) if span[0] < end and span[1] > start else None
                words = " ".join(self.text[span[0] : span[1]].split()) if span[1] > span[0] else ""
                return Attribution(
                    parsed.speaker,
                    (c_start, c_end),
                    masked,
                    "quote" if parsed.speaker else "quote-unattributed",
                    words,
                    quote=(quote.start, quote.end),
                )
        folded = self.folded
        outlet = self.lex.outlet_self.match(folded, start, end)
        if outlet is not None and outlet.end() < end:
            return Attribution(
                None,
                self._trim(outlet.end(), end),
                (start, outlet.end()),
                "outlet",
                self.text[start : outlet.end()].strip(),
            )
        back = self.lex.backward.match(folded, start, end)
        if back is not None:
            stop = folded.find(",", back.end(), end)
            phrase_end = stop if stop > 0 else end
            speaker = self.parse(back.end(), phrase_end)
            channel = self.channel_in(back.end(), end)
            if speaker is not None:
                speaker = speaker.with_channel(channel)
                if channel and speaker.kind == "person":
                    person = self.book.by_key(speaker.key)
                    if person is not None and not person.channel:
                        person.channel = channel
            return Attribution(
                speaker,
                (start, start),
                (start, end),
                "backward",
                " ".join(self.text[start:end].split()),
                meta=True,
            )
        lead = self._lead(start, end)
        if lead is not None:
            return lead
        tail = self._tail(start, end)
        if tail is not None:
            return tail
        mid = self._mid(start, end)
        if mid is not None:
            return mid
        subject = self._subject(start, end)
        if subject is not None:
            return subject
        return Attribution(None, self._trim(start, end), None, "none", "")

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        """A span without surrounding spaces, quotation marks, commas and dashes."""
        chars = ' \t"«»“”„,—–-:'
        while start < end and self.text[start] in chars:
            start += 1
        while end > start and self.text[end - 1] in ' \t"«»“”„,—–-:':
            end -= 1
        return start, end

    def _lead(self, start: int, end: int) -> Attribution | None:
        folded = self.folded
        as_said = self._as_said(start, end)
        if as_said is not None:
            return as_said
        for match in self.lex.leads.finditer(folded, start, end):
            stop = folded.find(",", match.end(), end)
            phrase_end = stop if stop > 0 else end
            if phrase_end == end:
                phrase_end = end - 1 if folded[end - 1] in ".!?…" else end
            genitive = bool(self.lex.genitive_leads.fullmatch(match.group(0)))
            if self.lex.pronouns.search(match.group(0)) and self.book.last is not None:
                person = self.book.last  # "за його словами", "по его данным"
                speaker: Speaker | None = Speaker(
                    person.name,
                    person.role,
                    person.channel,
                    "person",
                    person.key,
                    " ".join(self.text[match.start() : match.end()].split()),
                )
            else:
                speaker = self.parse(match.end(), phrase_end, genitive=genitive)
            if speaker is None:
                continue
            masked_start = match.start()
            before_comma = folded.rfind(",", start, match.start())
            if before_comma >= 0 and folded[before_comma : match.start()].strip(" ,") == "":
                masked_start = before_comma
            masked = (masked_start, min(end, phrase_end + 1))
            before = (start, masked_start)
            after = (masked[1], end)
            content = after if after[1] - after[0] >= before[1] - before[0] else before
            words = " ".join(self.text[match.start() : phrase_end].split())
            return Attribution(speaker, self._trim(*content), masked, "lead", words)
        return None

    def _as_said(self, start: int, end: int) -> Attribution | None:
        """ "As Vilkul added later, …", «Як згодом додав Вілкул, …», «Как позже добавил
        Вилкул, …»: the speaker and the verb of saying between "as" and the comma."""
        match = _AS_SAID.match(self.folded, start, end)
        if match is None:
            return None
        comma = self.folded.find(",", match.end(), end)
        if comma < 0 or len(self.folded[match.end() : comma].split()) > 8:
            return None
        verb = self.lex.verbs.search(self.folded, match.end(), comma)
        if verb is None:
            return None
        speaker = self._parse_around(match.end(), comma, verb)
        if speaker is None:
            return None
        return Attribution(
            speaker,
            self._trim(comma + 1, end),
            (start, comma + 1),
            "lead",
            " ".join(self.text[start:comma].split()),
        )

    def _tail(self, start: int, end: int) -> Attribution | None:
        folded = self.folded
        seps = [m for m in re.finditer(r",\s|\s[—–]\s", folded[start:end])]
        if not seps:
            return None
        sep = seps[-1]
        begin = start + sep.end()
        tail = folded[begin:end]
        if len(tail.split()) > _MAX_TAIL_WORDS or self.lex.that.search(tail):
            return None
        verb = self.lex.verbs.search(folded, begin, end)
        if verb is None:
            return None
        speaker = self._parse_around(begin, end, verb)
        if speaker is None:
            return None
        return Attribution(
            speaker,
            self._trim(start, start + sep.start()),
            (start + sep.start(), end),
            "tail",
            " ".join(self.text[begin:end].split()),
        )

    def _mid(self, start: int, end: int) -> Attribution | None:
        """ ", he said, and …", ", the country's air force said, adding that …": an
        attribution between commas inside the sentence. The whole sentence is quoted
        (its two halves are one passage) and the attribution is left out of the reading."""
        folded = self.folded
        commas = [m.start() for m in re.finditer(",", folded[start:end])]
        for left, right in itertools.pairwise(commas):
            a, b = start + left + 1, start + right
            clause = folded[a:b]
            if len(clause.split()) > 7 or self.lex.that.search(clause):
                continue
            verb = self.lex.verbs.search(folded, a, b)
            if verb is None:
                continue
            speaker = self._parse_around(a, b, verb)
            if speaker is None:
                continue
            return Attribution(
                speaker,
                self._trim(start, end),
                (start + left, b + 1),
                "mid",
                " ".join(self.text[a:b].split()),
            )
        return None

    def _subject(self, start: int, end: int) -> Attribution | None:
        folded = self.folded
        verb = self.lex.verbs.search(folded, start, end)
        if verb is None or verb.start() == start:
            return None
        stamp = _TIME_STAMP.match(folded, start)
        if stamp is not None:
            start = stamp.end()  # a live blog's "08:40 The Air Force said …"
        before = folded[start : verb.start()]
        if len(before.split()) > _MAX_SUBJECT_WORDS or re.search(r"\d", before):
            return None
        speaker = self.parse(start, verb.start())
        if speaker is None:
            return None
        speaker = speaker.with_channel(self.channel_in(verb.end(), end))
        if self.lex.statement_verbs.fullmatch(verb.group(0)):
            content_start = verb.start()
        else:
            rest = re.match(r"[\s,]*(?:(?:that|що|что)\b)?[\s,]*", folded[verb.end() : end])
            content_start = verb.end() + (rest.end() if rest else 0)
        if content_start >= end - 1:
            return None
        return Attribution(
            speaker,
            self._trim(content_start, end),
            (start, content_start),
            "subject",
            " ".join(self.text[start : verb.end()].split()),
        )


def attribute(
    text: str, paragraphs: Sequence[Paragraph], folded: str | None = None
) -> dict[int, Attribution]:
    """Who said each sentence of ``text``, by sentence index."""
    worker = _Attributor(text, folded if folded is not None else fold_text(text))
    found: dict[int, Attribution] = {}
    previous: list[int] = []
    previous_text = ""
    listing = False
    block: list[int] = []  # the paragraphs just before that name nobody
    for para in paragraphs:
        if not para.sentences:
            continue
        worker.introductions(para.start, para.end)
        indices = [s.index for s in para.sentences]
        signed = worker.signature(para)
        if signed is not None:
            # "— Volodymyr Zelenskyy (@ZelenskyyUa)", "– the ministry says.": the line
            # names the speaker of the paragraph above it.
            for index in indices:
                found[index] = signed
            for index in previous:
                before = found[index]
                if before.how in _UNNAMED or (
                    before.how == "quote"
                    and before.speaker is not None
                    and before.speaker.kind == "role"
                ):
                    quoted = before.how in ("quote", "quote-unattributed")
                    found[index] = replace(
                        found[index],
                        speaker=signed.speaker,
                        how="quote" if quoted else "signature",
                        words=signed.words,
                    )
            previous = []
            block = []
            continue
        speech = worker.speech_spans(para)
        for sent in para.sentences:
            found[sent.index] = worker.sentence(sent, speech)
        _apply_backward(found, indices, previous, block)
        line = text[para.start : para.end]
        listed = previous and (
            previous_text.rstrip().endswith(":") or (_BULLET.match(line) and listing)
        )
        if listed:
            _continue(found, indices, found[previous[-1]], ("quote-unattributed", "none"))
        _inherit(found, indices)
        listing = bool(listed) or line.rstrip().endswith(":")
        if all(found[i].how in ("none", "inherited") for i in indices):
            block.extend(indices)
        else:
            block = []
        previous = indices
        previous_text = line
    for index, att in found.items():
        if att.speaker is not None and att.speaker.kind == "person" and not att.speaker.channel:
            person = worker.book.by_key(att.speaker.key)
            if person is not None and person.channel:
                found[index] = replace(att, speaker=replace(att.speaker, channel=person.channel))
    return found


def _apply_backward(
    found: dict[int, Attribution], indices: list[int], previous: list[int], block: list[int]
) -> None:
    """ "Про це повідомив X": X said the sentences before it (that name nobody else); on a
    line of its own, the lines before it that name nobody (a list of districts)."""
    for position, index in enumerate(indices):
        att = found[index]
        if att.how != "backward" or att.speaker is None:
            continue
        targets = [i for i in indices[:position] if found[i].how in ("none", "inherited")]
        if position == 0:
            earlier = block if block and block[-1] in previous else previous
            targets = [i for i in earlier if found[i].how in ("none", "inherited")] + [
                i
                for i in previous
                if found[i].speaker is not None and found[i].speaker.key == att.speaker.key  # type: ignore[union-attr]
            ]
        for target in targets:
            old = found[target]
            found[target] = replace(old, speaker=att.speaker, how="backward", words=att.words)


def _continue(
    found: dict[int, Attribution], indices: list[int], last: Attribution, unnamed: tuple[str, ...]
) -> None:
    """A paragraph whose first sentence names nobody goes on in the voice of the
    paragraph before, when that one ended in someone's words reported by an attribution
    (not a quotation, which closes what they said); after a line that ends with a colon
    ("Casualties by district, according to the city council:", "… wrote on X:"), the
    paragraph, quotation or list item, is what the line announced."""
    first = found[indices[0]]
    if first.how not in unnamed or last.speaker is None or last.how not in _CARRIED:
        return
    found[indices[0]] = replace(
        first,
        speaker=last.speaker,
        how="quote" if first.how == "quote-unattributed" else "inherited",
        words=last.words,
    )


def _inherit(found: dict[int, Attribution], indices: list[int]) -> None:
    """A sentence that names nobody continues the speaker of the one before it."""
    for before, index in itertools.pairwise(indices):
        prev, att = found[before], found[index]
        if (
            att.how == "none"
            and prev.speaker is not None
            and prev.how in ("lead", "tail", "mid", "subject", "backward", "inherited")
        ):
            found[index] = replace(att, speaker=prev.speaker, how="inherited", words=prev.words)
