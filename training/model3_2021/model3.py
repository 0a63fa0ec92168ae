"""Model v3: the v2 token ids, read by five embedding bags, trained on what was known in 2021.

Everything but the choices below is model v2's (``training/model2_2020/model2.py``): the same
features, tokenizer, splits, training loop with early stopping, evaluation and model card.

- **Five embedding bags, averaged.** Each member embeds the token ids, takes their average and
  their maximum over the text (word order ignored), and a hidden layer turns that into a spam
  probability; v3 predicts the average of the five. ``compare_seeds.py`` measured it against
  v2's LSTM, the story's original v3 (a bidirectional LSTM), a GRU, a convolution, one
  embedding bag, class weights, a threshold chosen on validation and the v1 features read
  beside the token ids; the v3 notebook prints the comparison of v2 and v3 over three seeds.
- **A 2021 time-freeze.** The training set is ``labeled_sms_2`` as known on 2021-03-01.
- **Served from the online store.** The web app's architecture II reads a message's features
  through the feature-server proxy and asks v3's ``features_to_prediction``: the features were
  computed once, when the message arrived (the inbox webhook), not again for every prediction.
"""

from dataclasses import replace
from datetime import UTC, datetime

from analysis.paths import MODELS_DIR
from model_artifacts.layout import model_folder
from training.model2_2020.model2 import Hyperparameters, TokenModelSpec
from training.token_networks import EMBEDDING_BAG

VERSION = "v3"
FEATURE_SERVICE = "labeled_sms_2"
TIME_FREEZE = datetime(2021, 3, 1, tzinfo=UTC)
CLASSIFIER_DIR = model_folder(MODELS_DIR, VERSION)
MODEL_DIR = CLASSIFIER_DIR.parent

V3 = TokenModelSpec(
    version=VERSION,
    description="Five embedding bags over the token ids of the v2 features, their spam "
    "probabilities averaged, served from the online store (2021).",
    time_freeze=TIME_FREEZE,
)

SEEDS = (2021, 2022, 2023)
"""The seeds of the comparison; the first one's model is the one saved."""

HYPERPARAMETERS = replace(Hyperparameters(), network=EMBEDDING_BAG, members=5, seed=SEEDS[0])
