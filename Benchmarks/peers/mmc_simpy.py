#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The M/M/c benchmark model of `switchyard-bench engine`, written in SimPy.

Same model: Poisson arrivals at rate rho*c*mu, c servers held as a simpy.Resource,
exponential service at rate mu, arrivals stop after N customers. Prints the same
keys as the Swift benchmark so that Benchmarks/compare-engine.sh can read both.
"""
import argparse
import random
import time

import simpy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument("--rho", type=float, default=0.9)
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    mu = 1.0
    lam = args.rho * args.servers * mu
    rng = random.Random(args.seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=args.servers)
    total_wait = [0.0]

    def customer():
        arrived = env.now
        with servers.request() as request:
            yield request
            total_wait[0] += env.now - arrived
            yield env.timeout(rng.expovariate(mu))

    def source():
        for _ in range(args.customers):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    env.process(source())
    # Count processed events by stepping (the loop SimPy's run() uses internally).
    events = 0
    start = time.perf_counter()
    try:
        while True:
            env.step()
            events += 1
    except simpy.core.EmptySchedule:
        pass
    seconds = time.perf_counter() - start
    print(f"benchmark: simpy {simpy.__version__} M/M/{args.servers}, rho={args.rho}, customers={args.customers}")
    print(f"events: {events}")
    print(f"wall_seconds: {seconds:.4f}")
    print(f"events_per_second: {events / seconds:.0f}")
    print(f"customers_per_second: {args.customers / seconds:.0f}")
    print(f"mean_wait: {total_wait[0] / args.customers:.5f}")


if __name__ == "__main__":
    main()
