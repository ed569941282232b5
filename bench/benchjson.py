#!/usr/bin/env python3
"""The JSON every benchmark under bench/ writes (Python stdlib only), which bench/render-performance.py
turns into docs/performance.md.

A result file is one benchmark run:
  {"benchmark": NAME, "title": ..., "command": "the command line as run", "date": UTC ISO-8601 at start,
   "build": the commit the jars were built from,
   "machine": {"nproc", "cpu", "memTotalMiB", "os"}, "load": {"start": "1 5 15 min", "end": ...},
   "notes": [...], "results": {SECTION: [ {column: value, ...}, ... ]}, "raw": {...}}

Shell scripts call it in three steps, so the load average is read before the benchmark starts:
  bench/benchjson.py begin FILE NAME "TITLE" -- COMMAND WORDS...   date, machine, load at start
  bench/benchjson.py row FILE SECTION col=value col=value ...      one table row (numbers stay numbers)
  bench/benchjson.py note FILE "TEXT"                              a line printed under the table
  bench/benchjson.py attach FILE KEY JSON_FILE                     another program's JSON, under raw.KEY
  bench/benchjson.py compare FILE JSON_FILE                        rows from `rnnport bench --compare --json`
  bench/benchjson.py end FILE                                      load at end
"""
import datetime
import json
import os
import platform
import sys


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def machine():
    cpu = "unknown"
    mem = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) // 1024
                    break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "cpu": cpu, "memTotalMiB": mem,
            "os": platform.system() + " " + platform.release() + " " + platform.machine()}


def build():
    """The commit the jars were built from (git-commit-id's properties inside rnnport-core's jar), if known."""
    import zipfile
    for lib in ("rnnport-cli/target/lib", "spark/target/spark-lib"):
        try:
            names = sorted(n for n in os.listdir(lib) if n.startswith("rnnport-core-") and n.endswith(".jar"))
        except OSError:
            continue
        for name in names:
            try:
                with zipfile.ZipFile(os.path.join(lib, name)) as z:
                    props = z.read("org/rnnport/export/git.properties").decode()
            except (OSError, KeyError, zipfile.BadZipFile):
                continue
            kv = dict(l.split("=", 1) for l in props.splitlines() if "=" in l and not l.startswith("#"))
            commit = kv.get("git.commit.id.full", "unknown")[:7]
            return commit + ("-dirty" if kv.get("git.dirty") == "true" else "")
    return "unknown"


def value(text):
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


def read(path):
    with open(path) as f:
        return json.load(f)


def write(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def compare_rows(doc, raw):
    """`rnnport bench MODEL --compare --json`: one row per graph, medians over its rounds."""
    doc.setdefault("raw", {})["benchCompare"] = raw
    rows = doc.setdefault("results", {}).setdefault(raw["model"] + " (batch %d)" % raw["batchSize"], [])
    for graph, label in (("python", "Python notebook graph"), ("faithful", "faithful Java graph"),
                         ("fast", "fast Java graph")):
        g = raw[graph]
        rows.append({"graph": label,
                     "train ms/step (median)": round(g["trainMedianMsPerStep"], 2),
                     "eval samples/s (batch %d)" % raw["evalBatchSize"]: round(g["evalSamplesPerSecond"]),
                     "1 example via SavedModelPredictor, ms": (round(g["predictorMedianMs"], 3)
                                                               if g.get("predictorMedianMs") is not None else "-"),
                     "peak RSS MiB": round(g["peakRssMiB"]) if g.get("peakRssMiB") is not None else "-"})
    doc.setdefault("notes", []).append(
        "%s, %d round(s) of %d warm-up + %d timed steps, %d timed eval passes: fast vs Python train %.2fx, eval "
        "%.2fx; faithful vs Python train %.2fx, eval %.2fx." % (
            raw["model"], raw["rounds"], raw["warmup"], raw["steps"], raw["evalRounds"],
            raw["trainSpeedupVsPython"], raw["evalSpeedupVsPython"], raw["faithfulTrainSpeedupVsPython"],
            raw["faithfulEvalSpeedupVsPython"]))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    op, path = argv[1], argv[2]
    if op == "begin":
        name, title = argv[3], argv[4]
        words = argv[argv.index("--") + 1:] if "--" in argv else []
        doc = {"benchmark": name, "title": title, "command": " ".join(words),
               "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "build": build(), "machine": machine(), "load": {"start": load_average()}, "notes": [], "results": {}}
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        write(path, doc)
        return
    doc = read(path)
    if op == "row":
        row = {}
        for item in argv[4:]:
            key, _, text = item.partition("=")
            row[key] = value(text)
        doc.setdefault("results", {}).setdefault(argv[3], []).append(row)
    elif op == "note":
        doc.setdefault("notes", []).append(argv[3])
    elif op == "attach":
        doc.setdefault("raw", {})[argv[3]] = read(argv[4])
    elif op == "compare":
        compare_rows(doc, read(argv[3]))
    elif op == "end":
        doc["load"]["end"] = load_average()
    else:
        sys.exit("unknown operation " + op + "\n" + __doc__)
    write(path, doc)


if __name__ == "__main__":
    main(sys.argv)
