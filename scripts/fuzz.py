#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeded mutation fuzzer for switchyard's scenario loader, site model and CSV readers.

Each case mutates a built-in scenario (or a calibration CSV) and runs the binary:
  - scenario cases: `switchyard simulate MUTATED.yaml --json OUT`
  - CSV cases: `switchyard calibrate MUTATED.csv --model gbm|ou|electricity ...`
and counts: traps (killed by a signal: exit >= 128 or negative), runs over the time
limit, exit-0 runs whose JSON holds a non-finite number, clean errors, successes.

Usage: scripts/fuzz.py N [--seed S] [--binary PATH] [--timeout 20]
Exit status 1 when any trap, time-out or non-finite success is found.
"""
import json, math, os, random, re, subprocess, sys, tempfile

HOSTILE = ["0", "-1", "1e308", "-1e308", "1e-308", ".nan", ".inf", "-.inf", "9223372036854775807",
           "-9223372036854775808", "1e19", "1e100", "2.5", "0.5", "abc", "''", "[]", "{}", "1e6", "-0", "3"]
NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(e[+-]?\d+)?(?![\w.])")


def mutate_yaml(text, rng):
    lines = text.split("\n")
    kind = rng.random()
    if kind < 0.7:  # replace a number
        candidates = [(i, m) for i, line in enumerate(lines) if not line.lstrip().startswith("#")
                      for m in NUMBER.finditer(line.split("#")[0])]
        if candidates:
            i, m = rng.choice(candidates)
            lines[i] = lines[i][:m.start()] + rng.choice(HOSTILE) + lines[i][m.end():]
    elif kind < 0.8:  # delete a line
        del lines[rng.randrange(len(lines))]
    elif kind < 0.9:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    else:  # truncate
        lines = lines[: rng.randrange(len(lines))]
    return "\n".join(lines)


def mutate_csv(text, rng):
    rows = text.split("\n")
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(1, len(rows))
        cells = rows[i].split(",")
        if len(cells) > 1:
            j = rng.randrange(len(cells))
            cells[j] = rng.choice(["", "nan", "inf", "-1", "0", "1e308", "x", "2024-13-45", cells[j] * 2])
            rows[i] = ",".join(cells)
        if rng.random() < 0.2:
            del rows[i]
    return "\n".join(rows)


def finite_json(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return True
    if '"nan"' in text or '"inf"' in text or "NaN" in text or "Infinity" in text:
        return False
    def walk(x):
        if isinstance(x, float):
            return math.isfinite(x)
        if isinstance(x, dict):
            return all(walk(v) for v in x.values())
        if isinstance(x, list):
            return all(walk(v) for v in x)
        return True
    try:
        return walk(json.loads(text))
    except ValueError:
        return False


def main():
    args = sys.argv[1:]
    if not args or not args[0].isdigit():
        print(__doc__)
        return 2
    n = int(args[0])
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    timeout = float(args[args.index("--timeout") + 1]) if "--timeout" in args else 20
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args[args.index("--binary") + 1] if "--binary" in args else os.path.join(root, ".build/release/switchyard")
    scenarios = [open(os.path.join(root, "Models", f)).read() for f in ("texas-200mw.yaml", "small-miner-20mw.yaml")]
    csvs = [("Examples/data/btc-usd-daily-2014-2021.csv", ["--model", "gbm", "--skip-bad-rows"]),
            ("Examples/data/btc-usd-daily-2014-2021.csv", ["--model", "ou", "--skip-bad-rows"])]
    csv_texts = [(open(os.path.join(root, p)).read().split("\n")[:400], a) for p, a in csvs]
    rng = random.Random(seed)
    counts = {"cases": 0, "ok": 0, "clean errors": 0, "traps": 0, "time-outs": 0, "non-finite": 0}
    findings = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(n):
            counts["cases"] += 1
            out = os.path.join(tmp, "out.json")
            if os.path.exists(out):
                os.remove(out)
            if rng.random() < 0.8:
                text = mutate_yaml(rng.choice(scenarios), rng)
                path = os.path.join(tmp, "s.yaml")
                with open(path, "w") as f:
                    f.write(text)
                command = [binary, "simulate", path, "--json", out, "--force"]
            else:
                rows, extra = rng.choice(csv_texts)
                text = mutate_csv("\n".join(rows), rng)
                path = os.path.join(tmp, "c.csv")
                with open(path, "w") as f:
                    f.write(text)
                command = [binary, "calibrate", path] + extra
            try:
                p = subprocess.run(command, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                counts["time-outs"] += 1
                findings.append(("time-out", case, text))
                continue
            if p.returncode < 0 or p.returncode >= 128:
                counts["traps"] += 1
                findings.append(("trap %d" % p.returncode, case, text))
            elif p.returncode == 0:
                if command[1] == "simulate" and not finite_json(out):
                    counts["non-finite"] += 1
                    findings.append(("non-finite", case, text))
                else:
                    counts["ok"] += 1
            else:
                counts["clean errors"] += 1
    print(", ".join("%s %d" % kv for kv in counts.items()))
    for what, case, text in findings[:5]:
        print("--- %s in case %d (first 400 characters):\n%s" % (what, case, text[:400]))
    return 1 if counts["traps"] or counts["time-outs"] or counts["non-finite"] else 0


if __name__ == "__main__":
    sys.exit(main())
