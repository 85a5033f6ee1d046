"""Yun, Sra, Jadbabaie (ICLR 2018) Thm. 2.1 and Thm. 2.2 (docs/maths/global_optimality.md §1.2, §3): the
global-optimality test.

Statement checked: at a critical point of the unregularized loss with k = min(d_0, ..., d_H),
- no bottleneck (k = min(d_x, d_y)), Thm. 2.1: global iff rank W_{H:1} = k, else a saddle;
- bottleneck (k < min(d_x, d_y)), Thm. 2.2: global iff rank W_{H:1} = k and col W_{H:1} = the top-k eigenspace of
  Sigma; else a saddle.

Exact checks:
1. the worked cases T1..T8 of docs/maths/global_optimality.md §4 get the class stated there, with checked certificates
   (T8 is outside assumption (H): a global minimizer of rank 1 < r_max, certified because Sigma vanishes off the
   product's range, Ky Fan);
2. the bottleneck pair T2 vs T3: the same product and the same loss 2, yet T2 (widths 3,3,3,3; rank 2 < k = 3) is a
   saddle and T3 (widths 3,2,2,3; k = 2) is global (optimality depends on the architecture), and T4 has the
   maximal rank k = 2 but the wrong subspace (saddle); the separator of T3 lies in (1, 2) (chi_S = (t-6)(t-2),
   chi_perp = t-1);
3. a random sweep with bottlenecks: the test's verdict (exactdln.theory.yun) equals the family theorem's and the
   certified kind (global vs saddle).
"""

from __future__ import annotations

import random
import sys
from fractions import Fraction

from _common import Ledger, arguments

from exactdln.instances.construct import random_instance, worked_instances
from exactdln.landscape.derivatives import is_critical, loss
from exactdln.landscape.point import exact_point
from exactdln.landscape.products import partial_product
from exactdln.landscape.spectral import spectral_facts
from exactdln.theory.yun import global_optimality_test


def main() -> int:
    args = arguments(__doc__.splitlines()[0], default_budget=30)
    ledger = Ledger("yun_global_optimality")
    cases = dict(worked_instances())
    certs = {}
    for name in ("T1", "T2", "T3", "T4", "T5", "T5b", "T5c", "T6a", "T6b", "T7", "T8"):
        inst = cases[name]
        certs[name] = ledger.certify(name, inst.problem, inst.weights, inst.expected_kind)
    t8 = cases["T8"]
    ledger.expect(is_critical(t8.problem, t8.weights) and loss(t8.problem, t8.weights) == 0, "T8: critical, loss 0")
    t2, t3 = cases["T2"], cases["T3"]
    ledger.expect(partial_product(t2.weights, 1, 3) == partial_product(t3.weights, 1, 3), "T2/T3: same product")
    ledger.expect(loss(t2.problem, t2.weights) == loss(t3.problem, t3.weights) == 2, "T2/T3: same loss 2")
    ledger.expect(certs["T2"].kind != "global_minimizer" and certs["T3"].kind == "global_minimizer",
                  "T2 saddle, T3 global")
    top = next((c for c in certs["T3"].data["claims"] if c["type"] == "top_eigenspace"), None)
    ledger.expect(top is not None and 1 < Fraction(top["c"]) < 2, "T3: separator strictly between 1 and 2")
    t4 = exact_point(cases["T4"].problem, cases["T4"].weights)
    ledger.expect(t4.r_max == 2 and certs["T4"].kind == "strict_saddle", "T4: maximal rank yet a (strict) saddle")
    rng = random.Random(args.seed)
    bottlenecks = 0
    for k in range(args.budget):
        inst = random_instance(random.Random(rng.randrange(2**32)), max_depth=4, max_width=4)
        point = exact_point(inst.problem, inst.weights)
        verdict = global_optimality_test(spectral_facts(point))
        is_global = inst.expected_kind == "global_minimizer"
        bottleneck = point.r_max < min(point.widths[0], point.widths[-1])
        bottlenecks += bottleneck
        ledger.expect((verdict.kind == "global_minimizer") == is_global,
                      f"sweep #{k} ({inst.family}, widths {list(point.widths)}): test says {verdict.kind}")
        ledger.certify(f"sweep-{k}-{'bottleneck' if bottleneck else 'nobottleneck'}", inst.problem, inst.weights,
                       inst.expected_kind)
    print(f"random sweep: {args.budget} points, {bottlenecks} in the bottleneck regime (Thm. 2.2)")
    return ledger.finish()


if __name__ == "__main__":
    sys.exit(main())
