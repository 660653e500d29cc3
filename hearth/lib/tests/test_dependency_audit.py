from __future__ import annotations

import io
import json
import subprocess
import sys

from hearth.lib.dependency_audit import audit_summarise

# The shapes pip-audit 2.x writes with `-f json`.
REPORT = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "flask",
            "version": "0.5",
            "vulns": [
                {
                    "id": "PYSEC-2019-179",
                    "fix_versions": ["1.0"],
                    "aliases": ["CVE-2019-1010083"],
                    "description": "…",
                }
            ],
        },
        {
            "name": "absl-py",
            "skip_reason": "Dependency not found on PyPI and could not be audited: absl-py (2.5.1)",
        },
    ],
    "fixes": [],
}


def _run(report: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hearth.lib.dependency_audit", *args],
        input=json.dumps(report),
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_known_vulnerability_fails_and_names_package_advisory_and_fix():
    result = _run(REPORT)
    assert result.returncode == 1
    assert "VULNERABLE flask 0.5: PYSEC-2019-179 (fixed in 1.0)" in result.stdout
    assert "2 of 3 installed packages audited, 1 known vulnerabilities." in result.stdout


def test_unaudited_packages_are_reported_and_fail_only_when_strict():
    clean = {"dependencies": [REPORT["dependencies"][0], REPORT["dependencies"][2]]}
    assert _run(clean).returncode == 0
    assert "1 packages could not be audited" in _run(clean).stdout
    assert _run(clean, "--strict").returncode == 1


def test_summary_counts_each_kind():
    summary = audit_summarise(json.load(io.StringIO(json.dumps(REPORT))))
    assert (summary.audited, summary.unaudited) == (2, ["absl-py"])
    assert summary.exit_code(strict=False) == 1
