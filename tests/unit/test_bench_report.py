"""The performance document: the bench rewrites its generated part and keeps the prose."""

from pathlib import Path

from scripts.bench_common import Row, table_lines
from scripts.bench_report import BEGIN, END, write_document


def test_the_generated_part_is_replaced_and_the_prose_kept(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(f"# Performance\n\nintro\n\n{BEGIN}\nold table\n{END}\n\n## Why\n\nprose\n")

    write_document(document, ["new table"])

    text = document.read_text()
    assert "old table" not in text
    assert text == f"# Performance\n\nintro\n\n{BEGIN}\nnew table\n{END}\n\n## Why\n\nprose\n"


def test_a_new_document_gets_the_markers(tmp_path: Path) -> None:
    document = tmp_path / "docs" / "performance.md"

    write_document(document, ["the table"])

    text = document.read_text()
    assert text.startswith("# Performance")
    assert f"{BEGIN}\nthe table\n{END}" in text


def test_rows_are_grouped_under_their_section() -> None:
    rows = [
        Row("A", "floor", 1.0, 2.0, 900.0, goal="the floor"),
        Row("A", "hit", 1.2, 2.5, 800.0, "floor: 1.000 ms", "1.20 x", "p50 <= 1.5 x", "met"),
        Row("B", "no numbers", None, None, None, goal="skipped"),
    ]

    lines = table_lines(rows)

    assert lines.count("### A") == 1
    assert lines.count("### B") == 1
    assert (
        "| hit | 1.200 | 2.500 | 800 req/s | floor: 1.000 ms | 1.20 x | p50 <= 1.5 x: **met** |"
        in lines
    )
    assert "| no numbers |  |  |  |  |  | skipped |" in lines
