"""Read pip-audit's JSON report: fail on a known vulnerability, say plainly what went unaudited.

Usage: `pip-audit -f json ... | python -m hearth.lib.dependency_audit [--strict]`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditSummary:
    vulnerable: list[str]
    unaudited: list[str]
    audited: int

    def exit_code(self, *, strict: bool) -> int:
        # Where the vulnerability service is unreachable (some sandboxes reach PyPI's
        # package index only), unaudited packages are reported; --strict fails on them too.
        return 1 if self.vulnerable or (strict and self.unaudited) else 0

    def lines(self) -> list[str]:
        found = [f"VULNERABLE {entry}" for entry in self.vulnerable]
        total = self.audited + len(self.unaudited)
        found.append(
            f"{self.audited} of {total} installed packages audited, "
            f"{len(self.vulnerable)} known vulnerabilities."
        )
        if self.unaudited:
            found.append(
                f"{len(self.unaudited)} packages could not be audited (the vulnerability "
                f"service did not answer for them): {', '.join(self.unaudited[:10])}"
                + (" …" if len(self.unaudited) > 10 else "")
            )
        return found


def audit_summarise(report: dict) -> AuditSummary:
    """Sort pip-audit's dependencies into vulnerable, unaudited and clean."""
    vulnerable: list[str] = []
    unaudited: list[str] = []
    audited = 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            unaudited.append(dependency["name"])
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            vulnerable.append(
                f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']} "
                f"(fixed in {fixed})"
            )
    return AuditSummary(vulnerable=vulnerable, unaudited=unaudited, audited=audited)


def main(argv: list[str]) -> int:
    summary = audit_summarise(json.load(sys.stdin))
    for line in summary.lines():
        print(line)
    return summary.exit_code(strict="--strict" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
