"""Stages of the method, from the abstract's own sequencing words.

Patterns, tried in order, the first that yields two or more stages wins:
an enumeration ("(i) ... (ii) ...", "(1) ... (2) ..."), a list announced by a count or a
pipeline word ("two-stage process: A and B", "consists of three steps: A, B and C"),
"first ... then ..." inside a sentence, named phases, sentences opened by ordinal words
("First, ... Next, ... Finally, ..."), a step followed by "X is then <done>", and a
"generate-then-train" compound. Names are cut from the abstract, so their words occur in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from summarizer.engines.offline.sentences import Sentence

MAX_NAME = 80
MAX_DESCRIPTION = 200
MAX_NAME_WORDS = 8
_ENUMERATOR = re.compile(r"(?<![\w)\]])\((?P<mark>i{1,3}|iv|v|vi{0,3}|[1-9]|[a-f])\)\s*", re.I)
# Marker sequences that count as an enumeration, each from its first marker.
_MARK_ORDERS = (
    ("i", "ii", "iii", "iv", "v", "vi", "vii"),
    ("1", "2", "3", "4", "5", "6", "7"),
    ("a", "b", "c", "d", "e", "f"),
)
_COUNT = r"(?:two|three|four|five|six|2|3|4|5|6)"
_STAGE_WORD = r"(?:stages?|phases?|steps?|modules?|components?|parts?|pipeline|process|procedure)"
_ANNOUNCED_LIST = re.compile(
    rf"\b(?:{_COUNT}[- ](?:\w+[- ]){{0,2}}{_STAGE_WORD}|pipeline|procedure|recipe)\b"
    r"(?:[^:.;]{0,80}:|[^:.;]{0,60}?,?\s+(?:comprising|consisting of|composed of))\s+"
    r"(?P<items>[^.;]+(?:;\s+[^.;]+)*)",
    re.I,
)
_FIRST_THEN = re.compile(
    r"\bfirst(?:ly)?,?\s+(?P<a>[^.;]+?),?\s+(?:and\s+)?then\s+(?P<b>[^.;]+?)"
    r"(?:,?\s+(?:and\s+)?(?:finally|lastly)\s+(?P<c>[^.;]+?))?(?=[.;]|,\s+(?:which|where|while)|$)",
    re.I,
)
_ORDINAL_OPENER = re.compile(
    r"^(?P<word>first(?:ly)?|second(?:ly)?|third(?:ly)?|next|then|finally|lastly|"
    r"subsequently|afterwards)\b,?\s+",
    re.I,
)
_SPLIT_ITEMS = re.compile(r",\s+(?:and\s+|or\s+)?|;\s+(?:and\s+)?", re.I)
_SPLIT_SEMICOLONS = re.compile(r";\s+(?:and\s+)?", re.I)
_SPLIT_PAIR = re.compile(r"\s+and\s+", re.I)
# An item that opens with one of these continues the previous item.
_CONTINUATION = re.compile(
    r"^(?:where|which|that|while|whereas|with|without|so|thus|to|who|whose|in which|as)\b", re.I
)
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# Where a stage's name ends and its description starts.
_NAME_END = re.compile(
    r",|;|:|\s+(?:which|that|where|whereby|to|for|by|using|via|with|in order|so that|"
    r"while|during|through)\s",
    re.I,
)
_LEADING = re.compile(
    r"^(?:we\s+|it\s+|and\s+|then\s+|(?:is|are)\s+(?=(?:\w+ly\s+)?[\w-]+(?:ed|en|wn)\b)|propose\s+to\s+|(?:termed|called|named|dubbed)\s+|first(?:ly)?,?\s+|second(?:ly)?,?\s+|next,?\s+|"
    r"finally,?\s+|a\s+|an\s+|the\s+)+",
    re.I,
)
# Items that report findings ("First, we show ...") are results, not stages.
# "Secondly, in our tasks, we find ...": the lead-in phrase before the finding may vary.
_FINDING = re.compile(
    r"^(?:\w+,?\s+|[^,]{0,40},\s+)?(?:we\s+)?(?:(?:also|further)\s+)?(?:show|prove|find|"
    r"demonstrate|observe|argue|establish|present (?:preliminary )?evidence|provide|identify|"
    r"derive|report|discuss|conclude|postulate|hypothesi[sz]e|reveal|confirm)\w*\b",
    re.I,
)
# "We (i) propose new rules; (ii) explore ...": the paper's contributions, not steps.
_CONTRIBUTION_ITEM = re.compile(
    r"^(?:we\s+)?(?:(?:also|further)\s+)?(?:propose(?!\s+to\b)|explore|consider|investigate|study|"
    r"analy[sz]e|examine)\b",
    re.I,
)
# Items that open like a clause about something else are questions, findings or problems.
_NOT_A_STAGE = re.compile(
    r"^(?:that|whether|how|why|what|when|if|they|it|this|these|those|there|its|their|"
    r"to validate|through this|by|due|in particular|followed|while|although|though|whereas|"
    r"unlike|despite|since|because)\b",
    re.I,
)
# An enumeration of these is a list of problems, findings or claims, not of stages.
_POINT_NOUNS = (
    r"(?:issues?|limitations?|challenges?|problems?|drawbacks?|questions?|findings?|"
    r"contributions?|observations?|insights?|reasons?|shortcomings?|weakness\w*|"
    r"bottlenecks?|properties|advantages?|benefits?|factors?|aspects?|dimensions?|"
    r"respects|ways|differences|strategies|techniques|options|alternatives|innovations)"
)
_ADDRESSED = re.compile(
    rf"\bto\s+(?:address|tackle|overcome|solve|mitigate|alleviate|handle)\w*\s+(?:these|the|such|this|"
    rf"those|both)?\s*(?:[\w-]+\s+)?{_POINT_NOUNS},",
    re.I,
)
# "This is enabled by (i) ... (ii) ...": parts that make it work, not steps.
_ENABLED_BY = re.compile(r"\b(?:enabled|made possible|achieved)\s+by\s*$|\bthanks to\s*$", re.I)
_NOT_STAGES_CONTEXT = re.compile(rf"\b{_POINT_NOUNS}\b", re.I)
# "We show ... that our objective (i) learns ... and (ii) outperforms ...": findings.
_REPORTS = re.compile(
    r"\b(?:show|shows|showed|shown|find|finds|found|demonstrat\w*|reveal\w*|observe[sd]?|"
    r"prove[sn]?|suggest\w*|indicat\w*)\b",
    re.I,
)
# "In the first stage, we warm up the model ... In the second stage, we apply RLVR".
_STAGE_OPENER = re.compile(
    r"^(?:(?:then|next|subsequently|afterwards|finally|lastly),?\s+)?(?:(?:in|during|at)\s+)?the\s+"
    r"(?:(?P<nth>first|second|third|fourth|final|last|next)\s+(?:[\w-]+\s+)?|"
    r"(?P<named>(?!(?:same|whole|entire|training|this|each|other)\b)[\w-]+(?:\s+[\w-]+)?)\s+)"
    r"(?:stage|phase|step)\b,?\s+",
    re.I,
)
# "in several respects", "two key limitations": the sentences that follow are points.
_POINTS_ANNOUNCED = re.compile(
    rf"\b(?:several|many|some|multiple|following|key|main|{_COUNT})\s+(?:[\w-]+\s+)?"
    rf"{_POINT_NOUNS}\b",
    re.I,
)
# "X is fast", "Y cannot be increased": a statement, not the name of a step.
# A passive "is trained" still describes a step; "is fast" or "can be" does not.
_STATEMENT = re.compile(
    r"^(?:\S+\s+){0,5}?(?:(?:is|are|was|were)\s+(?!(?:\w+ly\s+)?[\w-]+(?:ed|en|wn|lt|ne)\b)\w+|"
    r"(?:can|cannot|does|do|becomes|remains|excels|allows)\b)",
    re.I,
)
_FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by",
        "first", "second", "third", "next", "then", "finally", "we", "it",
    }
)  # fmt: skip
_NAMED_PHASE = re.compile(
    r"\b(?:a|an|the)\s+(?:initial\s+|first\s+|second\s+|final\s+|last\s+)?"
    r"(?P<name>[\"\u201c]?[\w][\w-]*(?:[- ][\w-]+)?[\"\u201d]?\s+(?:phase|stage))\b",
    re.I,
)
# "Those are then fed into ...", "and the model is then trained by ...": a step that
# follows the one told just before it (in the same sentence after ", and", or in the
# sentence before). A relative "which is then used" only qualifies a noun.
_PASSIVE_THEN = re.compile(r"\b(?:is|are)\s+then\s+(?P<step>\w[^.;]*)", re.I)
_RELATIVE_END = re.compile(r"\b(?:which|that|who|whose)\s*$", re.I)
_AND_BEFORE = re.compile(r",?[\"\u201d]?\s+and\s+(?=[^,]*$)", re.I)
_SUBJECT_ONLY_WORDS = 5  # "The learned bases are then ..." has only a subject before
# What opens a sentence before its first step: "Our method involves ...", "During
# each iteration, ...", "To ensure X, ...".
_STEP_LEAD = re.compile(
    r"^(?:(?:during|in|at|for|after|to)\b[^,]{0,80},\s*)?"
    r"(?:(?:our|the|this)\s+(?:[\w-]+\s+)?(?:method|approach|framework|pipeline|model)\s+"
    r"(?:involves|consists of|begins with|starts with|first)\s+)?",
    re.I,
)
# "generate-then-train", "retrieve-then-rerank": a two-step recipe in one compound.
_THEN_COMPOUND = re.compile(r"\b(?P<a>[a-z]{3,})-then-(?P<b>[a-z]{3,})\b", re.I)
_NOT_A_PHASE_NAME = frozenset(
    {"two", "three", "four", "this", "each", "new", "third", "fourth", "fifth", "sixth", "next"}
)
_NTH_RANK = {"first": 1, "second": 2, "third": 3, "fourth": 4, "next": 0, "final": 9, "last": 9}
_PHASE_WORD = re.compile(r"\b(?:stage|phase|step)\b", re.I)
# "a four-stage pre-training process ..., followed by a two-phase post-training process",
# "pre-training followed by task-specific fine-tuning": two training phases in order.
_FOLLOWED_BY = re.compile(r",?\s+(?:(?:and|which is|is)\s+)?followed by\s+(?P<b>[^.;:,()]+)", re.I)
# The first phase ends where "followed by" starts, after a bracket it may carry.
_BEFORE_FOLLOWED = re.compile(r"(?P<a>[^.;:,()]+?)\s*(?:\([^)]*\))?$")
_TRAINING_PHASE = re.compile(
    r"\b(?:pre-?train\w*|post-?train\w*|mid-?train\w*|fine-?tun\w*|sft|rlhf|dpo|"
    r"reinforcement learning|rl|distill\w*|instruction[- ]tun\w*|alignment)\b",
    re.I,
)
_NOUN_PHRASE_START = re.compile(r"\b(?:a|an|the|of|through|via|by|with|using)\s+", re.I)
_ANNOUNCED_COUNT = re.compile(rf"\b{_COUNT}\s+(?:\w+\s+){{0,2}}(?:phases|stages)\b", re.I)

# Stage kinds, tried in order: the first whose words occur in the stage wins.
KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "data",
        re.compile(
            r"^(?:\w+\s+)?(?:collect\w*|curat\w*|filter\w*|synthes\w*|annotat\w*|gather\w*)\b",
            re.I,
        ),
    ),
    ("alignment", re.compile(r"\b(dpo|rlhf|preference|align\w*|human feedback)\b", re.I)),
    (
        "rl",
        re.compile(
            r"\b(reinforcement|rl|grpo|ppo|rlvr|reward\w*|policy|rollouts?|trajector\w*)\b", re.I
        ),
    ),
    ("distillation", re.compile(r"\bdistill\w*", re.I)),
    ("midtraining", re.compile(r"\bmid-?training\b|\bannealing\b", re.I)),
    ("pretraining", re.compile(r"\bpre-?train\w*|\bcontinued pre", re.I)),
    (
        "finetuning",
        re.compile(r"\b(fine-?tun\w*|sft|supervised|instruction[- ]tun\w*|adapt\w*)\b", re.I),
    ),
    (
        "data",
        re.compile(
            r"\b(data\w*|collect\w*|filter\w*|synthes\w*|curat\w*|annotat\w*|label\w*|"
            r"sampl\w*|select\w*|prun\w*|cluster\w*|generat\w* (?:\w+ )?data|corpus|"
            r"shuffl\w*|augment\w*)\b",
            re.I,
        ),
    ),
    (
        "inference",
        re.compile(r"\b(inference|decod\w*|test-time|retriev\w*|search|generat\w*)\b", re.I),
    ),
    ("evaluation", re.compile(r"\b(evaluat\w*|benchmark\w*|assess\w*|verif\w*)\b", re.I)),
)


@dataclass(frozen=True)
class FoundStage:
    """A stage cut from the abstract: a short name, its kind, what happens in it."""

    name: str
    kind: str
    description: str


def stage_kind(text: str) -> str:
    """The coarse kind of a stage from the words of its name and description."""
    for kind, words in KIND_WORDS:
        if words.search(text):
            return kind
    return "other"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()).strip(" ,;:")
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0]
    return cut + "..."


def _strip_item(item: str) -> str:
    item = " ".join(item.split()).strip(" ,;:.\"'\u201c\u201d")
    return _ENUMERATOR.sub("", item).strip()


def _stage(item: str) -> FoundStage | None:
    """A stage from an item's text: the name up to the first clause word, the rest told."""
    item = _LEADING.sub("", _strip_item(item))
    if len(item) < 3:
        return None
    end = _NAME_END.search(item, 3)
    name = item[: end.start()] if end else item
    words = name.split()
    if len(words) > MAX_NAME_WORDS:
        name = " ".join(words[:MAX_NAME_WORDS])
    if name.count("(") > name.count(")"):
        name = name[: name.rfind("(")]
    name = _clip(name.strip(" \"'\u201c\u201d()"), MAX_NAME)
    if not name or all(word.lower() in _FUNCTION_WORDS for word in name.split()):
        return None
    return FoundStage(name=name, kind=stage_kind(item), description=_clip(item, MAX_DESCRIPTION))


