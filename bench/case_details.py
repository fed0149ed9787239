"""Case-detail flags (redactors/review/case_details.py): precision and
recall on a labelled set of Indonesian casework sentences.

    .venv/bin/python bench/case_details.py [--set bench/data/case_details_labelled.yaml]

Names count as persons when the default detector finds them, as in the
desk. The set was written for Tabir and the word list tuned with it in view, so
these figures are an upper bound; new sentences are the honest test."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tabir.redactors.config import load_config  # noqa: E402
from tabir.redactors.detect.factory import detector_for  # noqa: E402
from tabir.redactors.review.case_details import case_detail_spans  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", type=Path, default=Path(__file__).parent / "data" / "case_details_labelled.yaml")
    labelled = yaml.safe_load(parser.parse_args().set.read_text(encoding="utf-8"))
    detector = detector_for(load_config())

    def flagged(sentence: str) -> bool:
        # As the desk does: the names the detector finds count as persons.
        names = [sentence[s.start:s.end] for s in detector.detect(sentence) if s.entity_type == "PERSON"]
        return bool(case_detail_spans(sentence, names))

    flagged_pos = [s for s in labelled["positive"] if flagged(s)]
    flagged_neg = [s for s in labelled["negative"] if flagged(s)]
    tp, fp, fn = len(flagged_pos), len(flagged_neg), len(labelled["positive"]) - len(flagged_pos)
    print(f"sentences: {len(labelled['positive'])} with a case detail, {len(labelled['negative'])} without")
    print(f"precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, tp + fn):.3f}  (tp {tp}, fp {fp}, fn {fn})")
    for sentence in flagged_neg:
        print(f"  false flag: {sentence}")
    for sentence in sorted(set(labelled["positive"]) - set(flagged_pos)):
        print(f"  missed: {sentence}")


if __name__ == "__main__":
    main()
