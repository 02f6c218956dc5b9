"""The metric of a claimed gain: the phrase that the claim's own words name.

Looked for in this order, nearest first: the noun after a comparative ("3x fewer
samples", "50% better optimality"), the noun of an improvement word ("a 5.03 absolute
NDCG@10 improvement", "a 97% improvement in separation"), a known metric right after the
number ("42.76% length-controlled win rate"), "in X" after the number ("by 2.94% in
average performance"), the object of an improvement verb before "by/from"
("reduces MBE by 50%", "improves the throughput of ... by 59% and 89%"), "X of N"
("top-1 accuracies of 59.0"), then a known metric name in the clause, then earlier in
the sentence. When a clause lists as many metrics as values ("89% and 65% ... on BLEU@4
and GPT evaluation scores"), they are paired in order.
"""

from __future__ import annotations

import re

GENERIC = "performance"
# Metric names worth recognising wherever they occur (longest first within a group).
_KNOWN = (
    r"attack success rates?|task success rates?|success rates?|win rates?|pass rates?|"
    r"error rates?|exact match|pass@\d+|top-\d+ accurac(?:y|ies)|accurac(?:y|ies)|"
    r"f1(?:[- ]scores?)?|bleu(?:@\d+|-\d+)?|rouge(?:-\w+)?|meteor|cider|perplexity|"
    r"cross-entropy|log-likelihood|likelihood|ndcg(?:@\d+)?|mrr|map@\d+|recall@\d+|"
    r"mae|mse|rmse|psnr|ssim|m?iou|auroc|auc|fid|gfid|inception score|wer|cer|"
    r"sharpe ratio|maximum drawdown|latency|throughput|speed-?ups?|memory(?: usage| footprint)?|"
    r"training time|inference time|wall-clock time|run-?time|training cost|inference cost|"
    r"gpu hours|energy|sample efficiency|efficiency|robustness|generali[sz]ation|"
    r"convergence|compression ratio|compression|reward|regret|recall|precision|"
    r"hallucinations?|toxicity|bias|fairness|calibration|utility|fidelity|"
    r"(?:mean )?average precision|f-(?:scores?|measures?)|f1-measures?|"
    r"dice (?:scores?|coefficients?)|"
    r"(?:root )?mean (?:absolute|squared) errors?|click-through rates?|"
    # "30% AP", "mAP@0.5": upper case only, "map" and "ap" are words too.
    r"(?-i:m?AP(?:@[\d.:]+|50|75)?)"
)
KNOWN_METRIC = re.compile(
    rf"\b(?:{_KNOWN})(?![\w@-])(?!\s+(?:approach|method|model|algorithm|technique|framework|"
    r"strategy|scheme|module|system)s?\b)",
    re.I,
)
# Nouns that end a metric phrase the abstract coins ("GPT evaluation scores").
_METRIC_NOUN = re.compile(
    r"(?:scores?|rates?|accurac(?:y|ies)|errors?|loss|performance|quality|speed|time|cost|"
    r"usage|length|size|ratio|gap|effectiveness|efficiency|robustness|fidelity|metrics?|"
    r"duration|correlations?)$",
    re.I,
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DETERMINERS = _word_set("the a an its their our his her this these those both overall up to")
# Words that end a noun phrase: prepositions, conjunctions, verbs of the clause.
_STOP = _word_set(
    "by from to on in of for over than compared across with without while at under via "
    "through when versus vs as which that respectively against within among based "
    "is are was were be been being and or but while whereas after before during per "
    "using achieving reaching yielding leading resulting making can could may might "
    "will would should does do did has have had upon despite although though even "
    "demonstrate demonstrates show shows illustrate illustrates indicate indicates "
    "exhibit exhibits reveal reveals suggest suggests yields yield provides provide offers "
    "offer gives give brings bring leads lead enables enable allows allow obtains obtain "
    "delivers deliver achieves achieve"
)
# "the number of effective epochs": a quantity noun keeps the "of" phrase after it.
_QUANTITY_NOUNS = _word_set("number amount count fraction share proportion percentage")
_LEADING_HOLLOW = _word_set(
    "relative absolute significant substantial consistent considerable large small notable "
    "marked further additional various several multiple different diverse many all strong "
    "spectacular remarkable dramatic impressive clear great good excellent superior "
    "competitive"
)
_HOLLOW = _LEADING_HOLLOW | {"average", "overall", "total", "net", "most", "more"}
_TOKEN = re.compile(r"[\w@.+/'\u2019-]+|[^\w\s]")
_COMPARATIVE_AFTER = re.compile(
    r"\s+(?:(?:relative|absolute|average|overall)\s+)?(?P<cmp>higher|better|greater|lower|"
    r"fewer|less|more|faster|slower|smaller|larger|cheaper|shorter|longer)\b(?P<rest>.*)",
    re.I | re.S,
)
_IMPROVEMENT_AFTER = re.compile(
    r"\s+(?P<np>(?:[\w@.+/-]+\s+){0,3}?)(?:improvements?|gains?|increases?|boosts?|"
    r"reductions?|decreases?|drops?|(?P<speedup>speed[- ]?ups?)|accelerations?|savings?)\b"
    r"(?:\s+(?:in|of|on|for)\s+(?P<obj>.*))?",
    re.I | re.S,
)
_DOMAIN = re.compile(r"\b(?:domains?|tasks?|settings?|benchmarks?|datasets?|languages?)$", re.I)
_IN_AFTER = re.compile(
    r"\s+(?:(?P<terms>in\s+terms\s+of)|in|on)\s+"
    r"(?P<rest>.*)",
    re.I | re.S,
)
# A list of further numbers right after this one ("3% and 0.1%"), skipped before the
# metric words that follow the whole list.
_NUMBER_LIST_AFTER = re.compile(
    r"^(?:\s*(?:,|and|or|to|respectively)\s*(?:by\s+)?(?:up\s+to\s+)?\+?[\d.,]+\s?"
    r"(?:\\?%|x|\u00d7|-fold|times|points?|pp|percent(?:age points?)?)?)+",
    re.I,
)
_NUMBER_LIST_BEFORE = re.compile(
    r"(?:\+?[\d.,]+\s?(?:\\?%|x|\u00d7|-fold|times|points?|pp|percent)?\s*"
    r"(?:\(\s*)?(?:,|and|or)?\s*)+$",
    re.I,
)
_IMPROVEMENT_VERB = re.compile(
    r"\b(?:improv\w*|boost\w*|enhanc\w*|increas\w*|rais\w*|lift\w*|reduc\w*|decreas\w*|"
    r"lower\w*|cut\w*|accelerat\w*|speed\w*\s+up|sav\w*|shrink\w*|minimi[sz]\w*|"
    r"maximi[sz]\w*|halv\w*|doubl\w*)\b",
    re.I,
)
# After the verb: its object, then "by/from/to" right before the number.
_OBJECT_THEN_NUMBER = re.compile(
    r"\s+(?P<np>[^,;]{2,120}?)\s+(?:by|from|to)\s+"
    r"(?:(?:up to|about|around|roughly|over|more than|nearly|almost|at least|an average of|"
    r"on average|as much as|as little as|between)\s+)?$",
    re.I,
)
# "... training examples by up to 5.3 times and training time by": the second object.
_COORDINATED_OBJECT_BEFORE = re.compile(
    r"\bby\s+[^,;()]*\band\s+(?P<np>[^,;()]{2,60}?)\s+by\s+"
    r"(?:(?:up to|about|around|over|more than|nearly|almost|at least|between)\s+)?$",
    re.I,
)
_OF_BEFORE = re.compile(
    r"(?P<np>(?:[\w@.+/-]+\s+){0,3}[\w@.+/-]+)\s+(?:of|at)\s+(?:up to\s+|about\s+|over\s+)?$",
    re.I,
)
# "on BLEU@4 and GPT evaluation scores": the coordinated metrics of a list of values.
_METRIC_LIST = re.compile(
    r"\b(?:on|in|for|of|in terms of)\s+(?P<items>[^,;()]+?(?:,\s*[^,;()]+?)*,?\s+and\s+"
    r"[^,;()]+?)(?=\s+(?:in|on|for|at|over|across|compared|with|while|respectively)\b|[,;()]|$)",
    re.I,
)


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


_VERB_LIKE = re.compile(
    r"(?:outperform|surpass|achiev|improv|reduc|remain|maintain|match|exceed|beat|yield|"
    r"provid|offer|enabl|allow|lead|show|demonstrat|increas|decreas|lower|boost|enhanc|"
    r"requir|need|generat|produc|perform|reach|obtain|deliver|establish|set)"
    r"(?:e|es|ed|d|ing|s)?$",
    re.I,
)


_COMPARATIVES = _word_set(
    "better higher lower faster slower more less fewer improved reduced superior stronger "
    "greater cheaper smaller larger"
)


def noun_phrase(text: str, limit: int = 4) -> str | None:
    """The noun phrase that opens `text` (determiners and a possessive skipped), up to
    `limit` words and the first preposition, verb or punctuation mark; None when it is
    empty or only hollow adjectives ("average", "significant"). A quantity noun keeps its
    "of" phrase ("the number of effective epochs"); one "and" joins two nouns
    ("helpfulness and factuality")."""
    words = _words(text)
    index = 0
    while index < len(words) and words[index].lower() in _DETERMINERS:
        index += 1
    if index < len(words) - 1 and re.search(r"['\u2019]s$", words[index]):
        index += 1  # "ELECTRA's average performance": the possessor is not the metric
    taken: list[str] = []
    budget = limit
    joined = False
    rest = words[index:]
    for position, word in enumerate(rest):
        lowered = word.lower()
        if lowered == "of" and len(taken) == 1 and taken[0].lower() in _QUANTITY_NOUNS:
            taken.append(word)
            budget += 1
            continue
        following = rest[position + 1].lower() if position + 1 < len(rest) else ""
        if (
            lowered in {"and", "or"}
            and taken
            and not joined
            and following
            and re.match(r"\w", following)
            and following not in _STOP
            and following not in _DETERMINERS
            and not _VERB_LIKE.match(following)
            and following not in _COMPARATIVES
        ):
            taken.append(word)
            joined = True
            budget += 2
            continue
        if (
            not re.match(r"[\w@]", word)
            or lowered in _STOP
            or (lowered == "relative" and following == "to")
            or lowered.endswith("ly")
            or (taken and _VERB_LIKE.match(lowered))
        ):
            break
        if re.fullmatch(r"[\d.,]+", word):
            break
        taken.append(word)
        if len(taken) >= budget:
            break
    while taken and (
        taken[-1].lower() in {"of", "and", "or"}
        or (len(taken) > 1 and re.fullmatch(r"\w{3,}[^e]ed", taken[-1].lower()) is not None)
    ):
        taken.pop()
    while len(taken) > 1 and taken[0].lower() in _LEADING_HOLLOW:
        taken.pop(0)
    while taken and taken[-1].lower() in _HOLLOW:
        taken.pop()
    if not taken or all(word.lower() in _HOLLOW for word in taken):
        return None
    return " ".join(taken)


_UNIT_WORDS = re.compile(r"\s+(?:percentage\s+)?(?:points?|pts|pp|percent)$", re.I)


def _tidy(phrase: str) -> str:
    """The phrase on one line, without edge punctuation or a trailing unit word."""
    return _UNIT_WORDS.sub("", " ".join(phrase.split()).strip(" .,;:")) or phrase


def is_generic(metric: str) -> bool:
    """True for a metric that names nothing measured ("performance", "results")."""
    return metric.lower() in {
        "performance",
        "performances",
        "result",
        "results",
        "score",
        "scores",
        "improvement",
        "improvements",
        "gain",
        "gains",
        "quality",
        "effectiveness",
        "capability",
        "capabilities",
    }


def _known_in(text: str) -> str | None:
    found = KNOWN_METRIC.search(text)
    return found.group(0) if found else None


def _after_number(after: str) -> str | None:
    after = _NUMBER_LIST_AFTER.sub("", after)
    compared = _COMPARATIVE_AFTER.match(after)
    if compared:
        rest = compared.group("rest")
        if not re.match(r"\s*than\b", rest, re.I):
            # "4x cheaper in GPU compute": what is cheaper.
            phrase = noun_phrase(re.sub(r"^\s*(?:in terms of|in)\s+", "", rest, flags=re.I))
            if phrase:
                return phrase
        return {
            "faster": "speed",
            "slower": "speed",
            "cheaper": "cost",
            "smaller": "size",
            "larger": "size",
        }.get(compared.group("cmp").lower())
    improvement = _IMPROVEMENT_AFTER.match(after)
    if improvement:
        phrase = noun_phrase(improvement.group("np") or "")
        if phrase:
            return phrase
        target = noun_phrase(improvement.group("obj") or "")
        # "a 97% improvement in separation", not "in the mathematical domain".
        if target and not _DOMAIN.search(target):
            return target
        # "a 40 fold speed up" names speed, whatever it speeds up.
        speedup = improvement.group("speedup")
        return ("speed" if " " in speedup else speedup) if speedup else None
    head = noun_phrase(after, limit=4)
    if head and KNOWN_METRIC.search(head):
        return head
    located = _IN_AFTER.match(after)
    if located:
        phrase = noun_phrase(located.group("rest"))
        # "in terms of X" says X is what was measured; a bare "in X" only when X is one.
        if phrase and (
            located.group("terms") or KNOWN_METRIC.search(phrase) or _METRIC_NOUN.search(phrase)
        ):
            return phrase
    return None


_BEATING_VERB = re.compile(r"\b(?:outperform|surpass|beat|exceed|outstrip)\w*", re.I)


def _governed_by_improvement(before: str) -> bool:
    """True when the last claim verb is an improvement verb ("reduces X by 5x and Y by"),
    not a beating one ("outperforms X by 3% and Y by", whose objects are baselines)."""
    improving = [m.start() for m in _IMPROVEMENT_VERB.finditer(before)]
    beating = [m.start() for m in _BEATING_VERB.finditer(before)]
    return bool(improving) and (not beating or improving[-1] > beating[-1])


def _verb_object(before: str) -> str | None:
    """The object of the last improvement verb whose object runs up to "by/from/to"
    just before the number ("cuts latency by 30% and improves throughput by")."""
    for verb in reversed(list(_IMPROVEMENT_VERB.finditer(before))):
        found = _OBJECT_THEN_NUMBER.match(before, verb.end())
        if found:
            return noun_phrase(found.group("np"))
    return None


# "performance gains of 2%", "a runtime reduction of 7x": the noun before the word.
_IMPROVEMENT_OF_BEFORE = re.compile(
    r"(?P<np>[\w@.+/-]+(?:\s+[\w@.+/-]+)?)\s+(?:improvements?|gains?|increases?|boosts?|"
    r"reductions?|decreases?|speed-?ups?|savings?)\s+(?:(?:of|at)\s+)?"
    r"(?:up to\s+|about\s+|over\s+)?$",
    re.I,
)


_BY_BEFORE_NUMBER = (
    r"(?:by|from|to)\s+(?:(?:up to|about|around|roughly|over|more than|nearly|almost|"
    r"at least|an average of|as much as)\s+)?$"
)
# "a reduction in required communication rounds by 10x": what the improvement is in.
_IMPROVEMENT_IN_BEFORE = re.compile(
    r"\b(?:improvements?|gains?|increases?|boosts?|reductions?|decreases?)\s+(?:in|of)\s+"
    rf"(?P<np>[^,;()]{{2,80}}?)\s+{_BY_BEFORE_NUMBER}",
    re.I,
)
# "the root mean squared error is reduced from", "the click-through rate (CTR) improved
# by", "type II error of ANNs drops significantly to": the subject is the metric.
_PASSIVE_BEFORE_NUMBER = re.compile(
    r"\s+(?:(?:is|are|was|were|has been|have been|gets?|got)\s+)?(?:\w+ly\s+)?"
    r"(?:improved|reduced|increased|decreased|lowered|raised|boosted|cut|improves|increases|"
    r"decreases|drops|dropped|falls|fell|rises|rose|grows|grew)\s+(?:\w+ly\s+)?"
    + _BY_BEFORE_NUMBER,
    re.I,
)


def _passive_subject(before: str) -> str | None:
    """The measured subject of "X is reduced by/from/to" ending `before`: the phrase
    before the verb, or the part of it before "of" ("type II error of ANNs"), when it
    names a metric."""
    found = _PASSIVE_BEFORE_NUMBER.search(before)
    if found is None:
        return None
    head = re.sub(r"\s*\([^()]*\)\s*$", "", before[: found.start()])
    words = _words(head)[-8:]
    cut = 0
    for index, word in enumerate(words):
        lowered = word.lower()
        stop = lowered in _STOP and lowered != "of"
        if not re.match(r"[\w@]", word) or stop or _VERB_LIKE.match(lowered):
            cut = index + 1
    for part in re.split(r"\s+of\s+", " ".join(words[cut:]), maxsplit=1):
        phrase = noun_phrase(part, limit=5)
        if (
            phrase
            and phrase.split()[-1].lower() not in _SYSTEM_HEADS
            and (KNOWN_METRIC.search(phrase) or _METRIC_NOUN.search(phrase))
            and not is_generic(phrase)
        ):
            return phrase
    return None


def _before_number(before: str) -> str | None:
    before = _NUMBER_LIST_BEFORE.sub("", before.rstrip()) + " "
    within = _IMPROVEMENT_IN_BEFORE.search(before)
    if within:
        phrase = noun_phrase(within.group("np"))
        if phrase and not is_generic(phrase) and not _DOMAIN.search(phrase):
            return phrase
    subject = _passive_subject(before)
    if subject:
        return subject
    improvement = _IMPROVEMENT_OF_BEFORE.search(before)
    if improvement:
        words = improvement.group("np").split()
        while words and (
            words[0].lower() in (_DETERMINERS | _HOLLOW | _STOP)
            or (is_generic(words[0]) and len(words) > 1)
        ):
            words.pop(0)
        phrase = noun_phrase(" ".join(words))
        if phrase:
            return phrase
    coordinated = _COORDINATED_OBJECT_BEFORE.search(before)
    if (
        coordinated
        and _governed_by_improvement(before[: coordinated.start()])
        and not _VERB_LIKE.match(coordinated.group("np").split()[0])
    ):
        phrase = noun_phrase(coordinated.group("np"))
        if phrase:
            return phrase
    phrase = _verb_object(before)
    if phrase:
        return phrase
    found = _OF_BEFORE.search(before)
    if found:
        phrase = noun_phrase(found.group("np"))
        if phrase and (KNOWN_METRIC.search(phrase) or _METRIC_NOUN.search(phrase)):
            return phrase
        if phrase and re.search(
            r"(?:improvement|gain|increase|reduction|decrease|speed-?up)s?\s+(?:of|at)\s+\S*$",
            before,
            re.I,
        ):
            return phrase
    return None


# "achieves 0.77 overall score on hard prompts, outperforming X by 0.18": the metric of
# the value that the later claim improves on.
_VALUE_THEN_NOUN = re.compile(
    r"\d\s?%?\s+(?P<np>(?:[\w@-]+\s+){0,2}?(?:scores?|rates?|accurac(?:y|ies)|errors?))\b",
    re.I,
)


def quantified_metric(
    sentence: str, number_start: int, unit_end: int, clause_start: int, clause_end: int
) -> str:
    """The metric of the number at [number_start, unit_end) of `sentence`, whose claim
    is the clause [clause_start, clause_end) of the sentence."""
    after = sentence[unit_end:clause_end]
    found = _after_number(after) or _before_number(sentence[:number_start])
    if found:
        return _tidy(found)
    clause = sentence[clause_start:clause_end]
    position = number_start - clause_start
    known = [m for m in KNOWN_METRIC.finditer(clause)]
    if known:
        nearest = min(known, key=lambda m: abs(m.start() - position))
        return _tidy(nearest.group(0))
    known_before = [m.group(0) for m in KNOWN_METRIC.finditer(sentence[:clause_start])]
    valued = [m.group("np") for m in _VALUE_THEN_NOUN.finditer(sentence[:clause_start])]
    earlier = known_before or valued
    return _tidy(earlier[-1]) if earlier else GENERIC


def paired_metrics(clause: str, count: int) -> list[str] | None:
    """The metrics a clause lists for its `count` values, in order, when it lists exactly
    that many and at least one is a metric ("on BLEU@4 and GPT evaluation scores")."""
    if count < 2:
        return None
    for found in _METRIC_LIST.finditer(clause):
        items = re.split(r",\s*(?:and\s+)?|\s+and\s+", found.group("items"))
        phrases = [noun_phrase(item, limit=5) for item in items]
        if len(phrases) != count or any(phrase is None for phrase in phrases):
            continue
        named = [phrase for phrase in phrases if phrase]
        if any(KNOWN_METRIC.search(p) or _METRIC_NOUN.search(p) for p in named):
            return [_tidy(phrase) for phrase in named]
    return None


# --- unquantified claims --------------------------------------------------------------

_CLAIM_COMPARATIVE = re.compile(
    r"\b(?:better|higher|superior|improved|greater|stronger|lower|fewer|reduced|enhanced|"
    r"increased)\s+(?P<rest>.*)",
    re.I | re.S,
)
_CLAIM_VERB = re.compile(
    r"\b(?:improv(?:es|ed|ing|e)|boost(?:s|ed|ing)?|enhanc(?:es|ed|ing|e)|"
    r"increas(?:es|ed|ing|e)|reduc(?:es|ed|ing|e)|lower(?:s|ed|ing)?|"
    r"mitigat(?:es|ed|ing|e)|alleviat(?:es|ed|ing|e))\s+(?:(?:up)?on\s+)?(?P<rest>.*)",
    re.I | re.S,
)
# "substantial error improvements", "large gains in task performance".
_NOUN_IMPROVEMENT = re.compile(
    r"(?P<np>[\w@.+/-]+(?:\s+[\w@.+/-]+)?)\s+(?:improvements?|gains?|reductions?|boosts?)\b"
    r"(?!\s+(?:in|of|on|significant|substantial|considerable|large|strong|notable|"
    r"consistent)\b)",
    re.I,
)
_GAINS_IN = re.compile(
    r"\b(?:improvements?|gains?|boosts?)\s+(?:in|on)\s+(?P<rest>.*)", re.I | re.S
)
_IN_TERMS = re.compile(r"\bin terms of\s+(?P<rest>.*)", re.I | re.S)
# "under automatic and human evaluation metrics": the metrics a comparison is made under.
_UNDER_METRICS = re.compile(
    r"\b(?:under|by|on|using|according to)\s+(?P<rest>(?:[\w-]+\s+){0,4}?"
    r"(?:metrics|measures)\b)",
    re.I,
)
# "its ability to follow instructions": what the ability is, at most four more words.
_ABILITY_COMPLEMENT = re.compile(
    r"\s+(?P<tail>(?:to\s+[\w-]+|of\s+[\w-]+ing)(?:\s+(?!(?:and|or|but|while|with|by|than|over|of|in|on|for|to|from|at)\b)"
    r"[\w-]+){0,3})",
    re.I,
)
_ADJECTIVE_METRICS = (
    (re.compile(r"\bfaster\b", re.I), "speed"),
    (re.compile(r"\bmore (?:sample[- ])?efficient\b|\befficiency\b", re.I), "efficiency"),
    (re.compile(r"\bmore accurate\b", re.I), "accuracy"),
    (re.compile(r"\bmore robust\b", re.I), "robustness"),
    (re.compile(r"\bcheaper\b", re.I), "cost"),
    (re.compile(r"\bsimpler\b", re.I), "simplicity"),
    (re.compile(r"\bmore (?:stable)\b", re.I), "stability"),
    (re.compile(r"\bmore scalable\b", re.I), "scalability"),
    (re.compile(r"\bmore interpretable\b", re.I), "interpretability"),
)


_MORE_ADJECTIVE_THAN = re.compile(r"\bmore\s+(?P<adjective>[a-z][\w-]*)\s+than\b", re.I)
# "on ImageNet classification tasks", "across vision-centric benchmarks": what the
# claim is about when it names no metric.
_TASK = re.compile(
    r"\b(?:on|in|across|for)\s+(?:the\s+|both\s+|various\s+|several\s+|multiple\s+|"
    r"diverse\s+|all\s+|a\s+variety\s+of\s+|a\s+range\s+of\s+)?(?P<rest>.+)",
    re.I | re.S,
)


_ADJECTIVAL = re.compile(r"\b(?:with|of|the|a|an|by|and)\s+$", re.I)
_FASTER_CHEAPER = re.compile(r"\b(?P<cue>faster|cheaper)\s+(?P<rest>.*)", re.I | re.S)


def _object_phrase(clause: str) -> str | None:
    """What an improvement verb acts on ("reduces the number of training stages"), or
    what improvements are in ("gains in task performance")."""
    for pattern in (_IN_TERMS, _GAINS_IN, _CLAIM_VERB):
        for found in pattern.finditer(clause):
            rest = found.group("rest")
            if (
                pattern is _CLAIM_VERB
                and _ADJECTIVAL.search(clause, 0, found.start())
                # "... and improves on X", "and improving its ability": after "and" only a
                # participle ("stable and improved results") is an adjective
                and not (
                    re.search(r"\band\s+$", clause[: found.start()], re.I)
                    and not re.match(r"\w+ed\b", found.group(0), re.I)
                )
            ):
                continue  # "with increased layers": an adjective, not the claim's verb
            phrase = noun_phrase(rest)
            if phrase and (
                pattern is _IN_TERMS or not re.match(r"[A-Z][\w-]*\d|[A-Z]{2,}\b", phrase)
            ):
                return _with_complement(phrase, rest)
    return None


def _with_complement(phrase: str, rest: str) -> str:
    """An ability with what it is an ability to do ("ability to follow instructions");
    any other phrase as it is."""
    if phrase.split()[-1].lower() not in {"ability", "abilities", "capability", "capabilities"}:
        return phrase
    end = rest.lower().find(phrase.split()[-1].lower())
    found = _ABILITY_COMPLEMENT.match(rest, end + len(phrase.split()[-1])) if end >= 0 else None
    return f"{phrase} {' '.join(found.group('tail').split())}" if found else phrase


_POSTPOSED_BEFORE = re.compile(r"\b(?:a|an|the)\s+(?P<np>(?:[\w-]+\s+){0,3}[\w-]+)\s+$", re.I)


def _modified_phrase(clause: str) -> str | None:
    """The noun after a comparative adjective ("better generalization") or before an
    improvement noun ("substantial error improvements")."""
    for found in _CLAIM_COMPARATIVE.finditer(clause):
        if re.match(r"(?:to|than)\b", found.group("rest"), re.I):
            # "superior to a few methods": what follows is the baseline; what is superior
            # may come right before ("a linear Pearson correlation superior to").
            named = _POSTPOSED_BEFORE.search(clause, 0, found.start())
            phrase = noun_phrase(named.group("np")) if named else None
            if phrase and (KNOWN_METRIC.search(phrase) or _METRIC_NOUN.search(phrase)):
                return phrase
            continue
        phrase = noun_phrase(found.group("rest"))
        if phrase and not re.match(r"[A-Z][\w-]*\d|[A-Z]{2,}\b", phrase):
            return phrase
    for found in _NOUN_IMPROVEMENT.finditer(clause):
        words = found.group("np").split()
        while words and (
            words[0].lower() in (_DETERMINERS | _HOLLOW | _STOP) or is_generic(words[0])
        ):
            words.pop(0)
        phrase = noun_phrase(" ".join(words))
        if phrase:
            return phrase
    return None


# The subject of a claim whose verb has no object that could be the metric: "their
# cumulative wealth exceeds that of the best strategy", "the general ability is enhanced",
# "recall improves with more layers".
_EXCEEDS_THAT_OF = re.compile(
    r"\s+(?:\w+ly\s+)?(?:exceed|surpass|outperform|beat|outstrip|match|rival)\w*\s+"
    r"(?:those|that)\s+of\b",
    re.I,
)
_PASSIVE_OR_INTRANSITIVE = re.compile(
    r"\s+(?:(?:is|are|was|were|gets?|got|becomes?|became)\s+(?:\w+ly\s+)?"
    r"(?:improved|enhanced|boosted|increased|raised|reduced|decreased|lowered|cut)|"
    r"(?:\w+ly\s+)?(?:improves|improved|increases|increased|rises|rose|grows|grew|"
    r"decreases|decreased|drops|dropped|falls|fell))\b",
    re.I,
)
_POSSESSIVES = _word_set("our my your his her its their")
_ADVERBS = _word_set(
    "also sometimes often then still even only further thus therefore hence always never "
    "again already usually generally typically frequently rarely much far"
)
# Subjects that are the thing compared, not what was measured of it.
_SYSTEM_HEADS = _word_set(
    "method methods model models approach approaches framework frameworks system systems "
    "algorithm algorithms network networks architecture architectures baseline baselines "
    "technique techniques strategy strategies pipeline pipelines agent agents policy "
    "policies solver solvers variant variants version versions it this that they we which "
    "who work paper study module modules design designs loss objective"
)


def _subject(before: str) -> str | None:
    """The noun phrase that ends `before` ("in which their cumulative wealths" gives
    "cumulative wealths"), when it names a quantity rather than a system or a name."""
    words = _words(before)[-5:]
    cut = 0
    for index, word in enumerate(words):
        if not re.match(r"[\w@]", word) or word.lower() in _STOP or _VERB_LIKE.match(word):
            cut = index + 1
        elif word.lower() in _DETERMINERS | _POSSESSIVES:
            cut = index  # "our tests their total returns": the last phrase opens here
    words = words[cut:]
    if (
        not words
        or words[-1].lower() in _SYSTEM_HEADS
        or any(word.lower() in _ADVERBS for word in words)
    ):
        return None  # "can be also improved", "and sometimes match": no subject here
    opens_clause = len(words) == len(_words(before))
    if any(_is_name(word) for word in words) or any(
        re.match(r"[A-Z]", word) and not (index == 0 and opens_clause)
        for index, word in enumerate(words)
    ):
        return None  # a named system ("FW-Merging surpasses that of ...", "Mamba improves")
    phrase = noun_phrase(" ".join(words))
    return phrase if phrase and not is_generic(phrase) else None


def subject_metric(clause: str) -> str | None:
    """What a claim says of its subject: "X exceeds that of Y", "X is improved", "X
    improves" make X the metric when X is a quantity ("cumulative wealths")."""
    for pattern in (_EXCEEDS_THAT_OF, _PASSIVE_OR_INTRANSITIVE):
        for found in pattern.finditer(clause):
            phrase = _subject(clause[: found.start()])
            if phrase:
                return _tidy(phrase)
    return None


def comparison_metric(clause: str, cue: str = "") -> str:
    """The metric of an unquantified claim: what its clause says is better. `cue` is the
    comparison word itself ("faster than" names speed)."""
    exceeding = _EXCEEDS_THAT_OF.search(clause) and subject_metric(clause)
    if exceeding:
        return exceeding
    faster = _FASTER_CHEAPER.search(clause)
    if faster:
        what = noun_phrase(faster.group("rest"))
        suffix = "speed" if faster.group("cue").lower() == "faster" else "cost"
        if what:
            return f"{_tidy(what)} {suffix}"
    for pattern, name in _ADJECTIVE_METRICS:
        if cue and pattern.search(cue):
            return name
    phrase = _object_phrase(clause)
    if phrase:
        return _tidy(phrase)
    phrase = subject_metric(clause)
    if phrase:
        return phrase
    for found in _IN_PREPOSITION.finditer(clause):
        # "outperforms X in data selection effectiveness": a metric after "in" (not "on",
        # which names a place or a budget: "under the same budget on training data size").
        named = noun_phrase(clause[found.end() :], limit=5)
        if named and _METRIC_NOUN.search(named) and not is_generic(named):
            return _tidy(named)
    measured = _UNDER_METRICS.search(clause)
    if measured:
        named = noun_phrase(measured.group("rest"), limit=6)
        if named and named.split()[-1].lower() in {"metrics", "measures"}:
            return _tidy(named)
    phrase = _modified_phrase(clause)
    known = _known_in(clause)
    if phrase and (KNOWN_METRIC.search(phrase) or not known):
        return _tidy(phrase)
    if known:
        return _tidy(known)
    for pattern, name in _ADJECTIVE_METRICS:
        if pattern.search(clause):
            return name
    more = _MORE_ADJECTIVE_THAN.search(clause)
    if more:
        return more.group("adjective")
    return GENERIC


_TASK_PREPOSITION = re.compile(r"\b(?:on|in|across)\s+", re.I)
_IN_PREPOSITION = re.compile(r"\bin\s+", re.I)
_QUANTIFIERS = re.compile(
    r"(?:(?:the|both|various|several|multiple|diverse|all|many|a variety of|a range of|"
    r"a suite of|a set of|\d+ out of|\d+)\s+)*",
    re.I,
)


_OF_TASK = re.compile(r"\s*(?:(?:performances?|results?)\s+)?of\s+(?P<rest>.+)", re.I | re.S)
# "Experiments across multiple reasoning benchmarks show that ...": where the sentence's
# claims were measured, when the claim itself does not say.
_LEAD_IN_PLACE = re.compile(
    r"(?:[\w-]+\s+){0,3}?(?:experiments?|results?|evaluations?)\s+(?:on|across|over|in)\s+"
    r"(?P<place>[^,;:()]{3,120}?)\s+(?:show|demonstrate|indicate|reveal|illustrate|confirm|"
    r"suggest|verify|validate)s?\b",
    re.I,
)


def lead_in_task(metric: str, sentence: str) -> str:
    """A bare generic metric with the task that its sentence's lead-in names ("Experiments
    on two retrieval benchmarks show that ..." gives "retrieval performance"); unchanged
    when the lead-in names no task (a setting, a benchmark name, "six datasets")."""
    if not is_generic(metric):
        return metric
    found = _LEAD_IN_PLACE.match(sentence)
    if found is None:
        return metric
    # "publicly available": an adverb of the place's adjective, not the end of its phrase
    place = re.sub(r"\b(?:publicly|widely|commonly|freely)\s+", "", found.group("place"))
    place = place[_QUANTIFIERS.match(place).end() :]  # type: ignore[union-attr]
    task = noun_phrase(place, limit=8)
    if not task:
        return metric
    reworded = task_performance(f"{metric} on {_tidy(task)}")
    return reworded if " on " not in reworded else metric


def qualified(metric: str, claim: str, start: int = 0) -> str:
    """A generic metric ("performance") with the task or benchmark its claim names after
    `start` ("outperforms X on ImageNet classification tasks" gives "performance on
    ImageNet classification tasks"); any other metric as it is."""
    if not is_generic(metric):
        return metric
    of = _OF_TASK.match(claim, start)
    if of:
        # "SOTA performance of semi-supervised generation and classification": "of" and a
        # task right after the generic word say what was measured.
        task = noun_phrase(of.group("rest"), limit=6)
        if task and task_performance(f"{metric} on {task}") != f"{metric} on {task}":
            return f"{metric} on {_tidy(task)}"
    for found in _TASK_PREPOSITION.finditer(claim, start):
        rest = claim[found.end() :]
        rest = rest[_QUANTIFIERS.match(rest).end() :]  # type: ignore[union-attr]
        # "on the tasks of 3D localization and 3D detection": the tasks are after "of".
        rest = re.sub(r"^tasks?\s+of\s+", "", rest, flags=re.I)
        task = noun_phrase(rest, limit=5)
        if task and not is_generic(task) and not re.match(r"(?:other|others)\b", task, re.I):
            return f"{metric} on {_tidy(task)}"
    return metric


# "performance on X": X names a task ("language modeling", "coding tasks"), a setting
# ("zero-shot settings", "the pool"), or a benchmark ("MATH-500"). A task makes the
# metric specific the way a reader writes it ("language modeling performance"); a
# setting says nothing about what was measured.
_TASK_WORDS = _word_set(
    "classification translation generation summarization retrieval recognition detection "
    "segmentation prediction reasoning understanding answering qa forecasting captioning "
    "tracking parsing tagging completion editing synthesis transcription search ranking "
    "recommendation modeling modelling coding math mathematics planning navigation "
    "manipulation control estimation clustering reconstruction inpainting denoising "
    "grounding preservation localization localisation matching verification "
    "extraction learning adaptation"
)
_COLLECTION_HEADS = _word_set(
    "task tasks benchmark benchmarks dataset datasets suite suites experiment experiments "
    "problem problems challenge challenges"
)
_SETTING_HEADS = _word_set(
    "setting settings comparison comparisons pool pools case cases scenario scenarios regime "
    "regimes condition conditions configuration configurations setup setups model models "
    "network networks teacher teachers student students baseline baselines size sizes scale "
    "scales budget budgets level levels split splits subset subsets sample samples example "
    "examples instance instances data distribution distributions"
)
# Modifiers that say how many or how usual the tasks are, not which.
_VAGUE_MODIFIERS = (
    _HOLLOW
    | _DETERMINERS
    | _word_set(
        "downstream general standard public popular common existing various different diverse "
        "multiple several many other real-world challenging representative widely-used "
        "well-known benchmark evaluation new specific selected key major main extensive "
        "comprehensive wide broad unseen held-out established classic classical typical "
        "two three four five six seven eight nine ten eleven twelve twenty dozens publicly "
        "available open-source large-scale small-scale real synthetic used"
    )
)
_NON_TASK_GERUNDS = _word_set(
    "setting thing string something everything nothing beginning following existing "
    "remaining corresponding increasing"
)
_QUALIFIED_GENERIC = re.compile(r"^(?P<head>\w+) (?:on|in|across) (?P<place>.+)$", re.S)


def _is_task_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in _TASK_WORDS or (
        len(lowered) > 5 and lowered.endswith("ing") and lowered not in _NON_TASK_GERUNDS
    )


def _is_task(words: list[str]) -> bool:
    """True when the words end in a task ("language modeling"); "following" only with
    what is followed ("instruction following", not "the following")."""
    if words[-1].lower() == "following":
        return len(words) > 1
    return _is_task_word(words[-1])


# Acronyms of fields, not of benchmarks ("CV tasks", but "GLUE tasks" is a benchmark).
_FIELD_ACRONYMS = _word_set("CV NLP NLU NLG QA VQA ASR TTS MT RL IR OCR")


def _is_name(word: str) -> bool:
    """A benchmark or model name ("MATH-500", "IFEval", "DomainNet", "GLUE"), not a
    domain word ("vision-centric", "Chinese") nor the acronym of a field ("CV")."""
    if word.rstrip("s") in _FIELD_ACRONYMS or word in _FIELD_ACRONYMS:
        return False
    if re.fullmatch(r"\d(?:\.\d)?D", word):
        return False  # "3D object reconstruction": a dimension, not a name
    return bool(re.search(r"\d|[a-z][A-Z]|[A-Z]{2}", word))


def _task_phrase(place: str) -> str | None:
    """The task that `place` names, as a modifier ("coding tasks" gives "coding task",
    "state-tracking" gives itself); None when it names a setting, a name or nothing."""
    words = place.split()
    # "the machine translation benchmark WMT10": the kind of collection before its name.
    for index, word in enumerate(words[:-1]):
        if word.lower() in _COLLECTION_HEADS and all(_is_name(name) for name in words[index + 1 :]):
            words = words[: index + 1]
            break
    words = [word for word in words if word.lower() not in _VAGUE_MODIFIERS]
    if not words or any(_is_name(word) for word in words):
        return None
    head = words[-1].lower()
    if head in _COLLECTION_HEADS:
        modifiers = words[:-1]
        if not modifiers:
            return None
        if _is_task(modifiers):
            return " ".join(modifiers)
        if all(word.rstrip("s") in _FIELD_ACRONYMS for word in modifiers):
            return " ".join([*modifiers, head.removesuffix("s")])  # "CV task"
        return None  # "video benchmarks" name a domain, not what was measured
    if _is_task(words):
        return " ".join(words)
    return None


def _setting_modifier(place: str) -> str | None:
    """The kind of setting ("zero-shot" of "zero-shot settings") when `place` is one
    setting with one hyphenated modifier; "" for another setting; None for no setting."""
    words = [word for word in place.split() if word.lower() not in _VAGUE_MODIFIERS]
    if not words or words[-1].lower() not in _SETTING_HEADS:
        return None
    lowered = words[-1].lower()
    if (
        len(words) == 2
        and "-" in words[0]
        and lowered.startswith(("setting", "regime", "scenario"))
    ):
        return words[0]
    return ""


def task_performance(metric: str) -> str:
    """A generic metric qualified by a place ("performance on X") reworded by what X is:
    a task goes before the metric ("performance on coding tasks" gives "coding task
    performance"), a setting's kind too ("performance on zero-shot settings" gives
    "zero-shot performance"), another setting is dropped ("performance on settings" gives
    "performance"), a benchmark name stays ("performance on MATH-500")."""
    found = _QUALIFIED_GENERIC.match(metric)
    if found is None or not is_generic(found.group("head")):
        return metric
    head, place = found.group("head"), found.group("place")
    parts = re.split(r"\s+and\s+|,\s*", place)
    # "unconditional and text-conditional image generation": a lone modifier shares
    # the next part's task.
    while len(parts) > 1 and len(parts[0].split()) == 1 and not _is_task_word(parts[0]):
        parts = [f"{parts[0]} and {parts[1]}", *parts[2:]]
    tasks = [_task_phrase(part) for part in parts]
    if all(tasks):
        return f"{' and '.join(task for task in tasks if task)} {head}"
    if len(parts) == 1:
        kind = _setting_modifier(place)
        if kind is not None:
            return f"{kind} {head}" if kind else head
    return metric


# Metrics that score an evaluation (not qualities such as efficiency or generalization,
# which abstracts name for other reasons).
_EVALUATION_METRIC = re.compile(
    r"\b(?:attack success rates?|task success rates?|success rates?|win rates?|pass rates?|"
    r"error rates?|exact match|pass@\d+|top-\d+ accurac(?:y|ies)|accurac(?:y|ies)|"
    r"f1(?:[- ]scores?)?|bleu(?:@\d+|-\d+)?|rouge(?:-\w+)?|meteor|cider|perplexity|"
    r"ndcg(?:@\d+)?|mrr|map@\d+|recall@\d+|mae|mse|rmse|psnr|ssim|m?iou|auroc|auc|fid|"
    r"inception score|wer|cer|(?:mean )?average precision|f-(?:scores?|measures?)|"
    r"f1-measures?|dice (?:scores?|coefficients?)|(?:root )?mean (?:absolute|squared) errors?|"
    r"click-through rates?|(?-i:m?AP(?:@[\d.:]+|50|75)?))(?![\w@-])",
    re.I,
)
_GENERIC_HEAD = re.compile(r"^(?P<head>\w+)(?P<rest>(?: (?:on|in|across) .*)?)$", re.S)


def named_in_sentence(metric: str, sentence: str) -> str:
    """A generic metric ("performance", "performance on ImageNet") with the one evaluation
    metric its sentence names elsewhere ("..., achieving top-1 accuracies of 59.0" gives
    "top-1 accuracies on ImageNet"); unchanged when the sentence names none, or several."""
    found = _GENERIC_HEAD.match(metric)
    if found is None or not is_generic(found.group("head")):
        return metric
    named = {
        match.group(0).lower(): match.group(0) for match in _EVALUATION_METRIC.finditer(sentence)
    }
    if len(named) != 1:
        return metric
    return f"{next(iter(named.values()))}{found.group('rest')}"


_LOWER_BETTER = re.compile(
    r"\b(?:errors?|loss(?:es)?|perplexity|latency|mse|mae|rmse|g?fid|wer|cer|cross-entropy|"
    r"costs?|time|runtime|memory|hallucinations?|toxicity|regret|mbe|drawdown|interference|"
    r"forgetting|iterations|epochs|steps|updates|samples|examples|labels|parameters|tokens?|"
    r"overhead|energy|size|complexity|redundancy|dependency|gap|attack success rates?|"
    r"footprint|bias)\b",
    re.I,
)


def lower_is_better(metric: str) -> bool:
    """True for a metric whose improvement is a decrease (error, latency, attack success)."""
    return bool(_LOWER_BETTER.search(metric))
