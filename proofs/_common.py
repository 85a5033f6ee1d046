"""Shared plumbing of the proofs/ scripts: certificate folder, a failure ledger, the budget flag.

Every script certifies its instances with exactdln.certify.point (which re-checks each
certificate with the standalone checker before returning it) and writes them to
$EXACTDLN_CERT_DIR (default proofs/certificates/).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # run from a checkout without installing

from exactdln.certify.point import Certificate, certify, write_certificate  # noqa: E402


def certificate_dir(script: str) -> str:
    base = os.environ.get("EXACTDLN_CERT_DIR") or os.path.join(HERE, "certificates")
    path = os.path.join(base, script)
    os.makedirs(path, exist_ok=True)
    return path


def arguments(description: str, default_budget: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--budget", type=int, default=default_budget,
                        help=f"random instances per sweep (default {default_budget}; raise for bigger sweeps)")
    parser.add_argument("--seed", type=int, default=0, help="first seed of the random sweeps")
    return parser.parse_args()


@dataclass
class Ledger:
    """Counts checks and records failures; ``finish()`` prints a summary and returns the exit status."""

    script: str
    checks: int = 0
    failures: list[str] = field(default_factory=list)
    written: int = 0
    start: float = field(default_factory=time.monotonic)

    def expect(self, condition: bool, what: str) -> bool:
        self.checks += 1
        if not condition:
            self.failures.append(what)
            print(f"FAIL {what}")
        return condition

    def certify(self, name: str, problem, weights, expected_kind: str | None) -> Certificate:
        """Certify, require the checker's acceptance and the expected kind, write the certificate."""
        cert = certify(problem, weights)
        ok = self.expect(cert.ok, f"{name}: checker accepts the certificate")
        self.expect(cert.kind == expected_kind, f"{name}: certified kind {cert.kind} == expected {expected_kind}")
        if ok:
            write_certificate(cert, os.path.join(certificate_dir(self.script), f"{name}.json"))
            self.written += 1
        return cert

    def finish(self) -> int:
        elapsed = time.monotonic() - self.start
        print(f"{self.script}: {self.checks} checks, {len(self.failures)} failed, {self.written} certificates in "
              f"{certificate_dir(self.script)} ({elapsed:.1f} s)")
        return 1 if self.failures else 0
