"""Print what the feature store's registry holds: entities, feature views, sources and services.

    python scripts/feature_store_explorer.py
    python scripts/feature_store_explorer.py -f sms_feature_store/feature_store.cassandra.yaml
    python scripts/feature_store_explorer.py --json

It reads the registry through Feast's SDK, so it shows what ``feast apply`` registered (the stage
last applied), not what ``feature_definitions.py`` would register next. For every feature view:
its entities, fields and types, TTL, whether it is served online, its sources (the Parquet file
behind it, and the push source that feeds it, if any), and the date ranges materialized into the
online store so far. For every feature service: the views it projects and their features.

``-c``/``-f`` choose the repo and its yaml as in Feast's CLI (``FEATURE_REPO_DIR_ENV_VAR`` and
``FEAST_FS_YAML_FILE_PATH`` too). The registry is a local file, so even the Cassandra yaml reads
it without a cluster (its ``CASSANDRA_*`` variables must still be set for the yaml to load).
"""

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from scripts.feast_sdk import add_repo_options, repo_and_yaml, yaml_problem

if TYPE_CHECKING:
    from feast import FeatureStore

# How wide a service's list of features may run before it wraps.
WIDTH = 100


@dataclass(frozen=True)
class EntityInfo:
    name: str
    join_key: str
    value_type: str
    description: str


@dataclass(frozen=True)
class FieldInfo:
    name: str
    dtype: str
    description: str


@dataclass(frozen=True)
class SourceInfo:
    """A data source: ``kind`` is ``file`` (with its ``path``) or ``push`` (with the file
    source, ``batch_source``, that pushes to the offline store append to)."""

    name: str
    kind: str
    path: str | None = None
    timestamp_field: str | None = None
    batch_source: str | None = None
    description: str = ""


@dataclass(frozen=True)
class FeatureViewInfo:
    name: str
    entities: list[str]
    join_keys: list[FieldInfo]
    fields: list[FieldInfo]
    ttl_seconds: float
    online: bool
    batch_source: SourceInfo
    push_source: str | None
    materialized: list[tuple[str, str]]
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class FeatureServiceInfo:
    name: str
    views: dict[str, list[str]]
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class RegistryInfo:
    project: str
    registry: str
    entities: list[EntityInfo]
    feature_views: list[FeatureViewInfo]
    data_sources: list[SourceInfo]
    feature_services: list[FeatureServiceInfo]


def type_name(dtype: Any) -> str:
    """A Feast type as feature definitions spell it: ``Float64``, ``Array(Int64)``."""
    return str(dtype)


def _source(source: Any) -> SourceInfo:
    from feast import FileSource, PushSource

    if isinstance(source, PushSource):
        return SourceInfo(
            name=source.name,
            kind="push",
            batch_source=source.batch_source.name if source.batch_source else None,
            description=source.description,
        )
    if isinstance(source, FileSource):
        return SourceInfo(
            name=source.name,
            kind="file",
            path=source.path,
            timestamp_field=source.timestamp_field,
            description=source.description,
        )
    return SourceInfo(name=source.name, kind=type(source).__name__, description=source.description)


def _fields(fields: Sequence[Any]) -> list[FieldInfo]:
    return [FieldInfo(f.name, type_name(f.dtype), f.description) for f in fields]


def _registry_location(store: "FeatureStore") -> str:
    """Where the registry is: a local file relative to the repo is given as a full path."""
    location = str(store.config.registry.path)
    if "://" in location:
        return location
    return str((store.repo_path / location).resolve())


