"""The v1 estimator, defined once for the two places that fit it.

Cue-word selection (``select_cue_words.py``) scores each candidate word by how much it helps this
classifier, and model 1 (``training/model1_2019``) is this classifier fitted on the chosen words.
Keeping the definition here lets the feature step use it without importing the training code.
"""

from sklearn.ensemble import HistGradientBoostingClassifier

RANDOM_STATE = 2019


def build_classifier(random_state: int = RANDOM_STATE) -> HistGradientBoostingClassifier:
    """The v1 estimator.

    Nine coarse features leave little for a linear model: spam is "many capitals *and* a cue
    word", an interaction, which boosted trees find. On fewer than 10,000 rows they use no early
    stopping, so ``random_state`` does not change the model.
    """
    return HistGradientBoostingClassifier(random_state=random_state)
