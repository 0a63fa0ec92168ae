"""Obtain the raw corpus: ``raw_data/raw_dataset.csv`` with columns ``sms_id,text,label``.

Sources, first match wins:

1. ``--from FILE``: a CSV already in the corpus format;
2. ``--archives SMS_ZIP YOUTUBE_ZIP``: local copies of the two public UCI archives, "SMS Spam
   Collection" and "YouTube Spam Collection";
3. the environment variable ``SMS_RAW_DATASET``, naming a CSV in the corpus format (an argument
   on the command line always wins over it);
4. the corpus already at ``--output``, when it is valid: it is kept as it is;
5. the two archives, downloaded.

The archives are merged with stable ids: the SMS messages first, then the YouTube comments, in
archive order, numbered ``sms10001``, ``sms10002``... The result is validated and written
atomically, and only when it differs from the file already there, so that what was built from
the corpus is not made out of date by a copy of the same data.

It needs only the standard library (and this project's ``analysis.corpus``), so that ``make``
runs it before installing anything: ``python -m scripts.get_raw_data --help``.
"""

import argparse
import csv
import io
import logging
import os
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

from analysis import corpus
from analysis.paths import RAW_DATA_DIR, RAW_DATASET

logger = logging.getLogger("get_raw_data")

ENV_VAR = "SMS_RAW_DATASET"
SMS_ARCHIVE_URL = "https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"
YOUTUBE_ARCHIVE_URL = "https://archive.ics.uci.edu/static/public/380/youtube+spam+collection.zip"
FIRST_ID = 10001
KEPT = "the corpus already there"
DOWNLOAD_TIMEOUT_S = 30
_MAX_ARCHIVE_MEMBER_BYTES = 50 * 1024 * 1024  # the real members are a few hundred KB

YOUTUBE_COLUMNS = ("COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS")


class SourceUnavailableError(RuntimeError):
    """No source could provide the corpus; the message tells the user what to do."""


def _archive_members(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    """Yield (name, content) for every file in the archive, descending into nested zips."""
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or name.startswith("__MACOSX/") or Path(name).name.startswith("._"):
            continue
        if info.file_size > _MAX_ARCHIVE_MEMBER_BYTES:
            raise corpus.CorpusError(f"archive member {name} is implausibly large")
        content = archive.read(info)
        if name.lower().endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as inner:
                yield from _archive_members(inner)
        else:
            yield name, content


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def parse_sms_collection(content: bytes) -> list[tuple[str, str]]:
    """Parse ``SMSSpamCollection``: one message a line, ``label<TAB>text``."""
    pairs = []
    for line_number, line in enumerate(_decode(content).splitlines(), start=1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab or label not in corpus.LABELS:
            raise corpus.CorpusError(
                f"SMSSpamCollection line {line_number}: expected 'ham|spam<TAB>text'"
            )
        pairs.append((label, text))
    return pairs


def parse_youtube_csv(content: bytes, name: str) -> list[tuple[str, str]]:
    """Parse one YouTube Spam Collection CSV (``CLASS`` 1 is spam, 0 is ham)."""
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""))
    if reader.fieldnames is None or tuple(reader.fieldnames) != YOUTUBE_COLUMNS:
        raise corpus.CorpusError(
            f"{name}: expected the columns {','.join(YOUTUBE_COLUMNS)}, found {reader.fieldnames}"
        )
    pairs = []
    for row_number, row in enumerate(reader, start=2):
        label = {"0": "ham", "1": "spam"}.get((row["CLASS"] or "").strip())
        if label is None:
            raise corpus.CorpusError(f"{name} row {row_number}: CLASS must be 0 or 1")
        pairs.append((label, row["CONTENT"] or ""))
    return pairs


def messages_from_archives(sms_zip: Path, youtube_zip: Path) -> list[corpus.LabelledMessage]:
    """Merge the two UCI archives into labelled messages with stable ids."""
    with zipfile.ZipFile(sms_zip) as archive:
        sms_pairs = [
            pair
            for name, content in _archive_members(archive)
            if Path(name).name == "SMSSpamCollection"
            for pair in parse_sms_collection(content)
        ]
    if not sms_pairs:
        raise corpus.CorpusError(f"{sms_zip}: no SMSSpamCollection file inside")
    with zipfile.ZipFile(youtube_zip) as archive:
        youtube_pairs = [
            pair
            for name, content in _archive_members(archive)
            if name.lower().endswith(".csv")
            for pair in parse_youtube_csv(content, Path(name).name)
        ]
    if not youtube_pairs:
        raise corpus.CorpusError(f"{youtube_zip}: no YouTube comment CSV files inside")
    return [
        corpus.LabelledMessage(sms_id=f"sms{FIRST_ID + index}", text=text, label=label)
        for index, (label, text) in enumerate(sms_pairs + youtube_pairs)
    ]


