"""Print what the online store holds for some messages, feature service by feature service.

    python scripts/online_store_sampler.py sms10001 sms10002 sms10003
    python scripts/online_store_sampler.py --service labeled_sms_2 --json sms10001
    python scripts/online_store_sampler.py -c sms_feature_store \
        -f sms_feature_store/feature_store.cassandra.yaml sms10001

For each feature service in the registry (``labeled_sms_1`` and ``labeled_sms_2`` at stage 2021),
the features of every view it projects that is served online are read through Feast's SDK
(``FeatureStore.get_online_features``), the same read that the feature server answers. A view
that is offline only (the labels) is named and left out. A message for which the online store
holds nothing shows as "not online yet".

``-c``/``-f`` choose the repo and its yaml as in Feast's CLI (``FEATURE_REPO_DIR_ENV_VAR`` and
``FEAST_FS_YAML_FILE_PATH`` too). The Cassandra yaml takes its cluster from the ``CASSANDRA_*``
variables of the environment, as ``feast`` itself does.
"""

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from scripts.feast_sdk import add_repo_options, repo_and_yaml, yaml_problem

if TYPE_CHECKING:
    from feast import FeatureStore

ENTITY_KEY = "sms_id"
NOT_ONLINE = "not online yet"
# How wide the printed feature values may run before they wrap.
WIDTH = 100


@dataclass(frozen=True)
class ViewSample:
    """One message's features from one view: ``status`` is ``PRESENT`` when the online store
    has them, ``NOT_FOUND`` when it has nothing (other values are Feast's field statuses)."""

    view: str
    status: str
    event_time: str | None
    values: dict[str, Any]


@dataclass(frozen=True)
class ServiceSample:
    """What the online store holds for the messages, for the online views of one service."""

    service: str
    online_views: list[str]
    offline_views: list[str]
    messages: dict[str, list[ViewSample]]


def _status_name(status: int) -> str:
    from feast.protos.feast.serving.ServingService_pb2 import FieldStatus

    return FieldStatus.Name(status)


def _view_status(statuses: list[str]) -> str:
    """A view's rows are written whole, so one status stands for all its features; should they
    ever differ, the first that is not ``PRESENT`` is reported."""
    unusual = [status for status in statuses if status != "PRESENT"]
    return unusual[0] if unusual else "PRESENT"


def sample_service(store: "FeatureStore", service_name: str, ids: Sequence[str]) -> ServiceSample:
    """Read ``ids`` from the online store for the online views of ``service_name``."""
    service = store.get_feature_service(service_name)
    online_views: list[str] = []
    offline_views: list[str] = []
    wanted: dict[str, list[str]] = {}
    for projection in service.feature_view_projections:
        if not store.get_feature_view(projection.name).online:
            offline_views.append(projection.name_to_use())
            continue
        online_views.append(projection.name_to_use())
        wanted[projection.name_to_use()] = [field.name for field in projection.features]
    messages: dict[str, list[ViewSample]] = {sms_id: [] for sms_id in ids}
    if not wanted:
        return ServiceSample(service_name, online_views, offline_views, messages)

    refs = [f"{view}:{feature}" for view, features in wanted.items() for feature in features]
    response = store.get_online_features(
        features=refs,
        entity_rows=[{ENTITY_KEY: sms_id} for sms_id in ids],
        full_feature_names=True,
    )
    # Columns come in no promised order: each is found by its name, ``view__feature``.
    values = response.to_dict()
    columns = dict(
        zip(response.proto.metadata.feature_names.val, response.proto.results, strict=True)
    )
    if list(values[ENTITY_KEY]) != list(ids):
        raise RuntimeError(f"Feast answered for {values[ENTITY_KEY]}, not for {list(ids)}")
    for row, sms_id in enumerate(ids):
        for view_name, features in wanted.items():
            names = [f"{view_name}__{feature}" for feature in features]
            status = _view_status([_status_name(columns[name].statuses[row]) for name in names])
            event_time = None
            if status != "NOT_FOUND":
                stamps = [columns[name].event_timestamps[row] for name in names]
                latest = max(stamps, key=lambda stamp: (stamp.seconds, stamp.nanos))
                event_time = latest.ToDatetime(tzinfo=UTC).isoformat()
            messages[sms_id].append(
                ViewSample(
                    view=view_name,
                    status=status,
                    event_time=event_time,
                    values={
                        feature: values[name][row]
                        for feature, name in zip(features, names, strict=True)
                    },
                )
            )
    return ServiceSample(service_name, online_views, offline_views, messages)


