"""Words that are not names, from the public Indonesian NER train splits:
lower-case words tagged O at least MIN_O times and never inside a person's
name. The detector trims them off the edges of a name the models found in
lower-case text ("almarhum syamsul muarif", "kiper leicester"), where
capital letters do not tell a name from the words around it.

    .venv/bin/python scripts/build_not_names.py [--eval ../shared/eval/ner] [--min-o 10]

Only train splits are read (the dev splits measure the result). MIN_O was
chosen on the dev splits' tune halves as the lowest that removed no gold
name word there (3 and 5 removed "z" of "jay z"); see README, Detection.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.train_e5_head import TRAIN as TRAIN_SPLITS  # noqa: E402  (the head's training data)
from scripts.train_ner import LABELS, read_conll  # noqa: E402
from tabir.redactors.detect.not_names import NOT_NAMES  # noqa: E402


def not_names(eval_dir: Path, min_o: int) -> list[str]:
    outside, inside = Counter(), Counter()
    for rel in TRAIN_SPLITS:
        for words, tags in read_conll(eval_dir / rel):
            for word, tag in zip(words, tags):
                label = LABELS.get(tag.partition("-")[2], "O") if tag != "O" else "O"
                (inside if label == "PERSON" else outside)[word.lower()] += 1
    return sorted(w for w, count in outside.items()
                  if count >= min_o and not inside[w] and any(c.isalpha() for c in w) and w == w.lower())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "ner")
    parser.add_argument("--min-o", type=int, default=10)
    parser.add_argument("--out", type=Path, default=NOT_NAMES)
    args = parser.parse_args()
    words = not_names(args.eval, args.min_o)
    args.out.write_text(
        f"# Lower-case words tagged O at least {args.min_o} times and never in a person's name in the NER train\n"
        "# splits of NERGrit, NERP (CC BY-SA 4.0) and idner-news-2k: see NOTICE. Made by scripts/build_not_names.py.\n"
        + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
