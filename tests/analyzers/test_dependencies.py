"""Dependency declarations: every format, exact locations, encodings and broken inputs.

The catalogue used here is built in a temporary folder, so these tests do not depend on the contents of
`signatures/`.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.analyzers import analyzer_for, text
from scanner.analyzers import dependencies as deps
from scanner.analyzers.dependencies import analyze, requirement_name
from scanner.discovery import Artifact, ArtifactKind, DiscoveryOptions, discover, kind_from_name
from scanner.findings import (
    Capability,
    Evidence,
    EvidenceKind,
    FileOutcome,
    Location,
    Modality,
    NoticeKind,
    Strength,
)
from scanner.signatures import Catalog, load_catalog, normalise_dist

PACKAGES = """
[[package]]
id = "package.fer"
name = "fer"
imports = ["fer"]
modality = "face"
capability = "emotion"
dedicated = true
summary = "FER facial expression recognition"

[[package]]
id = "package.deepface"
name = "deepface"
imports = ["deepface"]
modality = "face"
capability = "emotion"
dedicated = false
summary = "DeepFace face analysis"

[[package]]
id = "package.speechbrain"
name = "speechbrain"
imports = ["speechbrain"]
modality = "voice"
capability = "emotion"
dedicated = false
summary = "SpeechBrain speech toolkit"

[[package]]
id = "package.opencv-python"
name = "opencv-python"
imports = ["cv2"]
aliases = ["opencv-contrib-python"]
modality = "face"
capability = "biometric-input"
dedicated = false
summary = "OpenCV computer vision"

[[package]]
id = "package.py-feat"
name = "py-feat"
imports = ["feat"]
modality = "face"
capability = "emotion"
dedicated = true
summary = "Py-Feat facial expression analysis"

[[package]]
id = "package.pyaudio"
name = "PyAudio"
imports = ["pyaudio"]
modality = "voice"
capability = "biometric-input"
dedicated = false
summary = "PyAudio microphone capture"
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("dependency-catalog")
    (root / "catalog.toml").write_text('version = "test-1"\n', encoding="utf-8")
    (root / "packages.toml").write_text(PACKAGES, encoding="utf-8")
    return load_catalog(root)


def scan(tmp_path: Path, catalog: Catalog, name: str, content: str | bytes) -> FileOutcome:
    """Write `content` as `name` under tmp_path and analyse it with the kind discovery gives it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    artifact = Artifact(path=name, fs_path=path, kind=kind_from_name(path.name), size=len(data))
    return analyze(artifact, catalog)


def found(outcome: FileOutcome) -> list[tuple[str, int, int]]:
    """(catalogue package, line, column) of each evidence, in report order."""
    return [(e.package or "", e.location.line, e.location.column) for e in outcome.evidence]


def clean(outcome: FileOutcome) -> list[tuple[str, int, int]]:
    assert outcome.notices == ()
    return found(outcome)


# --- requirements files ---------------------------------------------------------------------------

REQUIREMENTS = """\
# fer==22.5
-r base.txt
--index-url https://example.org/simple
-c constraints.txt
django>=4.2
DeepFace[gpu]>=0.0.79 ; python_version < "3.12"
numpy==1.26 \\
    --hash=sha256:abc
