"""Quality of the common-issue similarity engine on its labelled set (tests/common_issues/eval_set.json).

python -m bench.similarity_eval            # the figures the tests hold the engine to
python -m bench.similarity_eval --sweep    # and the grouping threshold's precision/recall trade-off
"""

from __future__ import annotations

import argparse

from tests.common_issues.evaluation import build_index, grouping_metrics, load_items, retrieval_metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="grouping quality at several thresholds")
    args = parser.parse_args(argv)
    items = load_items()
    index = build_index(items)
    groups = {item["group"] for item in items if item["group"]}
    negatives = sum(1 for item in items if not item["group"])
    print(f"{len(items)} items, {len(groups)} groups, {negatives} hard negatives")
    for name, value in retrieval_metrics(items, index).items():
        print(f"{name:24s} {value:.3f}")
    for name, value in grouping_metrics(items, index).items():
        print(f"{name:24s} {value:.3f}" if isinstance(value, float) else f"{name:24s} {value}")
    if args.sweep:
        print("threshold  pair precision  pair recall  groups")
        for threshold in (0.12, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3):
            m = grouping_metrics(items, index, threshold=threshold)
            print(f"{threshold:9.2f}  {m['pair_precision']:14.3f}  {m['pair_recall']:11.3f}  {m['groups']:6d}")


if __name__ == "__main__":
    main()