def describe(store: "FeatureStore") -> RegistryInfo:
    """Everything the registry of ``store`` holds for its project, sorted by name."""
    views = []
    for view in sorted(store.list_feature_views(), key=lambda v: v.name):
        stream = view.stream_source
        views.append(
            FeatureViewInfo(
                name=view.name,
                entities=list(view.entities),
                join_keys=_fields(view.entity_columns),
                fields=_fields(view.features),
                ttl_seconds=(view.ttl or timedelta(0)).total_seconds(),
                online=view.online,
                batch_source=_source(view.batch_source),
                push_source=stream.name if stream is not None else None,
                materialized=[
                    (interval[0].isoformat(), interval[1].isoformat())
                    for interval in view.materialization_intervals
                ],
                tags=dict(view.tags),
                description=view.description,
            )
        )
    services = [
        FeatureServiceInfo(
            name=service.name,
            views={
                projection.name_to_use(): [f.name for f in projection.features]
                for projection in service.feature_view_projections
            },
            tags=dict(service.tags),
            description=service.description,
        )
        for service in sorted(store.list_feature_services(), key=lambda s: s.name)
    ]
    return RegistryInfo(
        project=store.project,
        registry=_registry_location(store),
        entities=[
            EntityInfo(e.name, e.join_key, e.value_type.name, e.description)
            for e in sorted(store.list_entities(), key=lambda e: e.name)
        ],
        feature_views=views,
        data_sources=[_source(s) for s in sorted(store.list_data_sources(), key=lambda s: s.name)],
        feature_services=services,
    )


def _ttl(seconds: float) -> str:
    return "none (kept forever)" if seconds == 0 else str(timedelta(seconds=seconds))


def _tags(tags: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(tags.items()))


def _source_line(source: SourceInfo) -> str:
    if source.kind == "file":
        return f"{source.name} (file {source.path}, event time {source.timestamp_field})"
    if source.kind == "push":
        return f"{source.name} (push; pushed rows also go to {source.batch_source})"
    return f"{source.name} ({source.kind})"


def render(info: RegistryInfo) -> str:
    """The registry as text, section by section."""
    lines = [f"Feast project {info.project} (registry {info.registry})", "", "Entities"]
    for entity in info.entities:
        lines.append(f"  {entity.name}: join key {entity.join_key} ({entity.value_type})")
        if entity.description:
            lines.append(f"    {entity.description}")
    if not info.entities:
        lines.append("  none")

    lines += ["", "Feature views"]
    for view in info.feature_views:
        served = "served online" if view.online else "offline only"
        lines.append(f"  {view.name}: {served}, TTL {_ttl(view.ttl_seconds)}")
        if view.description:
            lines.append(f"    {view.description}")
        keys = ", ".join(f"{k.name} ({k.dtype})" for k in view.join_keys)
        lines.append(f"    entities     {', '.join(view.entities)}, join key {keys}")
        lines.append(f"    batch source {_source_line(view.batch_source)}")
        if view.push_source:
            lines.append(f"    push source  {view.push_source}")
        if view.tags:
            lines.append(f"    tags         {_tags(view.tags)}")
        if view.online:
            ranges = "; ".join(f"{start} to {end}" for start, end in view.materialized)
            lines.append(f"    materialized {ranges or 'never'}")
        width = max(len(f.name) for f in view.fields)
        lines.append("    fields")
        lines += [f"      {f.name.ljust(width)}  {f.dtype}" for f in view.fields]
    if not info.feature_views:
        lines.append("  none")

    lines += ["", "Data sources"]
    lines += [f"  {_source_line(source)}" for source in info.data_sources] or ["  none"]

    lines += ["", "Feature services"]
    for service in info.feature_services:
        lines.append(f"  {service.name}: {service.description}".rstrip())
        for view_name, features in service.views.items():
            lines += textwrap.wrap(
                f"{view_name}: {', '.join(features)}",
                WIDTH,
                initial_indent="    ",
                subsequent_indent=" " * (len(view_name) + 6),
            )
        if service.tags:
            lines.append(f"    tags {_tags(service.tags)}")
    if not info.feature_services:
        lines.append("  none")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    add_repo_options(parser)
    parser.add_argument("--json", action="store_true", help="print the registry as JSON")
    args = parser.parse_args(argv)
    repo, fs_yaml = repo_and_yaml(args)
    problem = yaml_problem(fs_yaml)
    if problem:
        parser.error(problem)

    from feast import FeatureStore

    info = describe(FeatureStore(repo_path=str(repo), fs_yaml_file=fs_yaml))
    print(json.dumps(asdict(info), indent=2) if args.json else render(info), end="")
    if args.json:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