Py_Feat @ https://files.example.org/py_feat-0.6.1-py3-none-any.whl
-e git+https://github.com/justinshenk/fer.git@v22#egg=fer
speechbrain==1.0.0  # voice
opencv-contrib-python
deepface==0.0.90
"""


def test_requirements_every_line_form(tmp_path: Path, catalog: Catalog) -> None:
    outcome = scan(tmp_path, catalog, "requirements.txt", REQUIREMENTS)
    assert clean(outcome) == [
        ("deepface", 6, 1),
        ("py-feat", 9, 1),
        ("fer", 10, 55),
        ("speechbrain", 11, 1),
        ("opencv-python", 12, 1),
    ]


def test_requirements_evidence_fields(tmp_path: Path, catalog: Catalog) -> None:
    outcome = scan(tmp_path, catalog, "reqs/requirements-prod.txt", "fer==22.5\nDeepFace\n")
    assert outcome.evidence == (
        Evidence(
            kind=EvidenceKind.DEPENDENCY,
            signature_id="package.fer",
            location=Location("reqs/requirements-prod.txt", 1, 1),
            summary="requirements-prod.txt declares 'fer' (FER facial expression recognition)",
            modality=Modality.FACE,
            capability=Capability.EMOTION,
            strength=Strength.DIRECT,
            package="fer",
        ),
        Evidence(
            kind=EvidenceKind.DEPENDENCY,
            signature_id="package.deepface",
            location=Location("reqs/requirements-prod.txt", 2, 1),
            summary="requirements-prod.txt declares 'DeepFace' (DeepFace face analysis)",
            modality=Modality.FACE,
            capability=Capability.EMOTION,
            strength=Strength.ENABLER,
            package="deepface",
        ),
    )


def test_requirements_commented_out_lines_are_not_evidence(tmp_path: Path, catalog: Catalog) -> None:
    content = "# fer==22.5\n#deepface\n    # speechbrain\ndjango  # was: py-feat\n"
    assert clean(scan(tmp_path, catalog, "requirements.txt", content)) == []


def test_requirements_without_catalogue_packages(tmp_path: Path, catalog: Catalog) -> None:
    content = "django==5.2\nnumpy>=1.26\n-r other.txt\n\n"
    assert scan(tmp_path, catalog, "requirements.txt", content) == FileOutcome()


def test_requirements_line_continuations(tmp_path: Path, catalog: Catalog) -> None:
    content = "fer==22.5 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n  \\\n  deepface\n"
    assert clean(scan(tmp_path, catalog, "requirements.txt", content)) == [("fer", 1, 1), ("deepface", 5, 3)]


def test_requirements_first_declaration_wins(tmp_path: Path, catalog: Catalog) -> None:
    content = "django\nopencv-python\nfer\nopencv-contrib-python\nFER==1\n"
    assert clean(scan(tmp_path, catalog, "requirements.txt", content)) == [
        ("opencv-python", 2, 1),
        ("fer", 3, 1),
    ]


def test_requires_txt_and_in_files(tmp_path: Path, catalog: Catalog) -> None:
    requires = "deepface>=0.0.79\n\n[gpu]\nfer\n\n[:python_version < '3.12']\nspeechbrain\n"
    assert clean(scan(tmp_path, catalog, "demo.egg-info/requires.txt", requires)) == [
        ("deepface", 1, 1),
        ("fer", 4, 1),
        ("speechbrain", 7, 1),
    ]
    assert clean(scan(tmp_path, catalog, "requirements-dev.in", "  py.feat\n")) == [("py-feat", 1, 3)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("fer", ("fer", 0)),
        ("  Py_Feat[all]>=0.6", ("Py_Feat", 2)),
        ("deepface (>=0.0.79)", ("deepface", 0)),
        ('fer; python_version < "3.12"', ("fer", 0)),
        ("fer@https://example.org/fer.zip", ("fer", 0)),
        ("fer ~= 22.5", ("fer", 0)),
        ("-e git+https://example.org/x.git#egg=py_feat", ("py_feat", 37)),
        ("--editable=git+https://example.org/x.git#egg=fer&subdirectory=src", ("fer", 45)),
        ("git+https://example.org/x.git#egg=fer", ("fer", 34)),
        ("./wheels/py_feat-0.6.1-py3-none-any.whl", ("py_feat", 9)),
        ("fer-22.5.1-py3-none-any.whl", ("fer", 0)),
        ("https://example.org/dl/speechbrain-1.0.0.tar.gz", ("speechbrain", 23)),
        ("-r fer.txt", None),
        ("--no-binary fer", None),
        ("--index-url https://example.org/simple", None),
        ("-e .", None),
        ("-e git+https://example.org/fer.git", None),
        ("./local/fer", None),
        ("fer/", None),
        ("", None),
        ("   ", None),
    ],
)
def test_requirement_name(line: str, expected: tuple[str, int] | None) -> None:
    assert requirement_name(line) == expected


# --- encodings and unreadable files ---------------------------------------------------------------


def test_utf16_le_with_bom_as_written_by_powershell(tmp_path: Path, catalog: Catalog) -> None:
    data = codecs.BOM_UTF16_LE + "fer==22.5\r\ndjango==5.2\r\ndeepface==0.0.90\r\n".encode("utf-16-le")
    assert clean(scan(tmp_path, catalog, "requirements.txt", data)) == [("fer", 1, 1), ("deepface", 3, 1)]


def test_utf16_be_with_bom(tmp_path: Path, catalog: Catalog) -> None:
    data = codecs.BOM_UTF16_BE + "django\nspeechbrain\n".encode("utf-16-be")
    assert clean(scan(tmp_path, catalog, "requirements.txt", data)) == [("speechbrain", 2, 1)]


def test_utf8_bom_does_not_shift_columns(tmp_path: Path, catalog: Catalog) -> None:
    data = codecs.BOM_UTF8 + b"fer==22.5\n"
    assert clean(scan(tmp_path, catalog, "requirements.txt", data)) == [("fer", 1, 1)]


def test_latin1_requirements(tmp_path: Path, catalog: Catalog) -> None:
    data = "# d\xe9pendances du caf\xe9\nfer==22.5\n".encode("latin-1")
    assert clean(scan(tmp_path, catalog, "requirements.txt", data)) == [("fer", 2, 1)]


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01\x00\x00\x00fer\x00\x00",
        "fer==22.5\n".encode("utf-16-le"),  # UTF-16 without its byte-order mark
    ],
)
def test_binary_requirements_file_is_a_fatal_notice(tmp_path: Path, catalog: Catalog, data: bytes) -> None:
    outcome = scan(tmp_path, catalog, "requirements.txt", data)
    assert outcome.evidence == ()
    [notice] = outcome.notices
    assert (notice.path, notice.kind, notice.fatal, notice.line) == (
        "requirements.txt",
        NoticeKind.DECODE_ERROR,
        True,
        1,
    )
    assert "binary content (NUL character on line 1)" in notice.message


def test_truncated_utf16_is_a_decode_notice(tmp_path: Path, catalog: Catalog) -> None:
    data = codecs.BOM_UTF16_LE + "fer".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    outcome = scan(tmp_path, catalog, "requirements.txt", data)
    assert outcome.evidence == ()
    assert [(n.kind, n.fatal) for n in outcome.notices] == [(NoticeKind.DECODE_ERROR, True)]


def test_too_large_file(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("fer\n", encoding="utf-8")
    artifact = Artifact("requirements.txt", path, ArtifactKind.REQUIREMENTS, text.MAX_TEXT_BYTES + 1)
    [notice] = analyze(artifact, catalog).notices
    assert (notice.kind, notice.fatal) == (NoticeKind.TOO_LARGE, True)


def test_unreadable_file(tmp_path: Path, catalog: Catalog) -> None:
    artifact = Artifact("requirements.txt", tmp_path / "missing.txt", ArtifactKind.REQUIREMENTS, 10)
    [notice] = analyze(artifact, catalog).notices
    assert (notice.path, notice.kind, notice.fatal) == ("requirements.txt", NoticeKind.READ_ERROR, True)


def test_unexpected_parser_failure_becomes_a_notice(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(content: str) -> list[deps.Declared]:
        raise IndexError("boom")

    monkeypatch.setitem(deps.PARSERS, ArtifactKind.REQUIREMENTS, broken)
    outcome = scan(tmp_path, catalog, "requirements.txt", "fer\n")
    [notice] = outcome.notices
    assert (notice.path, notice.kind, notice.fatal) == ("requirements.txt", NoticeKind.PARSE_ERROR, True)
    assert notice.message == (
        "internal error while reading the dependencies of requirements.txt: IndexError: boom"
    )


def test_kind_without_a_dependency_parser(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "setup.py"
    path.write_text("install_requires=['fer']\n", encoding="utf-8")
    artifact = Artifact("setup.py", path, ArtifactKind.SETUP_PY, path.stat().st_size)
    [notice] = analyze(artifact, catalog).notices
    assert (notice.kind, notice.fatal) == (NoticeKind.UNSUPPORTED, True)


# --- pyproject.toml -------------------------------------------------------------------------------

PYPROJECT = """\
# fer is named in this comment first: "fer>=22"
[build-system]
requires = ["setuptools", "fer-build-helper"]

