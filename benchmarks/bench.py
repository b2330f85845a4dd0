"""Speed benchmark: emoscan side by side with bandit and semgrep, whole-process wall time.

Corpora (each from a path argument, else made here):
- django: the .py files of the django sdist (`pip download django --no-deps --no-binary :all:`),
  no emotion recognition in them;
- emotion: modules made by benchmarks/corpus.py (2,000 files by default), plus tests/corpus when it
  exists, most of which hold emotion recognition;
- a 3,000-file repository (django plus emotion modules) for the pre-commit case;
- model files of growing size (safetensors and ONNX), to show header-only cost.

Every command runs `--repeat` times, interleaved (one round runs each command once) so a change in
machine load hits all tools alike; medians are reported, with ratios against the issue's targets.
Results go to benchmarks/results.md between the `bench:begin`/`bench:end` markers; the rest of that
file (the profile write-up) is kept. bandit and semgrep come from PATH, or from `--tools-bin`
(see benchmarks/README.md for the pinned versions of the `bench` extra).

    python benchmarks/bench.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/ is not a package)

RESULTS = HERE / "results.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# 20 import and call patterns for semgrep: what a team would write to find the same libraries.
SEMGREP_PATTERNS = [
    "import deepface",
    "from deepface import $X",
    "DeepFace.analyze(...)",
    "import fer",
    "from fer import $X",
    "$D.detect_emotions(...)",
    "$D.top_emotion(...)",
    "import speechbrain",
    "from speechbrain.inference.interfaces import foreign_class",
    "foreign_class(...)",
    "from transformers import pipeline",
    'pipeline("text-classification", model=$M, ...)',
    "from hsemotion.facial_emotions import HSEmotionRecognizer",
    "$R.predict_emotions(...)",
    "from feat import Detector",
    'boto3.client("rekognition", ...)',
    "$C.detect_faces(...)",
    "from google.cloud import vision",
    "$C.face_detection(...)",
    "import text2emotion",
]


# --- running and measuring --------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_pss_mb: float  # whole process tree, sampled every 50 ms (PSS counts shared pages once)
    max_rss_mb: float  # the largest single process
    code: int


@dataclass
class Measure:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    prepare: Callable[[], None] | None = None  # run before each repetition, untimed
    # One untimed run first (page cache, .pyc files); pointless for runs of a minute.
    warmup: bool = True
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_pss_mb for r in self.runs)

    @property
    def spread(self) -> str:
        values = sorted(r.seconds for r in self.runs)
        return f"{values[0]:.3f}-{values[-1]:.3f}"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_once(measure: Measure) -> Run:
    if measure.prepare is not None:
        measure.prepare()
    env = {**os.environ, **measure.env}
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(
        measure.command, cwd=measure.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, total = [process.pid], 0
            while tree:
                pid = tree.pop()
                total += _pss_kb(pid)
                tree.extend(_children(pid))
            peak[0] = max(peak[0], total)
            # smaps_rollup walks page tables: sampling more often would slow what is measured.
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, peak[0] / 1024, usage.ru_maxrss / 1024, process.returncode)


def run_all(measures: Sequence[Measure], repeat: int) -> None:
    for measure in measures:  # one untimed run each: page cache, .pyc files, RE2 and semgrep caches
        if measure.warmup:
            run_once(measure)
    for round_ in range(repeat):
        for measure in measures:
            measure.runs.append(run_once(measure))
        print(
            f"  round {round_ + 1}/{repeat}: "
            + ", ".join(f"{m.name} {m.runs[-1].seconds:.2f}s" for m in measures)
        )


# --- corpora ------------------------------------------------------------------------------------------


def django_tree(work: Path, given: Path | None) -> Path:
    """The .py files of the django source tree (from `given`, else the PyPI sdist)."""
    target = work / "django-py"
    if target.is_dir() and any(target.rglob("*.py")):
        return target
    source = given
    if source is None:
        download = work / "download"
        download.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "django",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(download),
            ],
            check=True,
        )
        sdist = next(download.glob("[Dd]jango-*.tar.gz"))
        with tarfile.open(sdist) as archive:
            archive.extractall(download, filter="data") if sys.version_info >= (
                3,
                12,
            ) else archive.extractall(download)
        source = next(p for p in download.iterdir() if p.is_dir())
    for path in sorted(source.rglob("*.py")):
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return target


def emotion_tree(work: Path, given: Path | None, files: int) -> Path:
    if given is not None:
        return given
    target = work / "emotion"
    corpus.generate(target, files=files)
    accuracy = REPO / "tests" / "corpus"
    if accuracy.is_dir() and any(accuracy.glob("*/case.toml")):
        corpus.add_tree(target, accuracy)
    return target


def repository(work: Path, django: Path) -> tuple[Path, Path, Path]:
    """A 3,000-file repository (django plus emotion modules, as a git checkout would hold them) and two
    files a commit may touch: an ordinary one and one with emotion recognition."""
    target = work / "repository"
    if not target.is_dir():
        shutil.copytree(django, target / "src")
        corpus.generate(
            target / "services", files=max(100, 3000 - sum(1 for _ in django.rglob("*.py"))), seed=7
        )
    ordinary = next(p for p in sorted((target / "src").rglob("*.py")) if p.stat().st_size > 4000)
    emotion = next(p for p in sorted((target / "services").rglob("emotion_*.py")))
    return target, ordinary, emotion


def model_files(work: Path) -> list[Path]:
    """safetensors files of 1 MB to 8 GB (sparse: the size is real, the disk use is not) and ONNX
    models of 1 and 256 MB with their weights embedded."""
    folder = work / "models"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for megabytes in (1, 1024, 8192):
        path = folder / f"emotion-classifier-{megabytes}mb.safetensors"
        if not path.exists():
            count = 200
            per = megabytes * 1024 * 1024 // count // 4
            tensors: dict[str, object] = {
                f"layer.{i}.weight": {
                    "dtype": "F32",
                    "shape": [per],
                    "data_offsets": [i * per * 4, (i + 1) * per * 4],
                }
                for i in range(count)
            }
            tensors["__metadata__"] = {"labels": "angry,disgust,fear,happy,neutral,sad,surprise"}
            header = json.dumps(tensors).encode()
            header += b" " * (-len(header) % 8)
            with path.open("wb") as handle:
                handle.write(len(header).to_bytes(8, "little") + header)
                handle.truncate(8 + len(header) + count * per * 4)
        out.append(path)
    try:
        import numpy as np
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return out
    for megabytes in (1, 256):
        path = folder / f"emotion-ferplus-{megabytes}mb.onnx"
        if not path.exists():
            weights = numpy_helper.from_array(np.zeros(megabytes * 1024 * 1024 // 4, dtype=np.float32), "w")
            graph = helper.make_graph(
                [helper.make_node("Identity", ["x"], ["y"])],
                "emotion",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
                initializer=[weights],
            )
            model = helper.make_model(graph)
            helper.set_model_props(
                model, {"labels": "neutral,happiness,surprise,sadness,anger,disgust,fear,contempt"}
            )
            onnx.save(model, str(path))
        out.append(path)
    return out


# --- helper processes ---------------------------------------------------------------------------------

PREFILTER_PASS = """
import os, sys
from scanner.prefilter import build
from scanner.signatures import load_catalog
prefilter = build(load_catalog())
hits = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as handle:
                hits += prefilter.matches(handle.read())