def download(url: str, destination: Path) -> Path:
    """Fetch ``url`` into ``destination`` (kept as a cache); raise ``SourceUnavailableError``."""
    if destination.exists():
        logger.info("using the cached download %s", destination)
        return destination
    logger.info("downloading %s", url)
    partial = destination.with_name(destination.name + ".partial")
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310 (fixed https URL)
            partial.write_bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise SourceUnavailableError(
            f"could not download {url} ({error}).\n"
            "Give the corpus another way:\n"
            "  python scripts/get_raw_data.py --from PATH/TO/raw_dataset.csv\n"
            f"  {ENV_VAR}=PATH/TO/raw_dataset.csv python scripts/get_raw_data.py\n"
            "  python scripts/get_raw_data.py --archives SMS_SPAM_COLLECTION.zip "
            "YOUTUBE_SPAM_COLLECTION.zip"
        ) from error
    partial.replace(destination)
    return destination


def _read_csv_source(source: str) -> tuple[list[corpus.LabelledMessage], str]:
    path = Path(source).expanduser()
    if not path.is_file():
        raise SourceUnavailableError(f"the corpus file {path} does not exist")
    return corpus.read_messages(path), str(path)


def _existing_corpus(output: Path) -> list[corpus.LabelledMessage] | None:
    """The messages of a valid corpus already at ``output``, or None (missing or invalid)."""
    if not output.is_file():
        return None
    try:
        return corpus.read_messages(output)
    except (corpus.CorpusError, UnicodeDecodeError) as error:
        logger.info("%s is not a valid corpus (%s); getting it again", output, error)
        return None


def collect(args: argparse.Namespace) -> tuple[list[corpus.LabelledMessage], str]:
    """Pick the first available source; return its messages and a description of it."""
    if args.source:
        return _read_csv_source(args.source)
    if args.archives:
        sms_zip, youtube_zip = (Path(p).expanduser() for p in args.archives)
    elif os.environ.get(ENV_VAR):
        return _read_csv_source(os.environ[ENV_VAR])
    elif (existing := _existing_corpus(args.output)) is not None:
        return existing, KEPT
    else:
        downloads = args.output.parent / "downloads"
        sms_zip = download(SMS_ARCHIVE_URL, downloads / "sms_spam_collection.zip")
        youtube_zip = download(YOUTUBE_ARCHIVE_URL, downloads / "youtube_spam_collection.zip")
    for archive in (sms_zip, youtube_zip):
        if not archive.is_file():
            raise SourceUnavailableError(f"the archive {archive} does not exist")
    return messages_from_archives(sms_zip, youtube_zip), f"{sms_zip} + {youtube_zip}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help=f"a CSV already in the sms_id,text,label format (else ${ENV_VAR})",
    )
    parser.add_argument(
        "--archives",
        nargs=2,
        metavar=("SMS_ZIP", "YOUTUBE_ZIP"),
        help="local copies of the two UCI archives, instead of downloading them",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RAW_DATASET,
        help=f"where to write the corpus (default: {RAW_DATASET.relative_to(RAW_DATA_DIR.parent)})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    try:
        messages, source = collect(args)
        unchanged = source == KEPT or _existing_corpus(args.output) == messages
        if not unchanged:
            corpus.write_atomically(messages, args.output)
    except (SourceUnavailableError, corpus.CorpusError, zipfile.BadZipFile) as error:
        print(f"get_raw_data: {error}", file=sys.stderr)
        return 2
    spam = sum(m.label == "spam" for m in messages)
    counts = f"{len(messages)} messages ({spam} spam, {len(messages) - spam} ham)"
    if source == KEPT:
        print(f"kept {args.output}: {counts} (--from, --archives or {ENV_VAR} replace it)")
    elif unchanged:
        print(f"{args.output} already holds the {counts} of {source}: left as it is")
    else:
        print(f"wrote {counts} from {source} to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