def _stages(items: Sequence[str]) -> list[FoundStage]:
    stripped = [_LEADING.sub("", _strip_item(item)) for item in items]
    if any(
        _FINDING.match(item) or _NOT_A_STAGE.match(item) or _CONTRIBUTION_ITEM.match(item)
        for item in stripped
    ):
        return []
    if 2 * sum(1 for item in stripped if _STATEMENT.match(item)) >= len(stripped):
        return []
    stages = [stage for stage in map(_stage, items) if stage is not None]
    return stages if len(stages) >= 2 else []


def _from_enumeration(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    for sentence in sentences:
        markers = list(_ENUMERATOR.finditer(sentence.text))
        if len(markers) < 2 or not _in_order([m.group("mark").lower() for m in markers]):
            continue
        # "To address these challenges, we propose a two-stage approach: (1) ...": the
        # challenges are what the stages answer, not what the list enumerates.
        lead = _ADDRESSED.sub("", sentence.text[: markers[0].start()])[-80:]
        if (
            _ENABLED_BY.search(lead)
            or _NOT_STAGES_CONTEXT.search(lead)
            or _REPORTS.search(sentence.text, 0, markers[0].start())
        ):
            continue
        items = [
            sentence.text[marker.end() : following.start() if following else None]
            for marker, following in zip(markers, [*markers[1:], None], strict=True)
        ]
        # "either (a) ... or (b) ...": alternatives, not steps one after the other.
        if re.search(r"\beither\s*$", lead, re.I) or any(
            re.search(r"\bor\s*$", item, re.I) for item in items[:-1]
        ):
            continue
        stages = _stages([re.sub(r",?\s*(?:and|or)?\s*$", "", item) for item in items])
        if stages:
            return stages
    del text
    return []


def _in_order(marks: Sequence[str]) -> bool:
    return any(tuple(marks) == order[: len(marks)] for order in _MARK_ORDERS)


def _from_named_phases(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """ "N phases" announced, then each named: 'a "warmup" phase', 'a signal-heavy phase'."""
    announced = _ANNOUNCED_COUNT.search(text)
    if announced is None:
        return []
    stages: list[FoundStage] = []
    seen: set[str] = set()
    for match in _NAMED_PHASE.finditer(text, announced.end()):
        name = match.group("name").replace("\u201c", "").replace("\u201d", "").replace('"', "")
        key = name.lower()
        # "the fourth stage" names no phase: an ordinal only counts them.
        if key in seen or key.split()[0] in _NOT_A_PHASE_NAME:
            continue
        seen.add(key)
        sentence = next((s.text for s in sentences if s.start <= match.start() < s.end), name)
        stages.append(
            FoundStage(
                name=_clip(name, MAX_NAME),
                kind=stage_kind(name),
                description=_clip(sentence, MAX_DESCRIPTION),
            )
        )
    ranks = [_NTH_RANK.get(stage.name.split()[0].lower(), 0) for stage in stages]
    if any(b and a > b for a, b in pairwise(ranks)):  # told backwards: a description
        return []
    return stages if len(stages) >= 2 else []


def _from_stage_sentences(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """Sentences opened by "In the first stage, ...", "In the second stage, ...": each
    tells one stage, in order."""
    openers = [
        (sentence.text, opener)
        for sentence in sentences
        if (opener := _STAGE_OPENER.match(sentence.text)) is not None
    ]
    del text
    ranks = [_NTH_RANK.get((opener.group("nth") or "").lower(), 0) for _, opener in openers]
    # "The fourth stage looks ... The third stage ...": described, not run in order.
    if len(openers) < 2 or any(b and a > b for a, b in pairwise(ranks)):
        return []
    stages = _stages([told[opener.end() :] for told, opener in openers])
    if not stages or len(stages) != len(openers):
        return stages
    # "In the supervised phase, we sample ...": the phase's own name names the stage.
    return [
        _named(opener, stage) if opener.group("named") else stage
        for (_, opener), stage in zip(openers, stages, strict=True)
    ]


def _named(opener: re.Match[str], stage: FoundStage) -> FoundStage:
    word = _PHASE_WORD.search(opener.group(0))
    name = f"{opener.group('named')} {word.group(0) if word else 'phase'}"
    return FoundStage(name=_clip(name, MAX_NAME), kind=stage.kind, description=stage.description)


def _from_announced_list(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    for match in _ANNOUNCED_LIST.finditer(text):
        # "this two-phase approach offers several benefits: ...": the list is of benefits.
        if _NOT_STAGES_CONTEXT.search(text, match.start(), match.start("items")):
            continue
        items = _list_items(match.group("items"))
        count = re.match(r"\w+", match.group(0))
        wanted = _COUNTS.get(count.group(0).lower()) if count else None
        if count and count.group(0).isdigit():
            wanted = int(count.group(0))
        if wanted:
            items = items[:wanted]
        stages = _stages(items)
        if stages:
            return stages
    del sentences
    return []


def _list_items(text: str) -> list[str]:
    """Items of a list: split at commas and semicolons (or at "and" when there are none);
    pieces that open with a relative word are joined back to the item before."""
    # "three stages: training A, with B; training C; and retraining D": the semicolons
    # separate the items, the commas are inside them.
    splitter = _SPLIT_SEMICOLONS if ";" in text else _SPLIT_ITEMS
    pieces = [piece for piece in splitter.split(text) if piece.strip()]
    if len(pieces) < 2:
        pieces = [piece for piece in _SPLIT_PAIR.split(text) if piece.strip()]
    items: list[str] = []
    for piece in pieces:
        if items and _CONTINUATION.match(piece.strip()):
            items[-1] = f"{items[-1]}, {piece}"
        else:
            items.append(piece)
    return items


def _from_first_then(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    for match in _FIRST_THEN.finditer(text):
        items = [match.group(name) for name in ("a", "b", "c") if match.group(name)]
        stages = _stages(items)
        if stages:
            return stages
    del sentences
    return []


def _from_ordinal_sentences(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """Consecutive sentences opened by "First", "Next", "Finally"...; a "Next" with no
    "First" takes the sentence before it as the first stage."""
    openers = [_ORDINAL_OPENER.match(sentence.text) for sentence in sentences]
    marked = [index for index, opener in enumerate(openers) if opener]
    if not marked or (len(marked) < 2 and marked[0] == 0):
        return []
    first = marked[0]
    words = [opener.group("word").lower() for opener in openers if opener]
    starts_sequence = words[0].startswith("first")
    # A lone "Finally," closes many abstracts with a finding: it makes no sequence.
    if not starts_sequence and all(word in {"finally", "lastly"} for word in words):
        return []
    indexes = marked if starts_sequence else [first - 1, *marked]
    if len(indexes) < 2 or max(indexes) - min(indexes) > len(indexes) + 1:
        return []
    # "X differs from Y in several respects. First, ...": a list of points, not steps.
    if starts_sequence and first > 0 and _POINTS_ANNOUNCED.search(sentences[first - 1].text):
        return []
    items = []
    for index in indexes:
        found = openers[index]
        sentence = sentences[index].text
        items.append(sentence[found.end() :] if found else sentence)
    del text
    return _stages(items)


def _from_passive_then(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """A step told, then "X is/are then <done>": the two steps in order."""
    for index, sentence in enumerate(sentences):
        found = _PASSIVE_THEN.search(sentence.text)
        if found is None:
            continue
        head = sentence.text[: found.start()]
        if _RELATIVE_END.search(head):
            continue
        joined = _AND_BEFORE.search(head)
        if joined is not None:
            before = head[: joined.start()]
        elif len(head.split()) <= _SUBJECT_ONLY_WORDS and index > 0:
            before = sentences[index - 1].text
        else:
            continue
        stages = _stages([_STEP_LEAD.sub("", before.strip()), found.group("step")])
        if stages:
            return stages
    del text
    return []


def _from_then_compound(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """ "A generate-then-train process": the compound's two verbs, in order."""
    found = _THEN_COMPOUND.search(text)
    if found is None:
        return []
    told = next((s.text for s in sentences if s.start <= found.start() < s.end), found.group(0))
    description = _clip(told, MAX_DESCRIPTION)
    return [
        FoundStage(
            name=found.group(part), kind=stage_kind(found.group(part)), description=description
        )
        for part in ("a", "b")
    ]


def _from_followed_by(text: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """ "A, followed by B", both training phases (pre-training, fine-tuning, RL, ...)."""
    for found in _FOLLOWED_BY.finditer(text):
        # Only the text since the last sentence or clause mark can be the first phase.
        start = max(text.rfind(mark, 0, found.start()) for mark in ".;:,") + 1
        before = _BEFORE_FOLLOWED.search(text, start, found.start())
        if before is None:
            continue
        first, second = before.group("a"), found.group("b")
        if not (_TRAINING_PHASE.search(first) and _TRAINING_PHASE.search(second)):
            continue
        # The first phase is the last noun phrase before "followed by".
        starts = list(_NOUN_PHRASE_START.finditer(first))
        if starts:
            first = first[starts[-1].end() :]
        stages = _stages([first, second])
        if stages:
            return stages
    del sentences
    return []


_FINDERS: tuple[Callable[[str, Sequence[Sentence]], list[FoundStage]], ...] = (
    _from_enumeration,
    _from_announced_list,
    _from_stage_sentences,
    _from_first_then,
    _from_named_phases,
    _from_ordinal_sentences,
    _from_passive_then,
    _from_then_compound,
    _from_followed_by,
)


def find_stages(abstract: str, sentences: Sequence[Sentence]) -> list[FoundStage]:
    """The ordered stages the abstract names, or none when it describes no sequence."""
    for finder in _FINDERS:
        stages = finder(abstract, sentences)
        if stages:
            return stages
    return []
