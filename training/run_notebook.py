"""Run a training notebook headless, as `make train` does.

    python -m training.run_notebook training/model1_2019/train_model_1_2019.ipynb

The notebook runs in its own folder with the current environment (so ``SMS_FEATURE_REPO`` and
``SMS_MODELS_DIR`` reach it). The executed copy, with every output, is saved beside the model it
produced, in ``models/<notebook folder>/``; the committed notebook stays free of outputs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from analysis.paths import MODELS_DIR

CELL_TIMEOUT_S = 3600


def executed_copy_path(notebook: Path) -> Path:
    models_dir = Path(os.environ.get("SMS_MODELS_DIR", MODELS_DIR))
    return models_dir / notebook.resolve().parent.name / notebook.name


def run(notebook: Path, output: Path) -> float:
    """Execute ``notebook`` and save the executed copy to ``output``; return the seconds taken."""
    document = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        document,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.resolve().parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    finally:
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(document, output)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for notebook in args.notebooks:
        output = executed_copy_path(notebook)
        print(f"running {notebook} ...", flush=True)
        try:
            seconds = run(notebook, output)
        except CellExecutionError as error:
            print(f"{notebook} failed; the executed copy is in {output}\n{error}", file=sys.stderr)
            return 1
        print(f"ran {notebook} in {seconds:.1f} s; executed copy: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
