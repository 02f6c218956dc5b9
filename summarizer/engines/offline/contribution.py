"""The main kind of contribution, from cue phrases of the title and abstract."""

from __future__ import annotations

import re

# "we introduce", "this paper presents": what follows is what the paper contributes.
# "We also release X" (or further, additionally) adds something beside the main result, so
# its object does not decide the kind.
_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work)|here we)\s+(?!also\b|further\b|additionally\b)(?:\w+\s+)?"
    r"(?:introduce|present|propose|release|construct|build|create|curate|collect|develop)s?\b"
)
_WINDOW = 90  # characters after a proposal verb where its object is looked for
# The noun ends its phrase ("a new dataset, ..."), so "dataset distillation" is no dataset.
_NOUN_END = (
    r"(?=\s*[,.;:(]|\s+(?:of|for|with|that|which|containing|comprising|called|named|known|"
    r"to|in|and)\b|$)"
)
_OBJECT = r"\s*(?:[\w-]+,?\s+){0,6}?"  # the object's head noun comes within a few words
# A model with its size or a family of them ("X, an 8-billion-parameter foundation
# model", "a family of large language models"): the paper is the model's report.
_MODEL_RELEASE = re.compile(
    r"[^.;]{0,60}?(?:\b\d+(?:\.\d+)?(?:\*\d+)?b\b|\b\d+-billion\b|\b(?:family|series|suite) of\b)"
    r"[^.;]{0,50}?\b(?:(?:language|foundation|base|chat) models?|llms?|mllms?)\b"
    r"|[^.;]{0,60}?\bfoundation models?\b"
)
_OBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", _MODEL_RELEASE),
    (
        "benchmark",
        re.compile(
            rf"{_OBJECT}(?:benchmark|leaderboard|testbed|test suite|evaluation suite)s?\b"
            rf"{_NOUN_END}"
        ),
    ),
    ("dataset", re.compile(rf"{_OBJECT}(?:dataset|corpus)\b{_NOUN_END}")),
    (
        "system",
        re.compile(
            rf"{_OBJECT}(?:system|library|toolkit|toolbox|platform|package|software|codebase)\b"
            rf"{_NOUN_END}"
        ),
    ),
)
# Decision list for kinds named anywhere, tried before the proposal's object.
_ANYWHERE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\btechnical report\b|\bthis report\b")),
    (
        "survey",
        re.compile(
            r"\b(?:survey|systematic review|literature review|we review|comprehensive review|"
            r"overview of (?:the|recent))\b"
        ),
    ),
)
_METHOD_NOUN = (
    r"(?:method|framework|approach|model|algorithm|architecture|technique|strategy|scheme|"
    r"paradigm|recipe|pipeline|loss|objective|module|mechanism|network|agent)s?\b"
)
# Results about proofs and bounds. "We empirically prove" is an experiment, and "the upper
# bound of performance" a figure of speech, so neither counts. The lookahead lists the
# first letters of the alternatives: it lets the regex engine skip to them, twice as fast.
_THEORY = re.compile(
    r"(?=[wtsmrcnuleg-])(?:\bwe (?!empirically\b)(?:\w+ )?(?:prove|derive|establish)\b|\btheorem\b|"
    r"\bsample complexity\b|\bminimax\b|\bregret (?:bound|guarantee)s?\b|-competitive\b|"
    r"\bcompetitive ratio\b|\bconvergence rates?\b|\bnp-hard\b|"
    r"\b(?:upper|lower|error|risk|regret|generalization|tight|matching)\s+bounds?\b(?!\s+of\b)"
    r"(?!\s+on\s+(?:the\s+)?(?:[\w-]+\s+)?(?:performance|accuracy|quality|capabilit))|"
    r"\breplica (?:symmetric|method|trick|analysis)\b|\bstatistical[- ]mechanics\b)"
)
# The authors' own result ("we prove"), as opposed to words that background sentences
# use too ("convergence rates", "bounds").
_OWN_THEORY = re.compile(r"\bwe (?!empirically\b)(?:\w+ )?(?:prove|establish)\b")
_METHOD = re.compile(
    r"\bwe (?:\w+ )?propose\b|\bnovel\b|\bour (?:method|approach)\b|"
    rf"\b(?:we|this (?:paper|work))\s+(?:\w+\s+)?(?:introduce|present|develop)s?\s+"
    rf"(?:\w+[\s-]+){{0,6}}?{_METHOD_NOUN}"
)
# A new method is beyond doubt: "we propose a ..." (not "we propose to use" an existing
# one), "the proposed method" (not "the proposed hypothesis"), "a novel approach".
_NEW_METHOD = re.compile(
    r"\b(?:we (?:\w+ )?|, and )propose (?!to\b)|"
    # The passive ("a multi-view method is proposed") and a named one ("an approach called X").
    rf"\b{_METHOD_NOUN} (?:is|are) (?:\w+ )?(?:proposed|introduced)\b|"
    rf"\b(?:introduce|present|develop)s? (?:a|an) (?:[\w-]+ ){{0,3}}?{_METHOD_NOUN},? "
    r"(?:called|named|termed|dubbed)\b|"
    rf"\b(?:the|our) proposed (?:[\w()-]+ ){{0,3}}?{_METHOD_NOUN}|"
    rf"\bnovel (?:[\w-]+ ){{0,2}}{_METHOD_NOUN}|"
    rf"\b(?:we|this (?:paper|work))\s+(?:\w+\s+)?(?:introduce|present|develop)s?\s+"
    rf"(?:a|an|the)\s+(?:[\w-]+,?\s+){{0,5}}?{_METHOD_NOUN}"
)
# "We study the problem of ..." opens theory and algorithm papers as often as studies.
_ANALYSIS = re.compile(
    r"\bwe (?:\w+ )?(?:study|investigate|analy[sz]e|examine|explore|ask|characteri[sz]e|"
    r"measure|revisit|probe|uncover|find)\b(?!\s+(?:the\s+)?(?:problem|setting|task)s?\s+of\b)|"
    r"\bempirical (?:study|analysis|investigation)\b|"
    r"\b(?:this|our) (?:study|analysis)\b|\bwe take a\b|\bwe (?:\w+ )?look (?:at|into)\b|"
    # "We conduct our own investigation", not "we conduct extensive experiments".
    r"\bwe (?:\w+ )?conduct (?:a |an |our )?(?:[\w-]+ ){0,3}?(?:study|investigation|comparison)\b"
)
# A result stated as a bound, ratio or complexity is the paper's theory even when the
# abstract opens with "we study" or "our analysis shows": studies report findings, not bounds.
_BOUND = re.compile(
    r"\bsample complexity\b|\bminimax\b|\bregret (?:bound|guarantee)s?\b|-competitive\b|"
    r"\bcompetitive ratio\b|"
    r"\b(?:upper|lower|error|risk|regret|generalization|tight|matching)\s+bounds?\b(?!\s+of\b)"
    r"(?!\s+on\s+(?:the\s+)?(?:[\w-]+\s+)?(?:performance|accuracy|quality|capabilit))"
)
_ORDERED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("theory", _THEORY),
    ("method", _METHOD),
    ("analysis", _ANALYSIS),
)
_TITLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\btechnical report\b")),
    ("survey", re.compile(r"\bsurvey\b|\ba review\b")),
    ("benchmark", re.compile(r"bench(?:mark)?\b")),
    ("dataset", re.compile(rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}?(?:dataset|corpus)\b{_NOUN_END}")),
    # "The Common Pile: An 8TB Dataset of Public Domain Text" (the spaces lost in a PDF).
    ("dataset", re.compile(r"(?:dataset|corpus) of\b")),
    # "Provable ...", "Regret Bounds for ...", "A Theory of ...": the title announces proofs.
    (
        "theory",
        re.compile(
            r"\bprovabl[ey]\b|\bregret bounds?\b|(?<!game )\btheory\b(?!-| of mind)|"
            r"\btheoretical (?:analysis|guarantees?|limits?)\b"
        ),
    ),
)
# A title that asks a question ("Does X help?", "How do models ...") announces a study.
# "X: A Multi-agent Framework for Y": the title names the method the paper contributes, so
# a benchmark or dataset the abstract presents beside it is secondary.
_TITLE_METHOD = re.compile(
    r"^[^:]{1,40}:\s*(?:an?|the)\s*(?!(?:[\w-]+\s+){0,4}?(?:formal|theoretical|conceptual)\b)"
    r"(?:[\w-]+\s+){0,4}?(?:framework|method|approach|algorithm|architecture|technique)s?\b"
)
# "Improving X", "Enhancing Y": the title announces a way to make something better.
_TITLE_IMPROVE = re.compile(r"^(?:improving|enhancing|boosting|accelerating)\b")
_TITLE_QUESTION = re.compile(r"\?|^(?:how|why|what|when|does|do|is|are|can|should)\b")
# "Analyzing X", "An Empirical Study of Y", "Understanding Z": a title that names a study.
_TITLE_STUDY = re.compile(
    r"^(?:analy[sz]ing|an? (?:\w+ )?analysis|analysis of|investigating|an investigation|"
    r"understanding|towards? (?:an? )?understanding|an empirical|empirical|a closer look|"
    r"lessons|on the (?:role|effect|impact|nature))\b"
)