[project]
name = "demo"
description = "uses deepface"
dependencies = [
    "django>=4.2",
    # "speechbrain", ] "fer"
    "DeepFace[gpu]>=0.0.79; python_version < '3.12'",
]

[project.optional-dependencies]
voice = ["speechbrain @ https://example.org/speechbrain-1.0.tar.gz"]

[dependency-groups]
dev = [{ include-group = "test" }, "Py_Feat"]
test = ["pytest"]

[tool.poetry.dependencies]
python = "^3.10"
fer = "^22.5"

[tool.poetry.group.vision.dependencies]
"opencv-contrib-python" = { version = "*", optional = true }

[tool.pdm.dev-dependencies]
audio = ["pyaudio>=0.2"]
"""


def test_pyproject_all_sections(tmp_path: Path, catalog: Catalog) -> None:
    outcome = scan(tmp_path, catalog, "pyproject.toml", PYPROJECT)
    assert clean(outcome) == [
        ("deepface", 11, 6),
        ("speechbrain", 15, 11),
        ("py-feat", 18, 37),
        ("fer", 23, 1),
        ("opencv-python", 26, 2),
        ("PyAudio", 29, 11),
    ]
    fer = outcome.evidence[3]
    assert (fer.signature_id, fer.strength) == ("package.fer", Strength.DIRECT)
    assert fer.summary == "pyproject.toml declares 'fer' (FER facial expression recognition)"


def test_pyproject_poetry_dotted_and_expanded_forms(tmp_path: Path, catalog: Catalog) -> None:
    content = dedent(
        """\
        [tool.poetry]
        name = "x"
        dependencies.python = "^3.10"
        dependencies . "DeepFace" = "*"
        group.audio.dependencies = { pyaudio = "*" }

        [tool.poetry.dev-dependencies.fer]
        version = "^22"
        """
    )
    assert clean(scan(tmp_path, catalog, "pyproject.toml", content)) == [
        ("deepface", 4, 17),
        ("PyAudio", 5, 30),
        ("fer", 7, 31),
    ]


def test_pyproject_strings_with_escapes_and_quotes(tmp_path: Path, catalog: Catalog) -> None:
    content = dedent(
        """\
        [project]
        dependencies = ['fer # not a comment', "x]", '''
        Py_Feat''', "\\u0064eepface"]
        optional-dependencies.all = [ "speechbrain", ]  # "fer"
        """
    )
    assert clean(scan(tmp_path, catalog, "pyproject.toml", content)) == [
        ("fer", 2, 18),
        ("py-feat", 3, 1),
        ("deepface", 3, 14),  # the escaped name cannot be pointed at: the string's first character
        ("speechbrain", 4, 32),
    ]


def test_pyproject_without_dependencies(tmp_path: Path, catalog: Catalog) -> None:
    content = '[project]\nname = "fer"\ndescription = "deepface"\n[tool.ruff]\nline-length = 100\n'
    assert scan(tmp_path, catalog, "pyproject.toml", content) == FileOutcome()


def test_pyproject_syntax_error(tmp_path: Path, catalog: Catalog) -> None:
    content = '[project]\ndependencies = ["fer",\nname = "x"\n'
    outcome = scan(tmp_path, catalog, "pyproject.toml", content)
    assert outcome.evidence == ()
    [notice] = outcome.notices
    assert (notice.path, notice.kind, notice.fatal, notice.line) == (
        "pyproject.toml",
        NoticeKind.PARSE_ERROR,
        True,
        3,
    )
    assert notice.message.startswith("invalid TOML: ")
    assert "line 3, column 1" in notice.message


def test_pyproject_unexpected_shapes_are_ignored(tmp_path: Path, catalog: Catalog) -> None:
    content = 'project = "fer"\ndependency-groups = ["fer"]\n[tool]\npoetry = 3\n'
    assert scan(tmp_path, catalog, "pyproject.toml", content) == FileOutcome()


def test_toml_position_fallback_is_reported(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(self: deps.TomlLocator) -> deps.Located:
        raise deps.LocateError("lost")

    monkeypatch.setattr(deps.TomlLocator, "run", lost)
    outcome = scan(tmp_path, catalog, "pyproject.toml", '[project]\ndependencies = ["fer"]\n')
    assert found(outcome) == [("fer", 1, 1)]
    [notice] = outcome.notices
    assert (notice.kind, notice.fatal) == (NoticeKind.PARTIAL, False)
    assert "'fer'" in notice.message


# Generated pyproject files: whatever the quoting, layout and decoys, each evidence points at the name.
NAMES = ["fer", "DeepFace", "Py_Feat", "speechbrain", "opencv-contrib-python", "django"]
QUOTES = ['"{}"', "'{}'", '"""{}"""', "'''\n{}'''"]
SUFFIXES = ["", ">=1.0", "[gpu]>=2", " @ https://example.org/a#b"]
SEPARATORS = [", ", ",\n    ", ',  # "fer", ]\n  ', ", # [ 'deepface' ]\n"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.sampled_from(SUFFIXES),
            st.sampled_from(QUOTES),
            st.sampled_from(SEPARATORS),
        ),
        min_size=1,
        max_size=6,
    ),
    poetry=st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
)
def test_generated_pyproject_positions_point_at_names(
    tmp_path: Path,
    catalog: Catalog,
    items: list[tuple[str, str, str, str]],
    poetry: list[str],
) -> None:
    array = "".join(quote.format(name + suffix) + sep for name, suffix, quote, sep in items)
    content = (
        '# "fer" and deepface in a comment\n[project]\nname = "fer"\n'
        f"dependencies = [{array}]\n[tool.poetry.dependencies]\n"
        + "".join(f'{name} = "*"  # fer\n' for name in poetry)
    )
    outcome = scan(tmp_path, catalog, "pyproject.toml", content)
    lines = content.splitlines()
    for evidence in outcome.evidence:
        written = evidence.summary.split("'")[1]
        line = lines[evidence.location.line - 1]
        assert line[evidence.location.column - 1 :].startswith(written), (evidence, content)
    declared = [*(item[0] for item in items), *poetry]
    packages = (catalog.package_by_name.get(normalise_dist(name)) for name in declared)
    assert outcome.notices == ()
    assert {e.signature_id for e in outcome.evidence} == {p.id for p in packages if p is not None}


# --- setup.cfg ------------------------------------------------------------------------------------

SETUP_CFG = """\
[metadata]
name = demo
description = fer-like

