"""Model v1 records the cue words its training features were computed with: those written into
the offline source, not whatever ``cue_words.json`` says when the model is saved."""

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from feast import FeatureStore

from analysis.features1 import Features1Extractor
from analysis.features1.feature1_extractor import CUE_WORDS_METADATA
from training.model1_2019 import model1

pytestmark = pytest.mark.integration


def test_the_offline_source_records_its_cue_words(feature_repo: Path, tmp_path: Path) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    assert model1.offline_cue_words(store) == list(Features1Extractor().cue_words)

    # The same source, as if built when cue_words.json listed other words.
    workdir = tmp_path / "copy"
    shutil.copytree(feature_repo.parent, workdir, ignore=shutil.ignore_patterns("models"))
    parquet = workdir / "offline_data" / "sms_features1.parquet"
    older = ["claim", "prize", "win", "free", "txt", "cash", "urgent"]
    table = pq.read_table(parquet)
    pq.write_table(table.replace_schema_metadata({CUE_WORDS_METADATA: json.dumps(older)}), parquet)
    copied = FeatureStore(repo_path=str(workdir / feature_repo.name))
    assert model1.offline_cue_words(copied) == older
