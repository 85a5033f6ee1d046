"""Certifier time vs standalone-checker time on points with about 300 parameters, measured in one run.

The certifier searches (exact Hessian, rref kernel, LDL^T, cut-chain escape search, separator); the checker only
multiplies and compares (LRAT-style). Prints both times and their ratio for a non-strict saddle, a strict saddle and
a global minimizer from construct.large_instance (depth 8, width 6: 288 parameters, hidden changes of basis).
Usage: python bench/bench_certify.py [--digits D] [--depth H] [--width W]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exactdln.certify.point import certify, psd_hessian_evidence, write_certificate  # noqa: E402
from exactdln.landscape.derivatives import hessian_matrix  # noqa: E402
from exactdln.landscape.point import exact_point  # noqa: E402
from exactdln.instances.construct import large_instance  # noqa: E402

CHECKER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "exactdln", "trusted", "checker.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--width", type=int, default=6)
    parser.add_argument("--digits", type=int, default=6)
    args = parser.parse_args()
    status = 0
    for kind in ("non_strict_saddle", "strict_saddle", "global_minimizer"):
        inst = large_instance(random.Random(7), args.depth, args.width, digits=args.digits, kind=kind)
        n = sum(w.nrows * w.ncols for w in inst.weights)
        t0 = time.perf_counter()
        cert = certify(inst.problem, inst.weights, escape_time_limit=120)
        t_cert = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "cert.json")
            write_certificate(cert, path)
            size = os.path.getsize(path)
            t0 = time.perf_counter()
            rc = subprocess.run([sys.executable, "-I", "-S", CHECKER, path], capture_output=True).returncode
            t_check = time.perf_counter() - t0
            line = ""
            strict = [c for c in cert.data["claims"] if c["type"] == "strict_saddle"]
            if strict:
                line = f"\n{'':<18} direction source: {strict[0].get('source')}"
            if kind == "non_strict_saddle":
                # the same certificate with the kernel as explicit RREF vectors (the format before orbit_kernel)
                data = json.loads(json.dumps(cert.data))
                p = exact_point(inst.problem, inst.weights)
                explicit = psd_hessian_evidence(hessian_matrix(inst.problem, p))
                data["claims"] = [explicit if c["type"] == "psd_hessian" else c for c in data["claims"]]
                old = os.path.join(tmp, "explicit.json")
                with open(old, "w") as fh:
                    json.dump(data, fh)
                t0 = time.perf_counter()
                rc_old = subprocess.run([sys.executable, "-I", "-S", CHECKER, old], capture_output=True).returncode
                t_old = time.perf_counter() - t0
                status |= rc_old != 0
                line = (f"\n{'':<18} explicit-kernel certificate {os.path.getsize(old) / 1e6:.2f} MB: checker "
                        f"{t_old:.2f} s (exit {rc_old}); orbit_kernel speed-up {t_old / t_check:.1f}x")
        status |= rc != 0 or cert.kind != kind
        print(f"{kind:<18} {n} parameters, certificate {size / 1e6:.2f} MB, kind {cert.kind}: "
              f"certifier {t_cert:.2f} s (incl. its checker subprocess), standalone checker {t_check:.2f} s (exit {rc}), "
              f"checker/certifier = {t_check / t_cert:.2f}" + line)
    return status


if __name__ == "__main__":
    sys.exit(main())
