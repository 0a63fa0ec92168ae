"""The packages import in one direction only: the contracts of ``[tool.importlinter]``."""

import subprocess
import sys
from pathlib import Path

from analysis.paths import PROJECT_ROOT


def test_imports_follow_the_layers() -> None:
    # A process of its own: import-linter changes the logging configuration of the process that
    # runs it, which would hide log records from the tests that follow.
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
