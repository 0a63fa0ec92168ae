"""Where the project keeps its files.

Every path is derived from the repository root, so scripts, notebooks and services agree on them
wherever they are started from. Functions that read or write data take paths as arguments and use
these only as defaults.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

RAW_DATA_DIR = PROJECT_ROOT / "raw_data"
RAW_DATASET = RAW_DATA_DIR / "raw_dataset.csv"
OFFLINE_DATA_DIR = PROJECT_ROOT / "offline_data"
MODELS_DIR = PROJECT_ROOT / "models"
FEATURE_REPO_DIR = PROJECT_ROOT / "sms_feature_store"
