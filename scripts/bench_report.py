"""``make bench``: the whole performance table in one run, printed and written to a document.

Runs the benchmarks of the model API (``bench_model_serving``), of the feature-server proxy
(``bench_feature_proxy``) and of the inbox webhook and user-data API (``bench_ingest``), each
row beside its baseline measured in the same run, then adds the services' cold starts and
memory and the models' training times (from their model cards). The table is printed and
written, with the date, the machine and the library versions, between the markers of the
performance document; the prose around the markers is kept.

    python scripts/bench_report.py [--output docs/performance.md] [--smoke] [--note TEXT]

``--smoke`` runs the same code with tiny counts (a check that the bench runs; its numbers mean
nothing) and writes no document unless ``--output`` is given.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from analysis.paths import FEATURE_REPO_DIR, MODELS_DIR, OFFLINE_DATA_DIR, PROJECT_ROOT
from scripts import bench_feature_proxy, bench_ingest, bench_model_serving
from scripts.bench_common import Row, Startup, environment, table_lines
from scripts.bench_model_serving import Settings

DOCUMENT = PROJECT_ROOT / "docs" / "performance.md"
BEGIN = "<!-- bench:begin: written by `make bench`; edits between these markers are lost -->"
END = "<!-- bench:end -->"
NEW_DOCUMENT = f"""# Performance

What `make bench` measured, the last time it was run for this document.

{BEGIN}
{END}
"""
SMOKE = Settings(
    requests=10,
    warmup=2,
    batch_sizes=(10, 20),
    batch_rounds=1,
    naive_requests=5,
    clients=(1, 2),
    wrk_seconds=1,
)
CARDS = {
    "v1": "model1_2019",
    "v2": "model2_2020/classifier",
    "v3": "model3_2021/classifier",
}


def training_lines(models_dir: Path) -> list[str]:
    """Each model's training time, as its training recorded it in the model card."""
    lines = [
        "| model | fit time | epochs | rows fitted on | trained at (UTC) |",
        "|---|---:|---:|---:|---|",
    ]
    for version, folder in CARDS.items():
        card = json.loads((models_dir / folder / "metadata.json").read_text())
        details = card.get("details", {})
        seconds = details.get("fit_seconds")
        took = f"{seconds:.1f} s" if seconds is not None else "not recorded in its card"
        epochs = str(details.get("epochs_trained", "")) or "(not epochs)"
        rows = f"{card['rows']['train']:,}"
        lines.append(f"| {version} | {took} | {epochs} | {rows} | {card['created_at'][:16]} |")
    return lines


def startup_lines(startups: list[Startup]) -> list[str]:
    lines = ["| service | cold start (process start to ready) | RSS after warm-up |"]
    lines.append("|---|---:|---:|")
    for startup in startups:
        lines.append(f"| {startup.service} | {startup.ready_s:.1f} s | {startup.rss_mb:,.0f} MiB |")
    return lines


def report(
    rows: list[Row],
    startups: list[Startup],
    models_dir: Path,
    facts: dict[str, str],
    settings: Settings,
    smoke: bool,
    note: str,
) -> list[str]:
    """The generated part of the document, as lines of Markdown."""
    lines = ["## The table", ""]
    if smoke:
        lines += [
            "**Smoke run** (tiny counts): these numbers prove that the bench runs, nothing more.",
            "",
        ]
    lines += [f"- **{name}**: {value}" for name, value in facts.items()]
    if note:
        lines += [f"- **note**: {note}"]
    lines += [
        "",
        f"Every service is a real uvicorn process on loopback (Feast's feature server a real "
        f"`feast serve`), on temporary copies of the data. Sequential rows: {settings.requests:,} "
        f"requests per kind after {settings.warmup:,} of warm-up, over one keep-alive "
        f"connection, the kinds of a group interleaved in five rounds so that a slow spell of "
        f"the machine weighs on all alike. Batches: {settings.batch_rounds} rounds after a "
        f"warm-up round. Concurrency: wrk for {settings.wrk_seconds} s per level. The ratio "
        f"column compares p50s.",
    ]
    lines += table_lines(rows)
    lines += ["", "### Cold start and memory", ""]
    lines += startup_lines(startups)
    lines += [
        "",
        "Cold start is polled every 0.1 s. The model API loads TensorFlow and compiles its "
        "small input shapes before it answers.",
        "",
        "### Training time",
        "",
    ]
    lines += training_lines(models_dir)
    lines += [
        "",
        "Fit time is the `fit` call alone, as the training notebooks (`make train`) record it in "
        "each model card (`details.fit_seconds`); retrieval and evaluation are not in it.",
    ]
    return lines


def write_document(path: Path, generated: list[str]) -> None:
    """Put ``generated`` between the markers of ``path``, keeping the prose around them."""
    text = path.read_text() if path.is_file() else NEW_DOCUMENT
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(before + BEGIN + "\n" + "\n".join(generated) + "\n" + END + after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help=f"the document (default: {DOCUMENT})")
    parser.add_argument("--smoke", action="store_true", help="tiny counts: does it still run?")
    parser.add_argument("--note", default="", help="a line about the run (a loaded machine...)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--feature-repo", type=Path, default=FEATURE_REPO_DIR)
    parser.add_argument("--offline-data", type=Path, default=OFFLINE_DATA_DIR)
    args = parser.parse_args(argv)
    problem = bench_model_serving.missing_models(args.models_dir)
    if problem is None and not (args.offline_data / "sms_features2.parquet").is_file():
        problem = "no offline sources: run `make demo` first"
    if problem:
        print(problem, file=sys.stderr)
        return 2
    output = args.output or (None if args.smoke else DOCUMENT)
    settings = SMOKE if args.smoke else Settings()
    proxy_requests, ingest_requests = (10, 10) if args.smoke else (1000, 500)
    facts = environment()

    rows: list[Row] = []
    startups: list[Startup] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, part in (
            ("model", lambda w: bench_model_serving.run(args.models_dir, settings, w)),
            (
                "proxy",
                lambda w: bench_feature_proxy.run(
                    proxy_requests,
                    max(proxy_requests // 10, 2),
                    w,
                    args.feature_repo,
                    args.offline_data,
                ),
            ),
            (
                "ingest",
                lambda w: bench_ingest.run(
                    args.models_dir,
                    ingest_requests,
                    max(ingest_requests // 10, 2),
                    w,
                    args.feature_repo,
                    args.offline_data,
                ),
            ),
        ):
            workdir = Path(folder) / name
            workdir.mkdir()
            print(f"bench: measuring {name}...", file=sys.stderr, flush=True)
            part_rows, part_startups = part(workdir)
            rows += part_rows
            startups += part_startups
    facts["load average at the end (1, 5, 15 min)"] = " ".join(
        f"{value:.2f}" for value in os.getloadavg()
    )
    generated = report(rows, startups, args.models_dir, facts, settings, args.smoke, args.note)
    print("\n".join(generated))
    if output is not None:
        write_document(output, generated)
        print(f"\nwritten to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