[options]
packages = find:
install_requires =
    django>=4.2
    # fer==22.5
    DeepFace>=0.0.79 ; python_version < "3.12"

[options.extras_require]
voice = speechbrain; PyAudio
vision =
    opencv-contrib-python

[options.entry_points]
console_scripts =
    fer = demo:main
"""


def test_setup_cfg(tmp_path: Path, catalog: Catalog) -> None:
    assert clean(scan(tmp_path, catalog, "setup.cfg", SETUP_CFG)) == [
        ("deepface", 10, 5),
        ("speechbrain", 13, 9),
        ("PyAudio", 13, 22),
        ("opencv-python", 15, 5),
    ]


def test_setup_cfg_single_line_and_dashed_key(tmp_path: Path, catalog: Catalog) -> None:
    content = "[options]\ninstall-requires = fer>=22 ; py-feat\nsetup_requires = deepface\n"
    assert clean(scan(tmp_path, catalog, "setup.cfg", content)) == [("fer", 2, 20), ("py-feat", 2, 30)]


# --- Pipfile and Pipfile.lock ---------------------------------------------------------------------

PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
name = "pypi"

[scripts]
fer = "python -m fer"

[packages]
django = "*"
DeepFace = {version = "*", extras = ["gpu"]}

[dev-packages]
"fer" = "==22.5"

[vision]
opencv-contrib-python = "*"

[requires]
python_version = "3.12"
"""


