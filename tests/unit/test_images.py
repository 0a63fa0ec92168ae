"""The diagrams in images/: drawn from their sources in images/src/ (``make images``), shown in the
README, and the feature store's layering true to ``feature_definitions.py``."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from feast import FeatureService, FeatureView, FileSource, PushSource

from analysis.paths import FEATURE_REPO_DIR, PROJECT_ROOT

IMAGES = PROJECT_ROOT / "images"
SOURCES = sorted((IMAGES / "src").glob("*.dot"))
RENDERER = Path(sys.executable).with_name("graphviz-pure")


def test_there_is_a_diagram_per_chapter_and_one_of_the_feature_store() -> None:
    assert {source.stem for source in SOURCES} >= {
        "architecture_2019",
        "architecture_2020",
        "architecture_2021",
        "architecture_what_now",
        "feature_store_layers",
    }


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_each_diagram_is_drawn_from_its_current_source(source: Path) -> None:
    assert RENDERER.exists(), "graphviz-pure is missing: make setup installs requirements-dev.txt"
    drawn = subprocess.run(
        [str(RENDERER), "-Tsvg", str(source)], capture_output=True, check=True, timeout=60
    ).stdout
    committed = IMAGES / f"{source.stem}.svg"
    assert committed.is_file(), f"{committed.name} is missing: run make images"
    assert committed.read_bytes() == drawn, (
        f"{committed.name} is older than its source: make images"
    )


def test_the_readme_shows_every_diagram_and_screenshot() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    shown = set(re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", readme))
    expected = {f"images/{source.stem}.svg" for source in SOURCES}
    assert expected <= shown, f"not in the README: {sorted(expected - shown)}"
    for image in shown:
        assert (PROJECT_ROOT / image).is_file(), f"the README shows {image}, which does not exist"


def test_the_layering_diagram_names_every_object_of_stage_2021(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEAST_STORE_STAGE", "2021")
    spec = importlib.util.spec_from_file_location(
        "feature_definitions_layers", FEATURE_REPO_DIR / "feature_definitions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(definitions)
    declared = list(vars(definitions).values())

    diagram = (IMAGES / "src" / "feature_store_layers.dot").read_text()
    nodes = set(re.findall(r"^\s*(\w+) \[label=", diagram, flags=re.MULTILINE))
    views = {o.name: o for o in declared if isinstance(o, FeatureView)}
    services = {o.name for o in declared if isinstance(o, FeatureService)}
    sources = {o.name for o in declared if isinstance(o, FileSource | PushSource)}
    assert nodes == {*views, *services, *sources}
    for view in views.values():
        for field in view.features:
            assert str(field.dtype) in diagram, f"{view.name}.{field.name} ({field.dtype})"
    for name, source in {o.name: o for o in declared if isinstance(o, FileSource)}.items():
        assert f"{name}\\n{Path(source.path).relative_to('..')}" in diagram
    # Each arrow is a link the definitions make: a source feeds a view, a view a service.
    edges = set(re.findall(r"^\s*(\w+) -> (\w+)", diagram, flags=re.MULTILINE))
    expected = set()
    for view in views.values():
        expected.add((view.batch_source.name, view.name))
        if view.stream_source is not None:
            expected.add((view.stream_source.name, view.name))
            expected.add((view.stream_source.name, view.batch_source.name))
    for service in (o for o in declared if isinstance(o, FeatureService)):
        expected |= {(p.name, service.name) for p in service.feature_view_projections}
    assert edges == expected