def find_contribution(title: str | None, abstract: str) -> str:
    """One of the card's contribution kinds; 'method' when nothing more specific shows."""
    lowered_title = (title or "").lower().strip()
    for kind, cue in _TITLE_CUES:
        if cue.search(lowered_title):
            return kind
    text = abstract.lower()
    for kind, cue in _ANYWHERE:
        if cue.search(text):
            return kind
    if _TITLE_METHOD.search(lowered_title):
        return "method"
    for proposal in _PROPOSE.finditer(text):
        window = text[proposal.end() : proposal.end() + _WINDOW]
        for kind, noun in _OBJECTS:
            if noun.match(window):
                return kind
    # Theory, method and analysis papers share words: the authors' first cue decides,
    # except that a study which also proposes a new method is a method paper (CARD_SPEC:
    # analysis is an empirical study with no new method), and so is a paper whose only
    # theory words are background ones next to a new method.
    found = [
        (match.start(), kind) for kind, cue in _ORDERED if (match := cue.search(text)) is not None
    ]
    first = min(found)[1] if found else None
    new_method = _NEW_METHOD.search(text) is not None
    if first == "theory" and (not new_method or _OWN_THEORY.search(text)):
        return "theory"
    if new_method:
        return "method"
    # _BOUND's words are all theory cues too, so it can only match where one was found.
    if any(kind == "theory" for _, kind in found) and _BOUND.search(text):
        return "theory"
    if _TITLE_IMPROVE.search(lowered_title):
        return "method"
    if (
        first == "analysis"
        or _TITLE_QUESTION.search(lowered_title)
        or _TITLE_STUDY.search(lowered_title)
    ):
        return "analysis"
    return "method"
