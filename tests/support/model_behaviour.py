"""Behaviour checks every spam model must pass, whatever it was trained on.

The probes are written for these tests. Three kinds of checks, as in behavioural testing of NLP
models:

- invariance: changes that do not change the meaning (case, spacing) do not flip a clear ham;
- directional: adding spam cues to a ham message raises its spam probability;
- minimum functionality: obvious messages are classified right.
"""

from collections.abc import Callable, Sequence

SpamProbability = Callable[[list[str]], Sequence[float]]

CLEAR_HAM = [
    "are we still on for lunch tomorrow",
    "i will be home late tonight, keep some soup for me",
    "can you pick up bread and milk on the way back",
    "see you at the cinema at eight",
]

OBVIOUS_SPAM = [
    "WINNER!! You have won a £1000 cash prize. Call 0800123456 now to claim",
    "URGENT: txt CLAIM to 80088 now for your FREE holiday, visit www.prizes4u.com",
    "Check out my channel and subscribe!! www.myvideos.com",
    "CHECK OUT www.easycash.com to earn money from home, subscribe to my channel",
]

SPAM_CUES = " CALL 0800123456 or txt WIN to 80088, check www.prizes4u.com"


def _variants(text: str) -> list[str]:
    return [
        text,
        text.capitalize(),
        text.title(),
        "  " + text.replace(" ", "   ") + "  ",
        text + "\n",
    ]


def check_invariance(spam_probability: SpamProbability) -> None:
    for ham in CLEAR_HAM:
        variants = _variants(ham)
        probabilities = spam_probability(variants)
        flipped = [v for v, p in zip(variants, probabilities, strict=True) if p >= 0.5]
        assert not flipped, f"case or spacing turned a clear ham into spam: {flipped}"


def check_directional(spam_probability: SpamProbability) -> None:
    plain = spam_probability(CLEAR_HAM)
    with_cues = spam_probability([ham + SPAM_CUES for ham in CLEAR_HAM])
    for ham, before, after in zip(CLEAR_HAM, plain, with_cues, strict=True):
        assert after > before, f"spam cues did not raise the spam probability of {ham!r}"


def check_minimum_functionality(spam_probability: SpamProbability) -> None:
    ham_probabilities = spam_probability(CLEAR_HAM)
    spam_probabilities = spam_probability(OBVIOUS_SPAM)
    assert all(p < 0.5 for p in ham_probabilities), ham_probabilities
    assert all(p >= 0.5 for p in spam_probabilities), spam_probabilities


BehaviourCheck = Callable[[SpamProbability], None]
BEHAVIOUR_CHECKS: list[BehaviourCheck] = [
    check_invariance,
    check_directional,
    check_minimum_functionality,
]