print(hits)
"""

READ_PASS = """
import os, sys
total = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as handle:
                total += len(handle.read())
print(total)
"""

# The tail of the passes below: `work` over the files listed in argv[1], largest first, on all cores.
_ON_ALL_CORES = """
import os, sys
from multiprocessing import Pool

if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        paths = handle.read().split("\\n")
    paths.sort(key=lambda p: -os.path.getsize(p))
    with Pool(len(os.sched_getaffinity(0))) as pool:
        print(sum(pool.imap_unordered(work, paths, chunksize=8)))
"""

# libcst.parse_module over a list of files on all cores: the bare cost emoscan's analysis is held to.
PARSE_PASS = (
    """
def work(path):
    import libcst
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        libcst.parse_module(data.decode("utf-8"))
    except Exception:
        pass
    return 1
"""
    + _ON_ALL_CORES
)

# The least any libcst-based analysis of the same files does, run as emoscan runs it: CPython's parser
# first (the guard against input that would crash libcst's native parser), libcst.parse_module with
# node validation off, and one visit of every node that does nothing. What emoscan takes beyond this
# is its analysis proper; the floor's own ratio to PARSE_PASS bounds what any such analysis can reach.
FLOOR_PASS = (
    """
visitors = []

def work(path):
    import ast, libcst
    from scanner.analyzers import cst_walk

    if not visitors:  # once per worker, as emoscan's analyzer
        cst_walk.skip_validation()

        class Visitor(cst_walk.Walker):
            pass  # visits every node, does nothing

        visitors.append(Visitor)
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    try:
        ast.parse(text)
        visitors[0]().walk(libcst.parse_module(text))
    except (SyntaxError, ValueError, libcst.ParserSyntaxError):
        pass
    return 1
