"""Jupyter notebooks: shell and magic lines inside code, locations on the .ipynb file's lines."""

from __future__ import annotations

import json

from conftest import ScanTree, rule_hits

from scanner.findings import EvidenceKind


def notebook(*cells: list[str]) -> str:
    """An nbformat 4 notebook as Jupyter writes it (one JSON string per source line, indent 1)."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
                for source in cells
            ],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_block_whose_only_line_is_a_magic_still_parses(scan_tree: ScanTree) -> None:
    # Colab notebooks install their packages under a guard; blanking the magic line would leave the
    # `if` without a body, and the whole cell would fall back to lexical analysis with a notice.
    text = notebook(
        [
            "import sys\n",
            "if 'google.colab' in sys.modules:\n",
            "    %pip install deepface\n",
            "from deepface import DeepFace as df\n",
            "faces = df.analyze('class_photo.jpg', actions=['emotion'])\n",
        ]
    )
    result = scan_tree({"Emotion_Demo.ipynb": text})
    assert result.notices == ()
    assert rule_hits(result) == [("EMO004", "Emotion_Demo.ipynb", line_of(text, "faces = df.analyze"))]
    installs = [e for e in result.evidence if e.kind is EvidenceKind.DEPENDENCY]
    assert [e.location.line for e in installs] == [line_of(text, "%pip install deepface")]
