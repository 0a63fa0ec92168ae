"""Feature definitions of the ``sms_spam_store`` project.

The company's story has stages, and so does this repository. ``FEAST_STORE_STAGE`` names the
year whose objects ``feast apply`` should register (default: the latest):

- 2019: entity ``sms``; views ``sms_features1`` and ``sms_labels``; service ``labeled_sms_1``;
- 2020: adds view ``sms_features2`` (token ids) and service ``labeled_sms_2``;
- 2021: adds push source ``smss2_push``, through which new messages' v2 features reach
  ``sms_features2`` as they arrive, online and offline.

Each stage keeps every object of the stages before it. Applying an earlier stage removes the
later objects from the registry, which is how the tutorial rewinds the story.

Offline sources are Parquet files in ``../offline_data`` (relative paths are resolved from this
folder), written by ``scripts/create_offline_sources_*.py``.
"""

import os
from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource, ValueType
from feast.types import Array, Float64, Int64, String

STAGES = (2019, 2020, 2021)
_stage_text = os.environ.get("FEAST_STORE_STAGE") or str(STAGES[-1])
if not _stage_text.isdigit() or int(_stage_text) not in STAGES:
    raise ValueError(f"FEAST_STORE_STAGE={_stage_text!r} is not a story stage; use one of {STAGES}")
STAGE = int(_stage_text)

# A message's features never go stale: a text is spam or ham for good. A zero TTL tells Feast
# to look back without limit, in historical retrieval and online alike.
NO_EXPIRY = timedelta(0)

# ---------------------------------------------------------------------------------------------
# 2019: hand-made features and labels
# ---------------------------------------------------------------------------------------------

sms = Entity(
    name="sms",
    join_keys=["sms_id"],
    value_type=ValueType.STRING,
    description="One SMS message, identified by its corpus id (sms10001...) or its TIMEUUID.",
)

sms_features1_source = FileSource(
    name="sms_features1_source",
    path="../offline_data/sms_features1.parquet",
    timestamp_field="event_timestamp",
    description="v1 features of every corpus message, computed on 2019-02-03.",
)

sms_labels_source = FileSource(
    name="sms_labels_source",
    path="../offline_data/sms_labels.parquet",
    timestamp_field="event_timestamp",
    description="The ham/spam label of every corpus message.",
)

sms_features1 = FeatureView(
    name="sms_features1",
    entities=[sms],
    ttl=NO_EXPIRY,
    schema=[
        Field(name="cap_r", dtype=Float64, description="Upper-case letters / all letters."),
        Field(
            name="nal_r",
            dtype=Float64,
            description="Non-alphabetic characters / all non-blank characters.",
        ),
        *[
            Field(
                name=f"cw_scores_{index}",
                dtype=Int64,
                description=f"1 if the text contains cue word {index} "
                "(analysis/features1/cue_words.json), else 0.",
            )
            for index in range(7)
        ],
    ],
    source=sms_features1_source,
    online=True,
    description="Hand-made v1 features (2019): capitalisation, punctuation and cue words.",
    tags={"stage": "2019", "extractor": "analysis.features1"},
)

sms_labels = FeatureView(
    name="sms_labels",
    entities=[sms],
    ttl=NO_EXPIRY,
    schema=[Field(name="label", dtype=String, description="'ham' or 'spam'.")],
    source=sms_labels_source,
    online=False,
    description="Ground-truth labels, for training only: never served online.",
    tags={"stage": "2019"},
)

labeled_sms_1 = FeatureService(
    name="labeled_sms_1",
    features=[sms_features1, sms_labels],
    description="v1 features with their labels: the training set of model v1.",
    tags={"stage": "2019", "model": "v1"},
)

# ---------------------------------------------------------------------------------------------
# 2020: token ids for a model that reads the words itself
# ---------------------------------------------------------------------------------------------

if STAGE >= 2020:
    sms_features2_source = FileSource(
        name="sms_features2_source",
        path="../offline_data/sms_features2.parquet",
        timestamp_field="event_timestamp",
        description="v2 features of every corpus message, computed on 2020-06-01, and, from "
        "2021, of every message pushed to smss2_push.",
    )

    # 2021: new messages arrive one by one, and their features are pushed as they arrive. The
    # push source writes to the online store at once and appends to the Parquet file behind it,
    # which `feast materialize` and historical retrieval go on reading as before.
    smss2_push = None
    if STAGE >= 2021:
        smss2_push = PushSource(
            name="smss2_push",
            batch_source=sms_features2_source,
            description="v2 features of new messages, pushed as they arrive, with the time of "
            "the message's TIMEUUID as event time.",
        )

    sms_features2 = FeatureView(
        name="sms_features2",
        entities=[sms],
        ttl=NO_EXPIRY,
        schema=[
            Field(
                name="features",
                dtype=Array(Int64),
                description="Token ids, padded with 0 to the tokenizer's sequence length "
                "(models/model2_2020/tokenizer/tokenizer.json); 1 is an unknown word.",
            ),
        ],
        source=smss2_push or sms_features2_source,
        online=True,
        description="v2 features (2020): the message as a fixed-length sequence of token ids.",
        tags={"stage": "2020", "extractor": "analysis.features2"},
    )

    labeled_sms_2 = FeatureService(
        name="labeled_sms_2",
        features=[sms_features2, sms_labels],
        description="v2 token ids with their labels: the training set of models v2 and v3.",
        tags={"stage": "2020", "model": "v2"},
    )
