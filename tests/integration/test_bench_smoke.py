"""``make bench``'s code still runs: the whole table with tiny counts, into a temporary document.

No timing is asserted: the smoke run's numbers mean nothing; only that every row is produced.
"""

from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from scripts import bench_report

pytestmark = pytest.mark.integration

COMMITTED = PROJECT_ROOT / "docs" / "performance.md"


def test_the_smoke_run_writes_the_whole_table(trained_store: Path, tmp_path: Path) -> None:
    committed = COMMITTED.read_text() if COMMITTED.is_file() else None
    output = tmp_path / "performance.md"

    status = bench_report.main(
        [
            "--smoke",
            "--output",
            str(output),
            "--models-dir",
            str(trained_store / "models"),
            "--feature-repo",
            str(trained_store / "sms_feature_store"),
            "--offline-data",
            str(trained_store / "offline_data"),
        ]
    )

    assert status == 0
    document = output.read_text()
    assert bench_report.BEGIN in document
    assert bench_report.END in document
    assert "**Smoke run**" in document
    for heading in (
        bench_report.bench_model_serving.SECTION,
        bench_report.bench_model_serving.BATCH_SECTION,
        bench_report.bench_model_serving.LOAD_SECTION,
        bench_report.bench_feature_proxy.SECTION,
        bench_report.bench_ingest.SECTION,
        "Cold start and memory",
        "Training time",
    ):
        assert f"### {heading}" in document
    for measure in (
        "| floor |",
        "| v1 hit |",
        "| v2 hit |",
        "| v3 hit |",
        "| v3 miss |",
        "| naive v3 miss |",
        "| /batch of 20 |",
        "| v3 miss, 2 clients |",
        "| proxy (online_store), 100 ids |",
        "| proxy (feature_server), 1 id |",
        "| webhook POST /sms |",
        "| inbox GET (20 messages) |",
        "| model serving (v1, v2, v3) |",
        "| v3 | ",
    ):
        assert measure in document, measure
    assert "python" in document
    assert "feast" in document
    assert "cassandra-driver" in document
    # The committed document is left alone.
    assert (COMMITTED.read_text() if COMMITTED.is_file() else None) == committed
