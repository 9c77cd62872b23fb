#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The peer of `switchyard-bench lsm`: the PyPI package lsm-option-pricing 0.1.0 (numpy)
on the same three rows of Longstaff-Schwartz (2001) Table 1: American put, K 40, r 6%,
50 exercise dates a year, 100,000 antithetic paths, Laguerre basis of degree 3.
Wall time counts simulation and regressions; best of --repeats.

    python3 -m venv .venv-lsm && .venv-lsm/bin/pip install lsm-option-pricing==0.1.0 numpy
    .venv-lsm/bin/python Benchmarks/peers/lsm_peer.py [--paths 100000] [--repeats 3]
"""
import argparse
import time

import numpy as np
from LSM.algorithms import LeastSquaresMonteCarlo
from LSM.payoffs import VanillaPayoff
from LSM.regression_bases import LaguerrePolynomials
from LSM.stochastic_processes import GeometricBrownianMotion

parser = argparse.ArgumentParser()
parser.add_argument("--paths", type=int, default=100_000)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()
rows = [(36, 0.2, 1, 4.478), (40, 0.4, 2, 6.920), (44, 0.2, 2, 1.690)]
print(f"spot,sigma,years,price,se,table1,seconds_best_of_{args.repeats}")
for spot, sigma, years, table in rows:
    best = float("inf")
    for r in range(args.repeats):
        process = GeometricBrownianMotion(spot, 0.06, 0.0, sigma)
        engine = LeastSquaresMonteCarlo(process, VanillaPayoff(40.0, "put"), LaguerrePolynomials(3))
        rng = np.random.default_rng(7 + r)
        start = time.perf_counter()
        price, se = engine.pricer(years, int(50 * years), args.paths, rng=rng, use_antithetic=True)
        best = min(best, time.perf_counter() - start)
    print(f"{spot},{sigma},{years},{price:.4f},{se:.4f},{table:.3f},{best:.3f}")
