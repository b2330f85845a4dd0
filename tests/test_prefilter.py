"""The prefilter: ordinary code is not sent to the parser, and nothing the analyzer would find is held
back from it (checked against the analyzer itself, with the prefilter switched off)."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

from scanner import prefilter
from scanner.analyzers import python_source
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import Capability, Strength
from scanner.signatures import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
ENGINES = ["re"] + (["re2"] if importlib.util.find_spec("re2") is not None else [])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, catalog: Catalog) -> prefilter.Prefilter:
    return prefilter.Prefilter(catalog, engine=request.param)


def code(text: str) -> bytes:
    return textwrap.dedent(text).lstrip().encode()


# Look-alikes measured on the django sources: each once sent a file to libcst.
ORDINARY = {
    "demotion": "def demote(user):\n    # a demotion is logged\n    log('Demotion of %s', user)\n",
    "feat-variable": "for feat in layer:\n    print(feat.get('name'), feat.geom)\n",
    "google-link": "URL = 'https://www.google.com/search?q=x'  # google it\n",
    "css-col": 'html = \'<th scope="col">\' + F("col").name\n',
    "one-colour": "COLOURS = ['black', 'white', 'red']\nMODE = 'normal'\n",
    "dataset-inside-a-word": "class CheckDefaultPKConfig(AppConfig):\n    name = 'check'\n",
    "fer-inside-words": "buffer = transfer(reference, offer)\n",
    "from-x-import-nothing": "from django.db import models\nimport os, sys\n",
    # Packages that can do emotion recognition but need not: their import alone is enabler evidence.
    "toolkit-import": "import speechbrain\nfrom speechbrain.utils.data_utils import download_file\n",
    "cloud-sdk-import": "import boto3\ns3 = boto3.client('s3')\n",
    "vision-client": "from google.cloud import vision\nclient = vision.ImageAnnotatorClient()\n",
}

# Each must reach the analyzer: one per rule of the prefilter.
NEEDED = {
    "import": "import fer\n",
    "import-in-a-list": "import os, feat\n",
    "from-import": "from fer import FER\n",
    "dotted-package": "from google.cloud import vision\nfaces = vision.ImageAnnotatorClient().face_detection(image=img)\n",
    "call-without-import": "detector = feat.Detector()\n",
    "method-name": "faces = client.detect_faces(Image=img, Attributes=['ALL'])\n",
    "response-field": "mood = result['dominant_emotion']\n",
    "emotion-word": "def detectedEmotion(x):\n    return x\n",
    "emotion-in-camel-case": "class FaceEmotionNet:\n    pass\n",
    "label-list": "LABELS = ['angry', 'happy', 'sad']\n",
    "label-dict": "CLASSES = {'Angry': 0, 'Happy': 1, 'Sad': 2}\n",
    "bilingual-labels": "labels = ['生气/angry', '开心/happy', '难过/sad']\n",
    "model-id": "MODEL = 'superb/hubert-large-superb-er'\n",
    "dataset-string": "data = load('data/FER2013.csv')\n",
    "dataset-identifier": "ravdess_df = read(path)\n",
    "dataset-with-separators": "crema_d_root = '/data'\n",
    "model-file-name": "model = load('weights/race_model_single_batch.h5')\n",
}


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_code_is_not_parsed(engine: prefilter.Prefilter, name: str) -> None:
    assert not engine.matches(ORDINARY[name].encode())


@pytest.mark.parametrize("name", sorted(NEEDED))
def test_catalogue_code_is_parsed(engine: prefilter.Prefilter, name: str) -> None:
    assert engine.matches(NEEDED[name].encode())


def test_notebook_json_strings_are_read_like_code(engine: prefilter.Prefilter) -> None:
    cell = {"cell_type": "code", "source": ['EMOTIONS = ["angry", "happy", "sad"]\n', "model.predict(x)\n"]}
    assert engine.matches(json.dumps({"cells": [cell]}).encode())
    other = {"cell_type": "code", "source": ['MODE = "normal"\n']}
    assert not engine.matches(json.dumps({"cells": [other]}).encode())


def test_labels_count_distinct_words_of_one_vocabulary(engine: prefilter.Prefilter) -> None:
    assert not engine.matches(b"a = 'happy'\nb = 'happy'\nc = 'HAPPY'\n")
    assert engine.matches(b"a = 'happy'\nb = 'sad'\nc = 'angry'\n")


def test_both_engines_decide_alike(catalog: Catalog) -> None:
    if len(ENGINES) < 2:
        pytest.skip("google-re2 is not installed")
    engines = [prefilter.Prefilter(catalog, engine=e) for e in ENGINES]
    samples = [s.encode() for s in (*ORDINARY.values(), *NEEDED.values())]
    samples += [p.read_bytes() for p in sorted((REPO / "scanner").rglob("*.py"))]
    for sample in samples:
        assert len({e.matches(sample) for e in engines}) == 1, sample[:200]


def _sources() -> list[tuple[str, bytes]]:
    """Real-looking emotion-recognition code: the example project, the accuracy corpus and the
    benchmark's generated modules."""
    found = [
        (str(p.relative_to(REPO)), p.read_bytes())
        for folder in ("examples", "tests/corpus")
        for p in sorted((REPO / folder).rglob("*.py"))
        if p.name not in ("setup.py", "conftest.py")  # setup.py is a dependency file, never prefiltered
    ]
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = corpus
    spec.loader.exec_module(corpus)
    for index, (name, template) in enumerate(sorted(corpus.TEMPLATES.items())):
        rng = corpus.random.Random(index)
        found.append((f"template:{name}", corpus.module(rng, template, 2).encode()))
    return found