def test_pipfile(tmp_path: Path, catalog: Catalog) -> None:
    assert clean(scan(tmp_path, catalog, "Pipfile", PIPFILE)) == [
        ("deepface", 10, 1),
        ("fer", 13, 2),
        ("opencv-python", 16, 1),
    ]


def test_pipfile_lock(tmp_path: Path, catalog: Catalog) -> None:
    content = dedent(
        """\
        {
            "_meta": {"fer": "not a package", "requires": {"python_version": "3.12"}},
            "default": {
                "deepface": {"hashes": ["sha256:aa"], "version": "==0.0.90"},
                "fer": {"version": "==22.5", "markers": "python_version >= '3.8'"}
            },
            "develop": {
                "speech\\u0062rain": {"version": "==1.0.0"}
            }
        }
        """
    )
    outcome = scan(tmp_path, catalog, "Pipfile.lock", content)
    assert clean(outcome) == [("deepface", 4, 10), ("fer", 5, 10), ("speechbrain", 8, 10)]
    assert outcome.evidence[1].summary == "Pipfile.lock pins 'fer' (FER facial expression recognition)"
    assert outcome.evidence[1].strength is Strength.DIRECT


def test_pipfile_lock_syntax_error(tmp_path: Path, catalog: Catalog) -> None:
    outcome = scan(tmp_path, catalog, "Pipfile.lock", '{\n "default": {"fer": [1,\n}')
    [notice] = outcome.notices
    assert (notice.kind, notice.fatal, notice.line) == (NoticeKind.PARSE_ERROR, True, 3)
    assert notice.message.startswith("invalid JSON: ")


