"""Face redaction quality and speed on real annotated photos.

    .venv/bin/python bench/images.py [--eval ../shared/eval/faces] [--threshold 0.2] [--enlarge 1.3]

Per set (dlib/, facemask/): the share of annotated face area covered by the
redaction, the share of faces at least 90% covered, the redacted area over
the annotated face area (and over the whole image), and milliseconds per
megapixel on this machine. Coverage is what matters for anonymisation; the
area ratio shows that it is not bought by blanking whole photos.

The same faces at other sizes (`--scales N`): N eval photos upscaled to
12 MP (close-ups: faces of several hundred to 2000 px), N/5 12 MP
canvases with eval photos pasted small (faces of 10-48 px), and 3N 1024x768
pictures with faces of 10-30 px, read with and without the 2x pass (the
baseline, in the same run). Then the whole
pipeline per 12 MP photo (`--pipeline N`, `--threads T`, `--photos
close-ups|groups`), with the face model through ONNX Runtime and, as the
baselines in the same run, OpenCV's DNN module and verification reading
every pass again, beside the deface command line (one photo per command,
and all in one command) and presidio-image-redactor, each with T threads. With `--review`: how many eval photos go to review with
each face style, with and without the rounds that cover what verification
still sees.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import tabir.redactors.pixels.faces as faces_module  # noqa: E402
from tabir.redactors.pixels.anonymise import face_mask  # noqa: E402
from tabir.redactors.pixels.faces import CenterFace  # noqa: E402


def dlib_sets(folder: Path):
    for xml_name in ("training.xml", "testing.xml"):
        root = ET.parse(folder / xml_name).getroot()
        for image in root.iter("image"):
            boxes = [
                (int(b.get("left")), int(b.get("top")), int(b.get("left")) + int(b.get("width")), int(b.get("top")) + int(b.get("height")))
                for b in image.iter("box") if b.get("ignore") != "1"
            ]
            yield folder / image.get("file"), boxes


def facemask_set(folder: Path):
    for xml_path in sorted((folder / "annotations").glob("*.xml")):
        root = ET.parse(xml_path).getroot()
        boxes = [
            tuple(int(float(o.find("bndbox").find(k).text)) for k in ("xmin", "ymin", "xmax", "ymax"))
            for o in root.iter("object")
        ]
        yield folder / "images" / root.find("filename").text, boxes


# OpenCV 5 no longer has the Haar cascades (CascadeClassifier): they are not
# measured here. ../shared/design/FACES_NOTES.md has them at 18% (crowds) and
# 41% (masks) of face area, against CenterFace's 98%.
SETTINGS = [  # (detector, threshold, enlarge, ellipse)
    ("CenterFace", 0.2, 1.5, True),   # Tabir's default
    ("CenterFace", 0.3, 1.5, True),
    ("CenterFace", 0.5, 1.5, True),
    ("CenterFace", 0.2, 1.3, False),  # deface's way: rectangles x1.3
    ("CenterFace", 0.2, 1.0, False),  # the bare boxes
]


def settings_table(eval_dir: Path) -> None:
    print("| detector | threshold | shape | set | faces | area covered | faces >= 90% | redacted / face area | ms/MP |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, threshold, enlarge, ellipse in SETTINGS:
        detector = CenterFace(threshold=threshold)
        shape = f"{'ellipse' if ellipse else 'rectangle'} x{enlarge}"
        for set_name, items in (("dlib", dlib_sets(eval_dir / "dlib")), ("facemask", facemask_set(eval_dir / "facemask"))):
            r = evaluate(detector, list(items), enlarge, ellipse)
            print(f"| {name} | {threshold} | {shape} | {set_name} | {r['faces']} | "
                  f"{r['area_covered']:.3f} | {r['faces_90']:.3f} | {r['redacted_over_faces']:.2f} | {r['ms_per_mp']:.0f} |")


def loaded(items):
    """(path, boxes) -> (pixels, boxes), skipping unreadable or unannotated photos."""
    for path, boxes in items:
        image = cv2.imread(str(path))
        if image is not None and boxes:
            yield image, boxes


def evaluate(detector, items, enlarge: float, ellipse: bool):
    """`items`: (path or pixels, annotated boxes)."""
    covered_area = total_area = faces = well_covered = 0
    redacted_pixels = image_pixels = 0
    seconds = megapixels = 0.0
    for image, boxes in items:
        if isinstance(image, Path):
            image = cv2.imread(str(image))
        if image is None or not boxes:
            continue
        h, w = image.shape[:2]
        start = time.perf_counter()
        found = detector.detect(image)
        seconds += time.perf_counter() - start
        megapixels += w * h / 1e6
        mask = face_mask((h, w), found, enlarge, ellipse)
        annotated = np.zeros((h, w), np.uint8)
        for x0, y0, x1, y1 in boxes:
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
            area = max(0, x1 - x0) * max(0, y1 - y0)
            if area == 0:
                continue
            hit = int(mask[y0:y1, x0:x1].sum())
            covered_area += hit
            total_area += area
            faces += 1
            well_covered += hit >= 0.9 * area
            annotated[y0:y1, x0:x1] = 1
        redacted_pixels += int(mask.sum())
        image_pixels += w * h
    return {
        "faces": faces,
        "area_covered": covered_area / total_area,
        "faces_90": well_covered / faces,
        "redacted_over_faces": redacted_pixels / total_area,
        "redacted_share": redacted_pixels / image_pixels,
        "ms_per_mp": 1000 * seconds / megapixels,
    }


def upscaled_to_12_megapixels(items, count: int):
    """Eval photos resized to 4032x3024, boxes with them: close-ups at a
    phone camera's resolution, faces of several hundred to 2000 px."""
    for image, boxes in list(loaded(items))[:count]:
        h, w = image.shape[:2]
        sx, sy = 4032 / w, 3024 / h
        yield (cv2.resize(image, (4032, 3024), interpolation=cv2.INTER_CUBIC),
               [(int(x0 * sx), int(y0 * sy), int(x1 * sx), int(y1 * sy)) for x0, y0, x1, y1 in boxes])


