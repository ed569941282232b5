"""Reads an rnnport run's TensorBoard event files with TensorBoard's own EventAccumulator.

Writes, for RUN_DIR/tensorboard/train and .../validation, every scalar tag as [step, value] pairs,
whether a graph is present, and the text summaries, as JSON for the Java test to compare.
"""
import argparse
import json
import os

from tensorboard.backend.event_processing import event_accumulator


def read(path):
    ea = event_accumulator.EventAccumulator(path, size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})
    ea.Reload()
    tags = ea.Tags()
    out = {"scalars": {t: [[e.step, e.value] for e in ea.Scalars(t)] for t in tags["scalars"]},
           "graph": bool(tags["graph"]), "text": {}}
    for t in tags["tensors"]:
        out["text"][t] = [e.tensor_proto.string_val[0].decode("utf-8") for e in ea.Tensors(t)]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--logdir", required=True, help="RUN_DIR/tensorboard")
    p.add_argument("--out", required=True, help="JSON file")
    args = p.parse_args()
    res = {}
    for sub in ("train", "validation"):
        d = os.path.join(args.logdir, sub)
        if os.path.isdir(d):
            res[sub] = read(d)
    with open(args.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