def test_pipfile_lock_not_an_object(tmp_path: Path, catalog: Catalog) -> None:
    [notice] = scan(tmp_path, catalog, "Pipfile.lock", json.dumps(["fer"])).notices
    assert (notice.kind, notice.message) == (NoticeKind.PARSE_ERROR, "Pipfile.lock is not a JSON object")


# --- TOML lock files ------------------------------------------------------------------------------


def test_poetry_lock(tmp_path: Path, catalog: Catalog) -> None:
    content = dedent(
        """\
        [[package]]
        name = "deepface"
        version = "0.0.90"
        description = "fer-based"

        [package.dependencies]
        fer = ">=22"

        [[package]]
        name = "fer"
        version = "22.5.1"
        """
    )
    outcome = scan(tmp_path, catalog, "poetry.lock", content)
    assert clean(outcome) == [("deepface", 2, 9), ("fer", 10, 9)]
    assert outcome.evidence[1].summary == "poetry.lock pins 'fer' (FER facial expression recognition)"
    assert [e.strength for e in outcome.evidence] == [Strength.ENABLER, Strength.DIRECT]


def test_uv_lock(tmp_path: Path, catalog: Catalog) -> None:
    content = dedent(
        """\
        version = 1
        requires-python = ">=3.10"

        [[package]]
        name = "demo"
        version = "0.1.0"
        source = { editable = "." }
        dependencies = [
            { name = "speechbrain" },
        ]

        [package.metadata]
        requires-dist = [{ name = "speechbrain", specifier = ">=1" }]

        [[package]]
        name = "speechbrain"
        version = "1.0.0"
        source = { registry = "https://pypi.org/simple" }

        [[package]]
        name = "speechbrain"
        version = "0.5.16"
        """
    )
    assert clean(scan(tmp_path, catalog, "uv.lock", content)) == [("speechbrain", 16, 9)]