def small_face_composites(items, count: int, seed: int = 1, face_px=(10, 48)):
    """12 MP canvases (an upscaled eval photo as background) with up to 60
    eval photos pasted small, so that their faces are 10-48 px: a crowd seen
    from afar at phone resolution. Built in memory from the eval photos."""
    import random

    rng = random.Random(seed)
    photos = list(loaded(items))
    for _ in range(count):
        background, _ = rng.choice(photos)
        canvas = cv2.resize(background, (4032, 3024), interpolation=cv2.INTER_CUBIC)
        taken = np.zeros(canvas.shape[:2], bool)
        boxes = []
        for _attempt in range(400):
            if len(boxes) >= 60:
                break
            image, faces = rng.choice(photos)
            scale = rng.uniform(*face_px) / max(max(x1 - x0, y1 - y0) for x0, y0, x1, y1 in faces)
            h, w = image.shape[:2]
            nw, nh = max(8, int(w * scale)), max(8, int(h * scale))
            x, y = rng.randrange(0, 4032 - nw), rng.randrange(0, 3024 - nh)
            if taken[y:y + nh, x:x + nw].any():
                continue
            taken[y:y + nh, x:x + nw] = True
            canvas[y:y + nh, x:x + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
            boxes += [(round(x + x0 * scale), round(y + y0 * scale), round(x + x1 * scale), round(y + y1 * scale))
                      for x0, y0, x1, y1 in faces if (x1 - x0) * scale >= 8]
        yield canvas, boxes


def small_face_web_pictures(items, count: int, seed: int = 11):
    """1024x768 pictures (the top-left corner of composites like the above)
    with eval faces of 10-30 px: web or chat photos of a crowd, small enough
    to be read at 2x too."""
    for canvas, boxes in small_face_composites(items, count, seed=seed, face_px=(10, 30)):
        yield canvas[:768, :1024].copy(), [b for b in boxes if b[2] <= 1024 and b[3] <= 768]


def photo_scales(detector, eval_dir: Path, count: int, enlarge: float, ellipse: bool) -> None:
    """Coverage when the same faces come at other pixel sizes than in the
    eval sets: close-ups at 12 MP (large faces), small faces pasted into
    12 MP canvases, and into 1024x768 pictures read with and without the 2x
    pass. The redacted share over face area is not meaningful for
    the composites (their background photo's own large faces are not
    annotated)."""
    both = list(dlib_sets(eval_dir / "dlib")) + list(facemask_set(eval_dir / "facemask"))
    print(f"\n{'12 MP photos':24} {'faces':>6} {'area cov':>9} {'>=90%':>7} {'red/face':>9} {'s/photo':>8}")
    for name, items in ((f"{count} eval photos upscaled", upscaled_to_12_megapixels(both, count)),
                        (f"{max(1, count // 5)} small-face composites", small_face_composites(both, max(1, count // 5)))):
        r = evaluate(detector, list(items), enlarge, ellipse)
        print(f"{name:24} {r['faces']:6d} {r['area_covered']:9.3f} {r['faces_90']:7.3f} "
              f"{r['redacted_over_faces']:9.2f} {r['ms_per_mp'] * 12.19 / 1000:8.2f}")
    pictures = list(small_face_web_pictures(both, 3 * count))
    print(f"\n{'1024x768 pictures':24} {'faces':>6} {'area cov':>9} {'>=90%':>7} {'':>9} {'s/pic':>8}")
    for name, upsample in (("read at 1x and 2x", True), ("read at 1x only", False)):
        saved = faces_module.UPSAMPLE_MAX_PIXELS
        faces_module.UPSAMPLE_MAX_PIXELS = saved if upsample else 0
        try:
            r = evaluate(detector, pictures, enlarge, ellipse)
        finally:
            faces_module.UPSAMPLE_MAX_PIXELS = saved
        print(f"{name:24} {r['faces']:6d} {r['area_covered']:9.3f} {r['faces_90']:7.3f} "
              f"{'':>9} {r['ms_per_mp'] * 0.786 / 1000:8.2f}")


def twelve_megapixel_photos(folder: Path, count: int, work: Path, kind: str = "close-ups") -> list[Path]:
    """Eval photos resized to 4032x3024 (a phone camera's 12 MP), as JPEGs:
    `close-ups` from the face-mask set (one to three people whose faces
    then fill much of the photo), `groups` from dlib's (several people,
    faces of 300-600 px spread over it), `no-faces` from scikit-image's
    sample pictures without a person (a cup, a rocket, a cat, a sky, a
    tissue: the house and room photos of casework have no face either)."""
    paths = []
    if kind == "no-faces":
        import skimage.data

        for name in ("coffee", "rocket", "chelsea", "hubble_deep_field", "immunohistochemistry")[:count]:
            rgb = getattr(skimage.data, name)()
            target = work / f"{name}.jpg"
            cv2.imwrite(str(target), cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), (4032, 3024),
                                                interpolation=cv2.INTER_CUBIC), [cv2.IMWRITE_JPEG_QUALITY, 90])
            paths.append(target)
        return paths
    items = facemask_set(folder / "facemask") if kind == "close-ups" else dlib_sets(folder / "dlib")
    for index, (path, _) in enumerate(items):
        if index >= count:
            break
        image = cv2.resize(cv2.imread(str(path)), (4032, 3024), interpolation=cv2.INTER_CUBIC)
        target = work / f"photo_{index}.jpg"
        cv2.imwrite(str(target), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        paths.append(target)
    return paths


def tabir_per_photo(paths: list[Path], model: str, shared: bool = True) -> float:
    """Median seconds per photo through Tabir's whole pipeline for one file
    (decode, faces, OCR, names, redact, encode, the output read again and
    any face still seen covered, verification, the second look), with the
    face model given; models loaded and warmed up first. `shared`: whether
    verification keeps the redaction's passes over unchanged pixels and
    skips flat covers (redact.SHARE_WITH_REDACTION)."""
    import statistics
    import tempfile
    from pathlib import PurePosixPath

    import tabir.redactors.pixels.redact as redact_module
    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline
    from tabir.redactors.pixels.redact import forget_pictures

    faces_module.DEFAULT_MODEL = model
    redact_module.SHARE_WITH_REDACTION = shared
    redact_module._FACES.clear()
    with tempfile.TemporaryDirectory() as out:
        pipeline = Pipeline(load_config(), Path(out))
        pipeline.load_models()
        pipeline.redact_bytes(PurePosixPath(paths[-1].name), paths[-1].read_bytes())  # warm-up
        times = []
        for path in paths:
            forget_pictures()  # nothing remembered from an earlier run of the same pixels
            start = time.perf_counter()
            outcome = pipeline.redact_bytes(PurePosixPath(path.name), path.read_bytes())
            times.append(time.perf_counter() - start)
            if outcome.record.status != "redacted":
                print(f"  ({path.name}: {outcome.record.status}: {outcome.record.reason})")
    return statistics.median(times)


def deface_per_photo(paths: list[Path], threads: int) -> tuple[float, float] | None:
    """The deface command line with `threads` threads, as a user runs it:
    (median seconds for one photo per command, seconds per photo when one
    command is given them all), or None when it is not installed."""
    import shutil
    import statistics
    import subprocess

    deface = shutil.which("deface", path=str(Path(sys.executable).parent)) or shutil.which("deface")
    if not deface:
        return None
    env = dict(os.environ, OPENCV_FOR_THREADS_NUM=str(threads), OMP_NUM_THREADS=str(threads))
    options = ["-t", "0.2", "--mask-scale", "1.3", "--replacewith", "solid"]

    def run(files: list[Path]) -> float:
        start = time.perf_counter()
        subprocess.run([deface, *map(str, files), *options], capture_output=True, check=True, env=env)
        return time.perf_counter() - start

    one_each = statistics.median(run([path]) for path in paths)
    return one_each, run(paths) / len(paths)


def whole_pipeline(paths: list[Path], presidio_python: Path, threads: int) -> None:
    """Seconds per 12 MP photo: Tabir's whole pipeline with its face model
    and with OpenCV's float model (the baseline, same run), beside the
    deface command line and presidio-image-redactor, all with `threads`
    threads."""
    cv2.setNumThreads(threads)
    os.environ["OMP_THREAD_LIMIT"] = str(threads)  # Tesseract, started per reading
    before = tabir_per_photo(paths, "opencv", shared=False)
    unshared = tabir_per_photo(paths, "mixed", shared=False)
    after = tabir_per_photo(paths, "mixed")
    print(f"\nwhole pipeline per 12 MP photo, {len(paths)} photos, {threads} thread(s), median:")
    print(f"  tabir, face model through OpenCV DNN (float), verification reads every pass: {before:6.2f} s")
    print(f"  tabir, face model through ONNX Runtime (int8 tiles), verification reads every pass: {unshared:6.2f} s   "
          f"({before / unshared:.2f}x)")
    print(f"  tabir, ONNX Runtime, verification keeps unchanged passes, skips flat covers (shipped): {after:6.2f} s   "
          f"({before / after:.2f}x; {unshared / after:.2f}x the unshared)")
    measured = deface_per_photo(paths, threads)
    if measured is not None:
        one_each, batched = measured
        print(f"  deface command line (faces only), one photo per command:   {one_each:6.2f} s   "
              f"ratio tabir / deface {after / one_each:.2f}")
        print(f"  deface command line (faces only), all photos in one command: {batched:6.2f} s per photo   "
              f"ratio tabir / deface {after / batched:.2f}")
    presidio_median = presidio_image_redactor(paths, presidio_python, threads)
    if presidio_median is not None:
        print(f"  presidio-image-redactor (OCR text):   {presidio_median:6.2f} s   "
              f"ratio tabir / presidio {after / presidio_median:.2f}")


def presidio_image_redactor(paths: list[Path], python: Path, threads: int) -> float | None:
    """Median seconds per photo of presidio-image-redactor in its own
    environment (scripts/setup_presidio_image_venv.sh), or None."""
    import json
    import statistics
    import subprocess

    if not python.exists():
        print(f"  presidio-image-redactor: not measured ({python} missing; "
              "run scripts/setup_presidio_image_venv.sh)")
        return None
    env = dict(os.environ, OMP_THREAD_LIMIT=str(threads), OPENCV_FOR_THREADS_NUM=str(threads))
    done = subprocess.run([str(python), str(REPO / "bench" / "presidio_image_runner.py"), *map(str, paths)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        print(f"  presidio-image-redactor failed: {done.stderr[-500:]}")
        return None
    return statistics.median(r["seconds"] for r in json.loads(done.stdout.strip().splitlines()[-1]))


def review_outcomes(eval_dir: Path) -> None:
    """Every eval photo through the image handler (faces only, OCR off) with
    each face style, without (the baseline) and with the rounds that cover
    faces verification still sees: how many would go to review."""
    import tempfile
    from pathlib import PurePosixPath

    from tabir.redactors.config import load_config
    from tabir.redactors.pixels.redact import forget_pictures
    from tabir.redactors.pipeline import Pipeline

    photos = sorted(eval_dir.rglob("*.jpg")) + sorted(eval_dir.rglob("*.png"))
    print(f"\nreview outcomes, {len(photos)} eval photos (faces only), to review / total:")
    with tempfile.TemporaryDirectory() as work:
        for style in ("fill", "pixelate"):
            for rounds in (0, 2):
                policy = Path(work) / f"{style}{rounds}.yaml"
                policy.write_text(f"version: 1\nsecret_file: {work}/key\nimages:\n  ocr: false\n  face_style: {style}\n"
                                  f"verification:\n  second_look: false\n  rounds: {rounds}\n")
                pipeline = Pipeline(load_config(policy), Path(work) / "out")
                forget_pictures()  # each mode reads the photos itself
                started = time.perf_counter()
                reviewed = sum(pipeline.redact_bytes(PurePosixPath(p.name), p.read_bytes()).record.status != "redacted"
                               for p in photos)
                seconds = time.perf_counter() - started
                print(f"  {style:9} rounds {rounds}: {reviewed:3d} / {len(photos)}   {seconds / len(photos):.2f} s per photo")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "faces")
    parser.add_argument("--threshold", type=float, default=0.2)
    parser.add_argument("--enlarge", type=float, default=1.5)
    parser.add_argument("--rectangle", action="store_true", help="rectangles instead of ellipses")
    parser.add_argument("--pipeline", type=int, default=3, help="12 MP photos for the whole-pipeline timing (0: skip)")
    parser.add_argument("--threads", type=int, default=1, help="threads for the whole-pipeline timing (each tool)")
    parser.add_argument("--only-pipeline", action="store_true", help="only the whole-pipeline timing")
    parser.add_argument("--photos", choices=("close-ups", "groups", "no-faces"), default="close-ups",
                        help="the 12 MP photos of the whole-pipeline timing: face-mask or dlib eval photos, or "
                             "scikit-image's pictures without people, upscaled")
    parser.add_argument("--presidio-python", type=Path, default=REPO / ".venv-presidio-image" / "bin" / "python",
                        help="python of the presidio-image-redactor environment")
    parser.add_argument("--table", action="store_true", help="every detector and setting as a Markdown table")
    parser.add_argument("--scales", type=int, default=20,
                        help="eval photos upscaled to 12 MP for the coverage-by-size check (0: skip)")
    parser.add_argument("--model", default="mixed", choices=("mixed", "int8", "float", "opencv"),
                        help="CenterFace through ONNX Runtime (mixed: int8 for large passes, float for the rest; "
                             "int8; float) or OpenCV's DNN module (float)")
    parser.add_argument("--review", action="store_true", help="only: how many eval photos go to review, by style")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    if args.review:
        review_outcomes(args.eval)
        return 0
    if args.table:
        settings_table(args.eval)
        return 0
    if args.only_pipeline:
        import tempfile

        with tempfile.TemporaryDirectory() as work:
            whole_pipeline(twelve_megapixel_photos(args.eval, args.pipeline, Path(work), args.photos), args.presidio_python,
                           args.threads)
        return 0
    detector = CenterFace(threshold=args.threshold, model=args.model)
    shape = "rectangles" if args.rectangle else "ellipses"
    print(f"CenterFace ({args.model}, 1 thread), threshold {args.threshold}, {shape} x{args.enlarge}")
    print(f"{'set':10} {'faces':>6} {'area cov':>9} {'>=90%':>7} {'red/face':>9} {'red/img':>8} {'ms/MP':>7}")
    for name, items in (("dlib", dlib_sets(args.eval / "dlib")), ("facemask", facemask_set(args.eval / "facemask"))):
        r = evaluate(detector, list(items), args.enlarge, not args.rectangle)
        print(f"{name:10} {r['faces']:6d} {r['area_covered']:9.3f} {r['faces_90']:7.3f} {r['redacted_over_faces']:9.2f} {r['redacted_share']:8.3f} {r['ms_per_mp']:7.0f}")
    if args.scales:
        photo_scales(detector, args.eval, args.scales, args.enlarge, not args.rectangle)
    if args.pipeline:
        import tempfile

        with tempfile.TemporaryDirectory() as work:
            whole_pipeline(twelve_megapixel_photos(args.eval, args.pipeline, Path(work), args.photos), args.presidio_python, args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
