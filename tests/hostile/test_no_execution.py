"""Nothing scanned is executed, imported or unpickled: the scanner's own sources never call what could.

An AST check, not a grep: imports are followed through aliases (`import pickle as p; p.loads`,
`from os import system`), and any reference counts, called or not (`run = pickle.loads` is caught too).
Strings and comments that merely name these functions (the Python analyzer's catalogue of risky calls,
docstrings) are not code and do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "scanner"

# Qualified names whose use would run, import or unpickle something: whole modules, names (and their
# attributes), and families of names (os.execv, os.execve...).
MODULES = ("_pickle", "cPickle", "dill", "cloudpickle", "shelve", "code", "runpy", "subprocess", "ctypes",
           "importlib.machinery", "zipimport", "pty")  # fmt: skip
NAMES = (
    "pickle.load",
    "pickle.loads",
    "pickle.Unpickler",
    "joblib.load",
    "torch.load",
    "torch.jit.load",
    "tensorflow.keras.models.load_model",
    "keras.models.load_model",
    "keras.saving.load_model",
    "onnx.load",
    "onnx.load_model",
    "onnx.load_from_string",
    "marshal.load",
    "marshal.loads",
    "yaml.load",
    "yaml.unsafe_load",
    "yaml.full_load",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.breakpoint",
    "os.system",
    "os.popen",
    "os.fork",
    "os.forkpty",
    "importlib.util.spec_from_file_location",
    "importlib.util.module_from_spec",
)
FAMILIES = ("os.exec", "os.spawn", "os.posix_spawn")
# Imported by name: only a constant module name, or the analyzer registry's pattern below.
IMPORTERS = ("importlib.import_module", "builtins.__import__")
BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}


def forbidden(name: str) -> bool:
    return (
        any(name == module or name.startswith(module + ".") for module in MODULES)
        or any(name == item or name.startswith(item + ".") for item in NAMES)
        or name.startswith(FAMILIES)
    )


# The one dynamic import allowed: scanner/analyzers/__init__.py imports its own analyzer modules by
# the names in the REGISTRY dict, `importlib.import_module(f"scanner.analyzers.{module_name}")`, so a
# heavy module (onnx, h5py) loads only when a file needs it. It is safe because every REGISTRY value
# is a string constant in the source naming a module of the package (checked below): no scanned byte
# can choose what is imported.
REGISTRY_FILE = PACKAGE / "analyzers" / "__init__.py"
REGISTRY_PREFIX = "scanner.analyzers."


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name}"


class Checker(ast.NodeVisitor):
    def __init__(self, path: str, registry_names: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.aliases: dict[str, str] = {}
        self.found: list[Violation] = []
        self.registry_names = registry_names

    # -- names
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
            self._check(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            qualified = f"{module}.{alias.name}" if module else alias.name
            self.aliases[alias.asname or alias.name] = qualified
            self._check(qualified, node)

    def qualify(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if node.id in self.aliases:
            parts.append(self.aliases[node.id])
        elif node.id in BUILTINS:
            parts.append(f"builtins.{node.id}")
        else:
            return None  # a local name, not a module
        return ".".join(reversed(parts))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self.qualify(node)
        if name is not None:
            self._check(name, node)
        else:
            self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        name = self.qualify(node)
        if name is not None:
            self._check(name, node)

    def visit_Call(self, node: ast.Call) -> None:
        name = self.qualify(node.func)
        if name in IMPORTERS:
            if not self._constant_import(node):
                self.found.append(Violation(self.path, node.lineno, f"{name} with a computed module name"))
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                self.visit(argument)
            return
        if name in ("numpy.load", "np.load") and any(
            k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
            for k in node.keywords
        ):
            self.found.append(Violation(self.path, node.lineno, "numpy.load(allow_pickle=...)"))
        self.generic_visit(node)

    def _constant_import(self, node: ast.Call) -> bool:
        if len(node.args) != 1:
            return False
        argument = node.args[0]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return True
        return self._registry_import(argument)

    def _registry_import(self, argument: ast.expr) -> bool:
        """f"scanner.analyzers.{name}", in the registry module only, where `name` is a value of
        REGISTRY (the module is checked by test_the_registry_names_only_its_own_modules)."""
        if not self.registry_names or not isinstance(argument, ast.JoinedStr):
            return False
        values = argument.values
        return (
            len(values) == 2
            and isinstance(values[0], ast.Constant)
            and values[0].value == REGISTRY_PREFIX
            and isinstance(values[1], ast.FormattedValue)
            and isinstance(values[1].value, ast.Name)
            and values[1].value.id in self.registry_names
        )

    def _check(self, name: str, node: ast.stmt | ast.expr) -> None:
        if forbidden(name):
            self.found.append(Violation(self.path, node.lineno, name))


def registry_variables(tree: ast.Module) -> frozenset[str]:
    """Names assigned from REGISTRY.get(...) or REGISTRY[...] in the registry module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            reads_registry = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "get"
                and isinstance(value.func.value, ast.Name)
                and value.func.value.id == "REGISTRY"
            ) or (
                isinstance(value, ast.Subscript)
                and isinstance(value.value, ast.Name)
                and value.value.id == "REGISTRY"
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if reads_registry:
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def check_source(source: str, path: str, registry: bool = False) -> list[Violation]:
    tree = ast.parse(source)
    checker = Checker(path, registry_variables(tree) if registry else frozenset())
    checker.visit(tree)
    return checker.found


def package_sources() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def test_the_package_never_runs_imports_or_unpickles_what_it_scans() -> None:
    sources = list(package_sources())
    assert len(sources) > 30, sources
    violations: list[Violation] = []
    for path in sources:
        shown = str(path.relative_to(PACKAGE.parent))
        violations.extend(
            check_source(path.read_text(encoding="utf-8"), shown, registry=path == REGISTRY_FILE)
        )
    assert not violations, "\n".join(map(str, violations))


def test_the_registry_names_only_its_own_modules() -> None:
    """What makes the one dynamic import safe: REGISTRY is a dict literal of string constants, each
    the name of a module in scanner/analyzers/."""
    tree = ast.parse(REGISTRY_FILE.read_text(encoding="utf-8"))
    registry = [
        node.value
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "REGISTRY"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    assert len(registry) == 1 and isinstance(registry[0], ast.Dict), "REGISTRY must be one dict literal"
    modules = {path.stem for path in (PACKAGE / "analyzers").glob("*.py")}
    for value in registry[0].values:
        assert isinstance(value, ast.Constant) and isinstance(value.value, str), ast.dump(value)
        assert value.value in modules, value.value
    assert registry_variables(tree), "the registry module no longer reads REGISTRY before importing"


BAD_SOURCES = {
    "import pickle\npickle.loads(data)\n": "pickle.loads",
    "import pickle as p\nrun = p.load\n": "pickle.load",
    "from pickle import Unpickler\n": "pickle.Unpickler",
    "from pickle import loads as l\nl(b'')\n": "pickle.loads",
    "import _pickle\n": "_pickle",
    "import torch\ntorch.load('m.pt')\n": "torch.load",
    "import torch.jit\ntorch.jit.load('m.pt')\n": "torch.jit.load",
    "import joblib\njoblib.load('m.joblib')\n": "joblib.load",
    "import onnx\nonnx.load('m.onnx')\n": "onnx.load",
    "eval('1')\n": "builtins.eval",
    "exec('x = 1')\n": "builtins.exec",
    "f = exec\n": "builtins.exec",
    "compile('1', 'f', 'eval')\n": "builtins.compile",
    "import numpy as np\nnp.load('a.npy', allow_pickle=True)\n": "numpy.load(allow_pickle=...)",
    "import numpy\nnumpy.load('a.npy', allow_pickle=flag)\n": "numpy.load(allow_pickle=...)",
    "import importlib\nimportlib.import_module(name)\n": "computed module name",
    "import importlib\nimportlib.import_module(f'scanner.analyzers.{name}')\n": "computed module name",
    "__import__(name)\n": "computed module name",
    "import subprocess\n": "subprocess",
    "from subprocess import run\nrun(['ls'])\n": "subprocess.run",
    "import os\nos.system('ls')\n": "os.system",
    "import os\nos.execv('/bin/sh', [])\n": "os.execv",
    "from os import posix_spawn\n": "os.posix_spawn",
    "import yaml\nyaml.load(text)\n": "yaml.load",
    "import marshal\nmarshal.loads(b'')\n": "marshal.loads",
    "import runpy\nrunpy.run_path('x.py')\n": "runpy",
    "import importlib.util\nimportlib.util.spec_from_file_location('m', path)\n": "spec_from_file_location",
}


@pytest.mark.parametrize("source", BAD_SOURCES)
def test_the_check_catches(source: str) -> None:
    found = check_source(source, "example.py")
    assert found, f"not caught: {source!r}"
    assert any(BAD_SOURCES[source] in violation.name for violation in found), found


GOOD_SOURCES = [
    "import pickletools\nfor op in pickletools.genops(stream):\n    pass\n",
    "import importlib\nimportlib.import_module('scanner.analyzers.onnx_model')\n",
    "import importlib.util\nimportlib.util.find_spec('re2')\n",
    "import numpy as np\nnp.load('a.npy')\nnp.load('a.npy', allow_pickle=False)\n",
    "import ast\nast.parse('x = 1')\n",
    "CALLS = {'torch.load', 'pickle.loads', 'eval'}  # names in data are not calls\n",
    "import re\nre.compile('a')\n",
    "import os\nos.stat('x')\nos.scandir('.')\n",
    "def load(x):\n    return x\nload(1)\n",
]


@pytest.mark.parametrize("source", GOOD_SOURCES)
def test_the_check_allows(source: str) -> None:
    assert check_source(source, "example.py") == []


def test_the_registry_pattern_is_allowed_only_in_the_registry() -> None:
    source = (
        "import importlib\nREGISTRY = {1: 'onnx_model'}\n"
        "def analyzer_for(kind):\n"
        "    module_name = REGISTRY.get(kind)\n"
        "    return importlib.import_module(f'scanner.analyzers.{module_name}')\n"
    )
    assert check_source(source, "scanner/analyzers/__init__.py", registry=True) == []
    assert check_source(source, "scanner/other.py", registry=False)
    tampered = source.replace("REGISTRY.get(kind)", "kind.name")
    assert check_source(tampered, "scanner/analyzers/__init__.py", registry=True)
