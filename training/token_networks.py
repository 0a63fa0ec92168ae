"""The Keras networks over the v2 token ids: model v2's LSTM, model v3's embedding bags, and
the others measured against them (``training/model3_2021/compare_seeds.py``).

Every network maps a padded sequence of token ids to a spam probability. A network of several
*members* trains each member on its own loss and predicts with their average: a small ensemble
whose score moves much less from one seed to the next than any single member's.

Only Keras's own layers are used, so a saved model loads with ``safe_mode`` and compiles with
XLA in the model API (``api/model_serving/models/keras_tokens.py``).
"""

import os
from dataclasses import dataclass

# Keras picks its backend when first imported; this project uses TensorFlow's.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras

LSTM = "lstm"
BIDIRECTIONAL_LSTM = "bidirectional_lstm"
GRU = "gru"
CONVOLUTION = "convolution"
EMBEDDING_BAG = "embedding_bag"
NETWORKS = (LSTM, BIDIRECTIONAL_LSTM, GRU, CONVOLUTION, EMBEDDING_BAG)

TOKEN_IDS = "token_ids"  # noqa: S105 (an input's name, not a password)
EXTRA_FEATURES = "extra_features"
SPAM_PROBABILITY = "spam_probability"


@dataclass(frozen=True)
class NetworkSettings:
    """What shapes one network; ``training/model2_2020/model2.py`` holds the chosen values."""

    network: str
    embedding_dim: int
    units: int
    dropout: float
    members: int = 1


@dataclass(frozen=True)
class Networks:
    """The model that ``fit`` trains (one output per member) and the one that is saved and
    served (one output: the members' average). They share every layer, hence every weight."""

    training: keras.Model
    serving: keras.Model


def _member(
    ids: keras.KerasTensor,
    extra: keras.KerasTensor | None,
    vocabulary_size: int,
    settings: NetworkSettings,
    name: str,
) -> keras.KerasTensor:
    """One member: token ids (and extra features, if any) to a spam probability.

    - recurrent (LSTM, GRU, either direction): embedding with padding masked, then the last
      state;
    - convolution: ``units`` filters over three neighbouring tokens, the maximum over the text;
    - embedding bag: the average and the maximum of the token embeddings, word order ignored,
      then a hidden layer. Padding is not masked here: a text without any token would
      otherwise be an average over nothing, and its share of padding says how short it is.
    """
    recurrent = settings.network in (LSTM, BIDIRECTIONAL_LSTM, GRU)
    x = keras.layers.Embedding(vocabulary_size, settings.embedding_dim, mask_zero=recurrent)(ids)
    x = keras.layers.SpatialDropout1D(settings.dropout)(x)
    if recurrent:
        layer = keras.layers.GRU if settings.network == GRU else keras.layers.LSTM
        rnn = layer(settings.units, dropout=settings.dropout)
        x = keras.layers.Bidirectional(rnn)(x) if settings.network == BIDIRECTIONAL_LSTM else rnn(x)
    elif settings.network == CONVOLUTION:
        x = keras.layers.Conv1D(settings.units, 3, activation="relu", padding="same")(x)
        x = keras.layers.GlobalMaxPooling1D()(x)
    elif settings.network == EMBEDDING_BAG:
        x = keras.layers.Concatenate()(
            [keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)]
        )
    else:
        raise ValueError(f"unknown network {settings.network!r}; known: {', '.join(NETWORKS)}")
    if extra is not None:
        x = keras.layers.Concatenate()([x, extra])
    if settings.network == EMBEDDING_BAG:
        x = keras.layers.Dense(settings.units, activation="relu")(x)
    x = keras.layers.Dropout(settings.dropout)(x)
    return keras.layers.Dense(1, activation="sigmoid", name=name)(x)


def build_networks(
    vocabulary_size: int, sequence_length: int, settings: NetworkSettings, extra_features: int = 0
) -> Networks:
    """The training and serving models of ``settings``, compiled for training.

    ``extra_features`` > 0 adds a second input of that many numbers (such as the v1 features),
    read by every member beside the token ids; the model API serves token-id models only, so
    this exists to measure what such features would add.
    """
    if settings.members < 1:
        raise ValueError("a network needs at least one member")
    ids = keras.Input(shape=(sequence_length,), dtype="int32", name=TOKEN_IDS)
    inputs = [ids]
    extra = None
    if extra_features:
        extra = keras.Input(shape=(extra_features,), dtype="float32", name=EXTRA_FEATURES)
        inputs.append(extra)
    if settings.members == 1:
        spam = _member(ids, extra, vocabulary_size, settings, SPAM_PROBABILITY)
        model = keras.Model(inputs, spam, name=f"sms_spam_{settings.network}")
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return Networks(training=model, serving=model)
    members = [
        _member(ids, extra, vocabulary_size, settings, f"member_{index}")
        for index in range(settings.members)
    ]
    training = keras.Model(inputs, members, name=f"sms_spam_{settings.network}_members")
    training.compile(optimizer="adam", loss=["binary_crossentropy"] * settings.members)
    spam = keras.layers.Average(name=SPAM_PROBABILITY)(members)
    serving = keras.Model(inputs, spam, name=f"sms_spam_{settings.network}_x{settings.members}")
    return Networks(training=training, serving=serving)
