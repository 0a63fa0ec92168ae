import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analysis import corpus
from analysis.paths import PROJECT_ROOT
from scripts import get_raw_data

YOUTUBE_HEADER = "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"


def _youtube_csv(rows: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    out.write(YOUTUBE_HEADER)
    writer = csv.writer(out)
    for number, (content, klass) in enumerate(rows):
        writer.writerow([f"c{number}", "someone", "2014-11-07T12:00:00", content, klass])
    return out.getvalue()


@pytest.fixture
def archives(tmp_path: Path) -> tuple[Path, Path]:
    """Small archives in the two upstream layouts, the YouTube CSVs inside a nested zip."""
    sms_zip = tmp_path / "smsspamcollection.zip"
    with zipfile.ZipFile(sms_zip, "w") as archive:
        archive.writestr("readme", "about the collection")
        archive.writestr(
            "SMSSpamCollection",
            "ham\tsee you at noon\nspam\tWIN a prize, txt NOW\n\nham\tok, fine\n",
        )
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("Youtube01-First.csv", _youtube_csv([("nice song", "0")]))
        nested.writestr(
            "Youtube02-Second.csv",
            _youtube_csv([("check out my channel", "1"), ('he said "wow", twice', "0")]),
        )
        nested.writestr("__MACOSX/._Youtube01-First.csv", "resource fork noise")
    youtube_zip = tmp_path / "youtube.zip"
    with zipfile.ZipFile(youtube_zip, "w") as archive:
        archive.writestr("YouTube-Spam-Collection-v1.zip", inner.getvalue())
    return sms_zip, youtube_zip


def test_archives_merge_with_stable_ids(
    archives: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An explicit argument wins over the environment (a .env that names the real corpus).
    monkeypatch.setenv(get_raw_data.ENV_VAR, str(tmp_path / "another_corpus.csv"))
    output = tmp_path / "out.csv"
    assert get_raw_data.main(["--archives", *map(str, archives), "--output", str(output)]) == 0
    messages = corpus.read_messages(output)
    assert [(m.sms_id, m.label) for m in messages] == [
        ("sms10001", "ham"),
        ("sms10002", "spam"),
        ("sms10003", "ham"),
        ("sms10004", "ham"),
        ("sms10005", "spam"),
        ("sms10006", "ham"),
    ]
    assert messages[1].text == "WIN a prize, txt NOW"
    assert messages[5].text == 'he said "wow", twice'
    # Running again on the same archives gives the same file: the ids are stable.
    first = output.read_bytes()
    get_raw_data.main(["--archives", *map(str, archives), "--output", str(output)])
    assert output.read_bytes() == first


def test_sms_collection_rejects_an_unknown_label() -> None:
    with pytest.raises(corpus.CorpusError, match="line 2"):
        get_raw_data.parse_sms_collection(b"ham\tfine\nmaybe\tnot sure\n")


def test_sms_collection_reads_latin1() -> None:
    assert get_raw_data.parse_sms_collection("ham\tcaf\xe9 at 5\n".encode("latin-1")) == [
        ("ham", "caf\xe9 at 5")
    ]


def test_youtube_csv_rejects_other_columns_and_classes() -> None:
    with pytest.raises(corpus.CorpusError, match="expected the columns"):
        get_raw_data.parse_youtube_csv(b"ID,TEXT\n1,hi\n", "x.csv")
    with pytest.raises(corpus.CorpusError, match="CLASS must be 0 or 1"):
        get_raw_data.parse_youtube_csv((YOUTUBE_HEADER + "c1,a,d,hello,2\n").encode(), "x.csv")


def test_from_file_has_priority_over_the_environment(
    corpus_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(get_raw_data.ENV_VAR, str(tmp_path / "does-not-exist.csv"))
    output = tmp_path / "out.csv"
    assert get_raw_data.main(["--from", str(corpus_csv), "--output", str(output)]) == 0
    assert corpus.read_messages(output) == corpus.read_messages(corpus_csv)


def test_an_existing_corpus_is_kept_without_a_source(
    corpus_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(get_raw_data.ENV_VAR, raising=False)
    # Nothing listens on port 9 of loopback: a download attempt would fail.
    monkeypatch.setattr(get_raw_data, "SMS_ARCHIVE_URL", "http://127.0.0.1:9/archive.zip")
    output = tmp_path / "raw_dataset.csv"
    output.write_bytes(corpus_csv.read_bytes())
    os.utime(output, (1_000_000_000, 1_000_000_000))
    assert get_raw_data.main(["--output", str(output)]) == 0
    assert output.read_bytes() == corpus_csv.read_bytes()
    assert output.stat().st_mtime == 1_000_000_000


def test_an_invalid_existing_corpus_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(get_raw_data.ENV_VAR, raising=False)
    monkeypatch.setattr(get_raw_data, "SMS_ARCHIVE_URL", "http://127.0.0.1:9/archive.zip")
    output = tmp_path / "raw_dataset.csv"
    output.write_text("id,text\n1,hello\n", encoding="utf-8")
    assert get_raw_data.main(["--output", str(output)]) == 2
    assert "could not download" in capsys.readouterr().err


def test_the_same_data_leaves_the_file_untouched(corpus_csv: Path, tmp_path: Path) -> None:
    output = tmp_path / "raw_dataset.csv"
    assert get_raw_data.main(["--from", str(corpus_csv), "--output", str(output)]) == 0
    os.utime(output, (1_000_000_000, 1_000_000_000))
    assert get_raw_data.main(["--from", str(corpus_csv), "--output", str(output)]) == 0
    assert output.stat().st_mtime == 1_000_000_000


def test_the_script_needs_only_the_standard_library(corpus_csv: Path, tmp_path: Path) -> None:
    # `make` runs it before the environment is installed: without site-packages (-S), as a
    # module of the repository.
    output = tmp_path / "raw_dataset.csv"
    script = [sys.executable, "-S", "-m", "scripts.get_raw_data"]
    result = subprocess.run(
        [*script, "--from", str(corpus_csv), "--output", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == corpus_csv.read_bytes()


def test_environment_variable_names_the_source(
    corpus_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(get_raw_data.ENV_VAR, str(corpus_csv))
    output = tmp_path / "out.csv"
    assert get_raw_data.main(["--output", str(output)]) == 0
    assert output.read_bytes() == corpus_csv.read_bytes()


def test_invalid_source_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sms_id,text,label\na,x,ham\na,y,spam\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    assert get_raw_data.main(["--from", str(bad), "--output", str(output)]) == 2
    assert "duplicate sms_id 'a'" in capsys.readouterr().err
    assert not output.exists()


def test_missing_source_file_is_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        get_raw_data.main(
            ["--from", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv")]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_offline_without_a_source_exits_non_zero_and_says_what_to_do(tmp_path: Path) -> None:
    # The download URLs point at a closed port on loopback: no network is used.
    code = (
        "import sys; from scripts import get_raw_data as g; "
        "g.SMS_ARCHIVE_URL = g.YOUTUBE_ARCHIVE_URL = 'http://127.0.0.1:9/archive.zip'; "
        f"sys.exit(g.main(['--output', {str(tmp_path / 'raw_dataset.csv')!r}]))"
    )
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert "could not download" in result.stderr
    assert "--from" in result.stderr
    assert get_raw_data.ENV_VAR in result.stderr
    assert not (tmp_path / "raw_dataset.csv").exists()
    assert not list((tmp_path / "downloads").glob("*"))