"""
    + _ON_ALL_CORES
)


SCRIPT_NAMES = {
    PREFILTER_PASS: '"$PREFILTER_PASS"',
    READ_PASS: '"$READ_PASS"',
    PARSE_PASS: '"$PARSE_PASS"',
    FLOOR_PASS: '"$FLOOR_PASS"',
}


def analysed_files(tree: Path) -> list[Path]:
    """The .py files of `tree` that pass emoscan's prefilter (the files it parses)."""
    sys.path.insert(0, str(REPO))
    from scanner.prefilter import build
    from scanner.signatures import load_catalog

    prefilter = build(load_catalog())
    return [p for p in sorted(tree.rglob("*.py")) if prefilter.matches(p.read_bytes())]


# --- the report ---------------------------------------------------------------------------------------


def versions(tools: Path | None) -> dict[str, str]:
    def out(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return "not installed"
        return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"

    from importlib.metadata import PackageNotFoundError, version

    def dist(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "emoscan": out([sys.executable, "-m", "scanner", "--version"]),
        "bandit": out([tool(tools, "bandit"), "--version"]),
        "semgrep": out([tool(tools, "semgrep"), "--version"]),
        "libcst": dist("libcst"),
        "google-re2": dist("google-re2"),
        "python": platform.python_version(),
    }


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores, {memory} RAM, {platform.system()} {platform.release()}"


def tool(tools: Path | None, name: str) -> str:
    if tools is not None and (tools / name).exists():
        return str(tools / name)
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    return found or name


def shown(command: Sequence[str], env: dict[str, str]) -> str:
    if "-c" in command:  # an inline script is named, not printed, in a table cell
        at = list(command).index("-c") + 1
        if at < len(command) and "\n" in command[at]:
            command = [*command[:at], SCRIPT_NAMES.get(command[at], "SCRIPT"), *command[at + 1 :]]
    text = " ".join(command).replace(sys.executable, "python")
    text = text.replace(str(Path(sys.executable).parent) + "/", "")
    if env:
        text = " ".join(f"{k}={v}" for k, v in env.items()) + " " + text
    return text


def verdict(value: float, target: float, lower_is_better: bool = False) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "**not met**"


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--django", type=Path, help="a django source tree (default: the PyPI sdist)")
    parser.add_argument("--emotion", type=Path, help="an emotion-heavy tree (default: generated)")
    parser.add_argument("--emotion-files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--emotion-repeat", type=int, default=1, help="repetitions of the long emotion-tree runs (default 1)"
    )
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "emoscan-bench")
    parser.add_argument("--tools-bin", type=Path, help="folder holding the bandit and semgrep executables")
    parser.add_argument("--skip-competitors", action="store_true", help="do not run bandit and semgrep")
    parser.add_argument("--with-jobs1", action="store_true", help="also time the emotion tree with --jobs 1")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    emoscan = [py, "-m", "scanner"]
    cache = work / "cache"
    no_cache = {"EMOSCAN_NO_CACHE": "1"}
    loads = [os.getloadavg()[0]]

    print("preparing corpora")
    django = django_tree(work, args.django)
    emotion = emotion_tree(work, args.emotion, args.emotion_files)
    repo, ordinary, changed = repository(work, django)
    models = model_files(work)
    hits = analysed_files(emotion)
    hit_list = work / "analysed.txt"
    hit_list.write_text("\n".join(str(p) for p in hits))
    (work / "semgrep.yml").write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "id": "emotion-recognition",
                        "languages": ["python"],
                        "severity": "INFO",
                        "message": "emotion recognition",
                        "pattern-either": [{"pattern": p} for p in SEMGREP_PATTERNS],
                    }
                ]
            }
        )
    )
    django_files = sum(1 for _ in django.rglob("*.py"))
    django_mb = sum(p.stat().st_size for p in django.rglob("*.py")) / 1e6
    emotion_files = sum(1 for p in emotion.rglob("*") if p.is_file())

    def json_out(name: str) -> list[str]:
        return ["--format", "json", "-o", str(work / f"{name}.json"), "--exit-zero"]

    # 1. django: emoscan against bandit, semgrep and bare passes over the same bytes.
    print(f"django: {django_files} files, {django_mb:.1f} MB")
    d_emoscan = Measure("emoscan", [*emoscan, "scan", str(django), *json_out("django")], env=no_cache)
    d_emoscan_re = Measure(
        "emoscan (stdlib re)",
        [*emoscan, "scan", str(django), *json_out("django-re")],
        env={**no_cache, "EMOSCAN_PREFILTER_ENGINE": "re"},
    )
    d_prefilter = Measure("read + prefilter", [py, "-c", PREFILTER_PASS, str(django)])
    d_prefilter_re = Measure(
        "read + prefilter (stdlib re)",
        [py, "-c", PREFILTER_PASS, str(django)],
        env={"EMOSCAN_PREFILTER_ENGINE": "re"},
    )
    d_read = Measure("read only", [py, "-c", READ_PASS, str(django)])
    django_measures = [d_emoscan, d_emoscan_re, d_prefilter, d_prefilter_re, d_read]
    if not args.skip_competitors:
        d_bandit = Measure(
            "bandit",
            [tool(args.tools_bin, "bandit"), "-r", "-f", "json", "-q", "-o", os.devnull, str(django)],
        )
        d_semgrep = Measure(
            "semgrep",
            [
                tool(args.tools_bin, "semgrep"),
                "scan",
                "--config",
                str(work / "semgrep.yml"),
                "--json",
                "--metrics=off",
                "--disable-version-check",
                "--quiet",
                "-o",
                os.devnull,
                str(django),
            ],
        )
        django_measures += [d_bandit, d_semgrep]
    run_all(django_measures, args.repeat)

    # 2. The emotion-heavy tree: analysis throughput against bare libcst on all cores; the cache.
    print(f"emotion tree: {emotion_files} files, {len(hits)} pass the prefilter")

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    # The all-cores run is also the cold-cache run: writing the cache costs milliseconds, and the
    # emotion-tree runs take minutes each on 2 cores.
    e_auto = Measure(
        "emoscan (all cores), cache cold",
        [*emoscan, "scan", str(emotion), "--cache-dir", str(cache), *json_out("emotion")],
        prepare=clear_cache,
        warmup=False,
    )
    e_one = Measure(
        "emoscan --jobs 1",
        [*emoscan, "scan", str(emotion), "--jobs", "1", *json_out("emotion1")],
        env=no_cache,
        warmup=False,
    )
    e_parse = Measure("libcst.parse_module (all cores)", [py, "-c", PARSE_PASS, str(hit_list)], warmup=False)
    e_floor = Measure(
        "guard + parse + empty walk (all cores)", [py, "-c", FLOOR_PASS, str(hit_list)], warmup=False
    )
    e_warm = Measure(
        "emoscan, cache warm",
        [*emoscan, "scan", str(emotion), "--cache-dir", str(cache), *json_out("emotion-warm")],
    )
    e_fresh = Measure(
        "emoscan, no cache",
        [*emoscan, "scan", str(emotion), *json_out("emotion-fresh")],
        env=no_cache,
        warmup=False,
    )
    run_all([e_auto, e_parse, e_floor, *([e_one] if args.with_jobs1 else [])], args.emotion_repeat)
    run_all([e_warm], args.repeat)
    run_all([e_fresh], 1)  # right after the warm runs (same code) to compare their results
    e_cold = e_auto
    dj_cold = Measure(
        "django, cache cold",
        [*emoscan, "scan", str(django), "--cache-dir", str(cache), *json_out("dj-cold")],
        prepare=clear_cache,
    )
    dj_warm = Measure(
        "django, cache warm", [*emoscan, "scan", str(django), "--cache-dir", str(cache), *json_out("dj-warm")]
    )
    run_all([dj_cold], args.repeat)
    run_all([dj_warm], args.repeat)
    same_output: object = "not run"
    if args.with_jobs1:
        same_output = (work / "emotion.json").read_text() == (work / "emotion1.json").read_text()
    fresh_report = json.loads((work / "emotion-fresh.json").read_text())
    warm_report = json.loads((work / "emotion-warm.json").read_text())
    same_cached = fresh_report["results"] == warm_report["results"]

    # 3. pre-commit: one changed file in a 3,000-file repository, and start-up.
    # A pre-commit run scans a file the commit changed: with the default cache, that file's outcome is
    # a miss (its content is new) while everything else (the compiled catalogue) is as usual. Each
    # repetition appends a comment line to the file first; the originals are put back afterwards.
    originals = {path: path.read_bytes() for path in (ordinary, changed)}
    edits = [0]

    def edit(path: Path) -> Callable[[], None]:
        def append() -> None:
            edits[0] += 1
            with path.open("ab") as handle:
                handle.write(f"# edited for the benchmark ({edits[0]})\n".encode())

        return append

    p_version = Measure("emoscan --version", [*emoscan, "--version"])
    p_ordinary_edit = Measure(
        "pre-commit, ordinary file changed",
        [*emoscan, "scan", str(ordinary.relative_to(repo)), "--cache-dir", str(cache)],
        cwd=repo,
        prepare=edit(ordinary),
    )
    p_changed_edit = Measure(
        "pre-commit, emotion file changed",
        [*emoscan, "scan", str(changed.relative_to(repo)), "--cache-dir", str(cache)],
        cwd=repo,
        prepare=edit(changed),
    )
    p_ordinary = Measure(
        "pre-commit, ordinary file, no cache",
        [*emoscan, "scan", str(ordinary.relative_to(repo))],
        cwd=repo,
        env=no_cache,
    )
    p_changed = Measure(
        "pre-commit, emotion file, no cache",
        [*emoscan, "scan", str(changed.relative_to(repo))],
        cwd=repo,
        env=no_cache,
    )
    p_cached = Measure(
        "pre-commit, emotion file, cached",
        [*emoscan, "scan", str(changed.relative_to(repo)), "--cache-dir", str(cache)],
        cwd=repo,
    )
    p_python = Measure("python -c pass", [py, "-c", "pass"])
    # What parsing the changed emotion file costs before any parse: libcst's import alone.
    p_libcst = Measure("python -c 'import libcst'", [py, "-c", "import libcst"])
    try:
        run_all(
            [p_python, p_libcst, p_version, p_ordinary_edit, p_changed_edit, p_ordinary, p_changed, p_cached],
            args.repeat,
        )
    finally:
        for path, data in originals.items():
            path.write_bytes(data)

    # 4. Model files: header-only, whatever their size.
    m_measures = [
        Measure(
            f"{p.suffix[1:]} {p.stat().st_size / 1e6:,.0f} MB",
            [*emoscan, "scan", str(p), "--exit-zero"],
            env=no_cache,
        )
        for p in models
    ]
    run_all(m_measures, args.repeat)
    loads.append(os.getloadavg()[0])

    # --- write the report ---
    v = versions(args.tools_bin)
    lines = [
        BEGIN,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()}; Python {v['python']}. "
        f"Load average {loads[0]:.1f} before and {loads[-1]:.1f} after (other jobs share the machine).",
        "",
        f"Versions: {v['emoscan']}, bandit {v['bandit'].split()[-1]}, semgrep {v['semgrep']}, "
        f"libcst {v['libcst']}, google-re2 {v['google-re2']}.",
        "",
        f"Command: `python benchmarks/bench.py --repeat {args.repeat} --emotion-repeat {args.emotion_repeat}"
        f"{' --with-jobs1' if args.with_jobs1 else ''}"
        f"{' --skip-competitors' if args.skip_competitors else ''}"
        f"{' --tools-bin ' + str(args.tools_bin) if args.tools_bin else ''}`. Whole-process wall time, median of "
        f"{args.repeat} runs after one warm-up run ({args.emotion_repeat} runs without warm-up for the long "
        "emotion-tree runs), runs of a group interleaved. `$PREFILTER_PASS`, `$READ_PASS`, `$PARSE_PASS` "
        "and `$FLOOR_PASS` are the inline scripts of the same names in benchmarks/bench.py (walk and read, "
        "plus emoscan's prefilter; a bare `libcst.parse_module` over the analysed files on all cores; the "
        "least a libcst-based analysis does: CPython's parser as guard, libcst without node validation, "
        "an empty walk).",
        "",
        f"### django ({django_files:,} .py files, {django_mb:.1f} MB, no emotion recognition)",
        "",
        "| command | median s | min-max s | peak MB |",
        "|---|---|---|---|",
    ]
    for m in django_measures:
        lines.append(f"| `{shown(m.command, m.env)}` | {m.median:.3f} | {m.spread} | {m.peak_mb:.0f} |")
    lines += ["", "| target | measured | |", "|---|---|---|"]
    if not args.skip_competitors:
        lines.append(
            f"| emoscan >= 50x faster than bandit | {d_bandit.median / d_emoscan.median:.0f}x "
            f"| {verdict(d_bandit.median / d_emoscan.median, 50)} |"
        )
        lines.append(
            f"| emoscan >= 15x faster than semgrep | {d_semgrep.median / d_emoscan.median:.0f}x "
            f"| {verdict(d_semgrep.median / d_emoscan.median, 15)} |"
        )
    lines.append(
        f"| within 2x of a read-plus-prefilter pass | {d_emoscan.median / d_prefilter.median:.2f}x "
        f"| {verdict(d_emoscan.median / d_prefilter.median, 2, lower_is_better=True)} |"
    )
    lines.append(
        f"| (stdlib re fallback) within 2x of its read-plus-prefilter pass "
        f"| {d_emoscan_re.median / d_prefilter_re.median:.2f}x "
        f"| {verdict(d_emoscan_re.median / d_prefilter_re.median, 2, lower_is_better=True)} |"
    )
    emo_tp = len(hits) / e_auto.median
    parse_tp = len(hits) / e_parse.median
    lines += [
        "",
        f"### Emotion-heavy tree ({emotion_files:,} files, {len(hits):,} pass the prefilter and are parsed)",
        "",
        "| command | median s | min-max s | peak MB (tree PSS) | analysed files/s |",
        "|---|---|---|---|---|",
    ]
    for m in (e_auto, *([e_one] if args.with_jobs1 else []), e_parse, e_floor, e_warm, e_fresh):
        lines.append(
            f"| `{shown(m.command, m.env)}` | {m.median:.3f} | {m.spread} | {m.peak_mb:.0f} | {len(hits) / m.median:.0f} |"
        )
    lines += [
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| throughput >= 0.8x bare libcst.parse_module, all cores | {emo_tp / parse_tp:.2f}x "
        f"({emo_tp:.0f} vs {parse_tp:.0f} files/s) | {verdict(emo_tp / parse_tp, 0.8)} |",
        f"| (bound) guard + parse + empty walk against bare libcst.parse_module | "
        f"{e_parse.median / e_floor.median:.2f}x | |",
        f"| (what the analysis proper costs) emoscan against that floor | "
        f"{e_floor.median / e_auto.median:.2f}x | |",
        f"| peak memory < 300 MB | {e_auto.peak_mb:.0f} MB | {verdict(e_auto.peak_mb, 300, lower_is_better=True)} |",
        f"| warm cache >= 10x faster than cold | {e_cold.median / e_warm.median:.1f}x "
        f"| {verdict(e_cold.median / e_warm.median, 10)} |",
        f"| (django) warm cache against cold | {dj_cold.median / dj_warm.median:.1f}x "
        f"({dj_cold.median:.3f} s, {dj_warm.median:.3f} s) | |",
        f"| identical report with --jobs 1 and all cores | {same_output} | |",
        f"| identical results with a warm cache | {same_cached} | |",
        "",
        "### pre-commit: one changed file in a 3,000-file repository",
        "",
        "| command | median s | min-max s | target |",
        "|---|---|---|---|",
    ]
    targets = {
        p_version.name: 0.15,
        p_ordinary_edit.name: 0.3,
        p_changed_edit.name: 0.3,
        p_ordinary.name: 0.3,
        p_changed.name: 0.3,
        p_cached.name: 0.3,
    }
    for m in (
        p_python,
        p_libcst,
        p_version,
        p_ordinary_edit,
        p_changed_edit,
        p_ordinary,
        p_changed,
        p_cached,
    ):
        target = targets.get(m.name)
        mark = (
            f"< {target} s: {verdict(m.median, target, lower_is_better=True)}"
            if target
            else "(interpreter alone)"
            if m is p_python
            else "(libcst's import alone)"
        )
        lines.append(f"| `{shown(m.command, m.env)}` ({m.name}) | {m.median:.3f} | {m.spread} | {mark} |")
    lines += [
        "",
        "### Model files: header-only",
        "",
        "| file | median s | min-max s | peak MB |",
        "|---|---|---|---|",
    ]
    for m in m_measures:
        lines.append(f"| {m.name} | {m.median:.3f} | {m.spread} | {m.peak_mb:.0f} |")
    lines += ["", END]

    block = "\n".join(lines)
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if BEGIN in existing and END in existing:
        head, rest = existing.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (
            textwrap.dedent(
                """\
            # Benchmark results

            """
            )
            + block
            + "\n"
            + existing
        )
    args.output.write_text(text, encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main()