def sample(
    store: "FeatureStore", ids: Sequence[str], services: Sequence[str] | None = None
) -> list[ServiceSample]:
    """``sample_service`` for each of ``services`` (default: every service in the registry)."""
    known = sorted(service.name for service in store.list_feature_services())
    chosen = list(services) if services else known
    if not chosen:
        raise LookupError("the registry holds no feature service: run feast apply first")
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise LookupError(
            f"no feature service {', '.join(unknown)} in the registry; it holds: "
            f"{', '.join(known) or 'nothing (run feast apply first)'}"
        )
    return [sample_service(store, name, ids) for name in chosen]


def format_value(value: Any) -> str:
    """A feature value as the sampler prints it: floats to 4 significant digits, and a token-id
    sequence with its left padding counted rather than spelled out, as Python would write it
    (``[0]*45 + [12, 7, 301]``)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        padding = next((index for index, item in enumerate(value) if item != 0), len(value))
        rest = "[" + ", ".join(str(item) for item in value[padding:]) + "]"
        if padding < 2:
            return str(value)
        return f"[0]*{padding}" + (f" + {rest}" if padding < len(value) else "")
    return str(value)


def render(samples: Sequence[ServiceSample]) -> str:
    """The samples as text, one block per feature service."""
    lines: list[str] = []
    for service in samples:
        header = f"{service.service}: online views {', '.join(service.online_views) or 'none'}"
        if service.offline_views:
            header += f"; {', '.join(service.offline_views)} offline only, not shown"
        lines.append(header)
        width = max((len(sms_id) for sms_id in service.messages), default=0)
        for sms_id, views in service.messages.items():
            for index, view in enumerate(views):
                label = sms_id.ljust(width) if index == 0 else " " * width
                if view.status == "NOT_FOUND":
                    lines.append(f"  {label}  {view.view}: {NOT_ONLINE}")
                    continue
                status = "" if view.status == "PRESENT" else f" ({view.status})"
                lines.append(f"  {label}  {view.view} as of {view.event_time}{status}")
                # A name stays on the line of its value: the space between them is not a break.
                text = "  ".join(f"{name}\0{format_value(v)}" for name, v in view.values.items())
                indent = " " * (width + 6)
                wrapped = textwrap.wrap(
                    text, WIDTH, initial_indent=indent, subsequent_indent=indent
                )
                lines.extend(line.replace("\0", " ") for line in wrapped)
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    add_repo_options(parser)
    parser.add_argument("ids", nargs="+", metavar="ID", help="sms ids, e.g. sms10001")
    parser.add_argument(
        "--service",
        action="append",
        dest="services",
        metavar="NAME",
        help="a feature service to read (repeatable; default: every one in the registry)",
    )
    parser.add_argument("--json", action="store_true", help="print the samples as JSON")
    args = parser.parse_args(argv)
    repo, fs_yaml = repo_and_yaml(args)
    problem = yaml_problem(fs_yaml)
    if problem:
        parser.error(problem)

    from feast import FeatureStore

    store = FeatureStore(repo_path=str(repo), fs_yaml_file=fs_yaml)
    try:
        samples = sample(store, args.ids, args.services)
    except LookupError as error:
        print(f"online_store_sampler: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(s) for s in samples], indent=2))
    else:
        print(f"online store of {fs_yaml}\n")
        print(render(samples), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
