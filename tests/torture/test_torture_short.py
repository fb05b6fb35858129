"""A short run of the torture test (tests/torture/torture.py) under pytest.

scripts/run-tests (make test) runs it after tests/integration; alone:

    python3 -m pytest tests/torture -v

It starts its own OpenSearch (once for the module) with tests/servers/opensearch.
SLUICE_BIN selects the binary, as for the integration tests. On failure the
assertion message is the torture report (missing/duplicated lines by file generation);
the run directory (timeline.log, report.json, sluice-N.stderr) is under pytest's tmp_path.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torture  # noqa: E402


@pytest.fixture(scope="module")
def opensearch_url():
    directory = Path(tempfile.mkdtemp(prefix="sluice-torture-os-"))
    try:
        node = torture.start_opensearch(directory)
        yield node.url
    finally:
        torture.stop_opensearch(directory)
        shutil.rmtree(directory, ignore_errors=True)


def _run(args: list[str]) -> torture.Result:
    lines: list[str] = []
    result = torture.run(args, out=lines.append)
    sys.stdout.write("\n".join(lines) + "\n")   # shown by pytest on failure (or with -s)
    return result


def test_torture_short(opensearch_url, tmp_path):
    """30k lines in 4 rotating files (rename+create and copytruncate), sluice killed twice:
    every line in OpenSearch exactly once. About 20-40 s on 2 cores."""
    result = _run(["--lines", "30000", "--files", "4", "--kills", "2", "--rate", "5000", "--seed", "20240301",
                   "--opensearch", opensearch_url, "--workdir", str(tmp_path)])
    assert result.exit_code != 2, f"harness error:\n{result.text}"
    assert result.ok, result.text


def test_torture_harness_finds_injected_faults(opensearch_url, tmp_path):
    """The harness itself: without rotations or kills, damage the index on purpose
    (3 documents deleted, 2 duplicated, 1 corrupted, 1 foreign) and expect exactly that
    in the report. Guards against a verifier that passes everything."""
    result = _run(["--lines", "4000", "--kills", "0", "--rotation", "none", "--seed", "7",
                   "--inject-faults", "--opensearch", opensearch_url, "--workdir", str(tmp_path)])
    assert result.exit_code == 1, f"expected the injected faults to fail the run:\n{result.text}"
    r = result.report
    injected = r["injected_faults"]
    missing = {(g["file"], s) for g in r["missing_groups"] for a, b in g["ranges"] for s in range(a, b + 1)}
    duplicated = {(g["file"], s) for g in r["duplicate_groups"] for a, b in g["ranges"]
                  for s in range(a, b + 1)}
    assert missing == {tuple(k) for k in injected["deleted"]}, result.text
    assert duplicated == {tuple(k) for k in injected["duplicated"]}, result.text
    assert r["missing"] == 3 and r["duplicated_keys"] == 2, result.text
    assert r["corrupt"] == 1 and r["unrecognized"] == 1 and r["phantom"] == 0, result.text
    assert r["documents"] == r["lines_written"] - 3 + 2 + 1 + 1, result.text