@pytest.fixture(scope="module")
def analysed(
    catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, bytes, list[str]]]:
    """(name, bytes, evidence that can make a finding) per source, found with the prefilter off:
    evidence that is not an enabler, an expression or a generic model call."""
    folder = tmp_path_factory.mktemp("sources")
    out = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "matches", lambda _catalog, _data: True)
        for name, data in _sources() + [(n, s.encode()) for n, s in NEEDED.items()]:
            path = folder / "sample.py"
            path.write_bytes(data)
            outcome = python_source.analyze(Artifact(name, path, ArtifactKind.PYTHON, len(data)), catalog)
            findings = [
                f"{e.signature_id}:{e.location.line}"
                for e in outcome.evidence
                if e.capability not in (Capability.BIOMETRIC_INPUT, Capability.EXPRESSION)
                and e.strength <= Strength.ARTIFACT  # what correlate counts as a signal
            ]
            out.append((name, data, findings))
    return out


def test_nothing_the_analyzer_finds_is_held_back(
    engine: prefilter.Prefilter, analysed: list[tuple[str, bytes, list[str]]]
) -> None:
    """Every file where the analyzer finds evidence that can make a finding passes the prefilter."""
    held_back = [
        (name, findings) for name, data, findings in analysed if findings and not engine.matches(data)
    ]
    assert held_back == []
    assert sum(1 for *_, findings in analysed if findings) >= 20


def test_every_model_file_signature_that_can_be_a_finding_is_covered(catalog: Catalog) -> None:
    """A model-file name is caught by its extension, "emotion" or a literal in its pattern."""
    plan = prefilter.plan(catalog)
    for signature in catalog.model_files:
        if signature.capability in (Capability.BIOMETRIC_INPUT, Capability.EXPRESSION):
            continue
        pattern = signature.pattern.lower()
        covered = (
            prefilter._PATTERN_EXTENSIONS.search(signature.pattern) is not None
            or "emotion" in pattern
            or any(literal in pattern for literal in plan.literals)
        )
        assert covered, signature.id


def test_the_prefilter_is_built_once_per_catalogue(catalog: Catalog) -> None:
    assert prefilter.build(catalog) is prefilter.build(catalog)