def test_pdm_lock(tmp_path: Path, catalog: Catalog) -> None:
    content = '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "py-feat"\nversion = "0.6.1"\n'
    assert clean(scan(tmp_path, catalog, "pdm.lock", content)) == [("py-feat", 5, 9)]


def test_lock_syntax_error(tmp_path: Path, catalog: Catalog) -> None:
    [notice] = scan(tmp_path, catalog, "poetry.lock", '[[package]]\nname = "fer\n').notices
    assert (notice.kind, notice.fatal, notice.line) == (NoticeKind.PARSE_ERROR, True, 2)


def test_pylock_toml_given_as_a_lock_file(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\n\n[[packages]]\nname = "fer"\nversion = "22.5.1"\n', encoding="utf-8"
    )
    artifact = Artifact("pylock.toml", path, ArtifactKind.LOCKFILE, path.stat().st_size)
    outcome = analyze(artifact, catalog)
    assert clean(outcome) == [("fer", 4, 9)]
    assert outcome.evidence[0].summary == "pylock.toml pins 'fer' (FER facial expression recognition)"


# --- conda environment files ----------------------------------------------------------------------

ENVIRONMENT = """\
name: emo
channels:
  - conda-forge
  - fer
dependencies:
  - python=3.11
  - conda-forge::fer=22.5  # pinned
  - pyaudio=0.2.11
  - pip
  - pip:
    - -r requirements.txt
    - "DeepFace[gpu]==0.0.90"  # quoted
    - git+https://github.com/x/speechbrain.git#egg=speechbrain
  # - opencv-contrib-python
variables:
  py-feat: "1"
"""


def test_conda_environment(tmp_path: Path, catalog: Catalog) -> None:
    assert clean(scan(tmp_path, catalog, "environment.yml", ENVIRONMENT)) == [
        ("fer", 7, 18),
        ("PyAudio", 8, 5),
        ("deepface", 12, 8),
        ("speechbrain", 13, 52),
    ]


def test_conda_environment_compact_sequences(tmp_path: Path, catalog: Catalog) -> None:
    content = (
        "dependencies:\n- 'py-feat>=0.6'\n- pip:\n  - deepface\n- conda-forge/linux-64::opencv-python 4.9\n"
    )
    assert clean(scan(tmp_path, catalog, "environment.yaml", content)) == [
        ("py-feat", 2, 4),
        ("deepface", 4, 5),
        ("opencv-python", 5, 25),
    ]


def test_conda_environment_outside_dependencies(tmp_path: Path, catalog: Catalog) -> None:
    content = "name: fer\nchannels:\n  - fer\nvariables:\n  - deepface\n"
    assert scan(tmp_path, catalog, "environment.yml", content) == FileOutcome()


# --- through discovery and the registry -----------------------------------------------------------


def test_discovered_dependency_files_go_through_the_registry(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "requirements.txt").write_text("fer\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["deepface"]\n', encoding="utf-8")
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "fer"\n', encoding="utf-8")
    discovered = discover([tmp_path], DiscoveryOptions(), base=tmp_path)
    results: dict[str, list[tuple[str, int, int]]] = {}
    for artifact in discovered.artifacts:
        analyzer = analyzer_for(artifact.kind)
        assert analyzer is analyze
        results[artifact.path] = clean(analyzer(artifact, catalog))
    assert results == {
        "poetry.lock": [("fer", 2, 9)],
        "pyproject.toml": [("deepface", 2, 18)],
        "requirements.txt": [("fer", 1, 1)],
    }


# --- robustness -----------------------------------------------------------------------------------

DEPENDENCY_FILES = [
    "requirements.txt",
    "pyproject.toml",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "environment.yml",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(DEPENDENCY_FILES), data=st.binary(max_size=300) | st.text(max_size=300))
def test_never_raises(tmp_path: Path, catalog: Catalog, name: str, data: bytes | str) -> None:
    outcome = scan(tmp_path, catalog, name, data)
    assert all(e.location.line >= 1 and e.location.column >= 1 for e in outcome.evidence)
