#!/usr/bin/env python3
"""Solves one instance (need.csv, od.csv as maillage reads them) with PySAL spopt's four
location models and prints their optima as JSON, for tests/covering.rs to compare with
maillage's covering engine.

    python solve.py DIR BOUND_MIN P TARGET_SHARE

need.csv: insee,need; od.csv: origin,destination,minutes (every pair, as written by
shared/tools/spopt_anchor.py with a bound larger than any distance). A pair missing from od.csv
is unreachable. Solver: CBC through PuLP, as spopt does by default.
"""
import csv
import json
import sys

import numpy as np
import pulp
from spopt.locate import LSCP, MCLP, PCenter, PMedian


def main():
    folder, bound, p, _target = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    with open(f"{folder}/need.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [r["insee"] for r in rows]
    need = np.array([float(r["need"]) for r in rows])
    at = {c: i for i, c in enumerate(codes)}
    big = 1e6
    cost = np.full((len(codes), len(codes)), big)
    with open(f"{folder}/od.csv", newline="") as f:
        for r in csv.DictReader(f):
            cost[at[r["origin"]], at[r["destination"]]] = float(r["minutes"])
    solver = pulp.PULP_CBC_CMD(msg=False)
    out = {}
    mclp = MCLP.from_cost_matrix(cost, need, service_radius=bound, p_facilities=p).solve(solver)
    out["coverage"] = float(pulp.value(mclp.problem.objective))
    lscp = LSCP.from_cost_matrix(cost, service_radius=bound).solve(solver)
    out["min_posts"] = int(round(pulp.value(lscp.problem.objective)))
    pmed = PMedian.from_cost_matrix(cost, need, p_facilities=p).solve(solver)
    out["travel_mean_min"] = float(pulp.value(pmed.problem.objective)) / float(need.sum())
    pcen = PCenter.from_cost_matrix(cost, p_facilities=p).solve(solver)
    out["max_travel_min"] = float(pulp.value(pcen.problem.objective))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
