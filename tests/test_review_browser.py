"""The review desk end to end in a real headless browser (Debian's chromium
and chromedriver, driven by Selenium; nothing downloaded): the access token,
undo, an area drawn on a PDF page and on a photo, words selected on a PDF
page, approving a file held in
review; each proven on the files (pdftotext, pixels) and in the manifest.
Screenshots of each screen are kept as test artifacts."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scripts import make_sample_data as samples

from .test_review_desk import pdftotext, private_key_pdf, report_pdf

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TABIR_TEST_ARTIFACTS", REPO / "test-artifacts")) / "review-desk"


@pytest.fixture
def desk_server(tmp_path, run_library):
    from tabir.redactors.config import load_config

    policy = tmp_path / "policy.yaml"
    policy.write_text(samples.sample_policy_yaml().replace("style: label", "style: box")
                      + f"secret_file: {tmp_path / 'secret' / 'manifest.key'}\n"
                      + f"review:\n  policy_lists: {tmp_path / 'secret' / 'reviewer-lists.yaml'}\n"
                      + f"service:\n  archive: {tmp_path / 'archive'}\n  data_dir: {tmp_path / 'data'}\n")
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "laporan.pdf").write_bytes(report_pdf())
    (inbox / "kunci.pdf").write_bytes(private_key_pdf())
    (inbox / "foto.jpg").write_bytes(samples.photo_jpeg())
    manifest = run_library(inbox, out, load_config(policy))
    process = subprocess.Popen(
        [sys.executable, "-m", "tabir.flows.cli", "review", str(out), "--originals", str(inbox), "--config", str(policy)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    try:
        assert url.startswith("http://127.0.0.1:") and "?token=" in url, process.stderr.read()
        base = url.split("/?token=")[0]
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
            except urllib.error.HTTPError:
                break  # up (and refusing us without the token)
            except OSError:
                time.sleep(0.1)
        yield url, base, out, manifest
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1280,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def open_file(driver, base: str, run_id: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/runs/{run_id}")
    driver.find_element(By.PARTIAL_LINK_TEXT, name).click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "findings"), 120)


def wait_for(driver, condition, seconds: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def submit(driver, control) -> str:
    """Click a form's button and return the message of the page that answers it.

    The old page may itself show a message (from the previous action), so wait
    until it is gone before reading: otherwise the old text, or a stale element,
    is read while the browser is still navigating."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    old_page = driver.find_element(By.TAG_NAME, "html")
    control.click()
    wait_for(driver, expected_conditions.staleness_of(old_page), 180)
    return wait_for(driver, lambda d: (d.find_elements(By.CSS_SELECTOR, "p.message, p.problem") or [None])[0],
                    180).text


def manifest_entry(out: Path, run_id: str, prefix: str) -> dict:
    manifest = json.loads((out / "manifests" / f"{run_id}.json").read_text())
    return next(f for f in manifest["files"] if f["input"].startswith(prefix))


def drag(driver, element, page_size, start, end) -> None:
    """Drag on `element` from `start` to `end`, given in page units."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    scale = element.size["width"] / page_size[0]
    centre = (element.size["width"] / 2, element.size["height"] / 2)
    sx, sy = start[0] * scale - centre[0], start[1] * scale - centre[1]
    actions = ActionChains(driver)
    actions.move_to_element_with_offset(element, int(sx), int(sy)).click_and_hold()
    actions.move_by_offset(int((end[0] - start[0]) * scale), int((end[1] - start[1]) * scale)).release().perform()


def test_the_desk_refuses_requests_without_the_token(desk_server):
    url, base, _, _ = desk_server
    for path in ("/", "/runs/x", "/static/desk.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=10)
        assert refused.value.code == 403
    request = urllib.request.Request(base + "/?token=wrong")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def test_a_reviewer_undoes_draws_and_approves_in_the_browser(desk_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.common.keys import Keys

    url, base, out, manifest = desk_server
    run_id = manifest["run_id"]
    driver = browser

    driver.get(base + "/")
    assert "Forbidden" in driver.page_source
    driver.get(url)
    assert run_id in driver.find_element(By.TAG_NAME, "main").text
    shot(driver, "1-runs")
    # Keyboard: the first Tab reaches the skip link, every control has a label.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Skip to content"

    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, run_id).click()
    wait_for(driver, expected_conditions.staleness_of(old_page), 60)
    assert "review" in driver.find_element(By.TAG_NAME, "table").text
    shot(driver, "2-run")

    # Undo the wrong redaction of "Dinas" (Dinas Sosial is a public office).
    open_file(driver, base, run_id, "laporan")
    shot(driver, "3-file-pdf")
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('input:not([type=hidden]), select, button')].filter(e =>
          !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).length""")
    assert unlabelled == 0
    undo = driver.find_element(By.CSS_SELECTOR, "button[aria-label*='keep Dinas']")
    assert "published to redacted/" in submit(driver, undo)
    entry = manifest_entry(out, run_id, "laporan")
    assert "aula Dinas Sosial" in pdftotext(out / entry["output"])
    assert entry["review_actions"][-1]["action"] == "undo"

    # Draw an area over the officer's note (line 4 of the page).
    sheet = driver.find_element(By.ID, "original-sheet")
    page_size = (float(sheet.get_attribute("data-width")), float(sheet.get_attribute("data-height")))
    drag(driver, sheet, page_size, (50, 80 + 24 * 3 - 14), (420, 80 + 24 * 3 + 6))
    assert float(driver.find_element(By.ID, "x1").get_attribute("value")) > 300
    shot(driver, "4-area-drawn")
    assert "published to redacted/" in submit(driver, driver.find_element(By.ID, "redact-area"))
    entry = manifest_entry(out, run_id, "laporan")
    text = pdftotext(out / entry["output"])
    assert "bercat" not in text and "hijau" not in text and "Kegiatan kelompok" in text
    assert entry["status"] == "redacted" and entry["review_actions"][-1]["action"] == "add_box"
    shot(driver, "5-pdf-after")

    # Select two words by dragging over them: they are listed, then redacted everywhere.
    import pymupdf

    words = pymupdf.open(stream=report_pdf(), filetype="pdf")[0].search_for("mawar merah")[0]
    sheet = driver.find_element(By.ID, "original-sheet")
    drag(driver, sheet, page_size, (words.x0 + 2, words.y0 + 2), (words.x1 - 2, words.y1 - 2))
    assert driver.find_element(By.ID, "selected-words").text == "mawar merah."
    shot(driver, "5b-words-selected")
    assert "published to redacted/" in submit(driver, driver.find_element(By.ID, "redact-words"))
    entry = manifest_entry(out, run_id, "laporan")
    text = pdftotext(out / entry["output"])
    assert "mawar" not in text and "merah" not in text and "Kode berkas klien adalah" in text
    assert entry["review_actions"][-1]["action"] == "add_words"

    # Draw on the photo.
    open_file(driver, base, run_id, "foto")
    sheet = driver.find_element(By.ID, "original-sheet")
    page_size = (float(sheet.get_attribute("data-width")), float(sheet.get_attribute("data-height")))
    drag(driver, sheet, page_size, (20, 400), (140, 490))
    assert "published to redacted/" in submit(driver, driver.find_element(By.ID, "redact-area"))
    entry = manifest_entry(out, run_id, "foto")
    pixels = np.asarray(Image.open(io.BytesIO((out / entry["output"]).read_bytes())).convert("L"))
    assert pixels[410:480, 30:130].max() < 40
    shot(driver, "6-photo-after")

    # A file held in review: keep its contact address, then approve.
    open_file(driver, base, run_id, "kunci")
    assert driver.find_element(By.ID, "status").text == "review"
    keep = driver.find_element(By.CSS_SELECTOR, "button[aria-label*='wali.rina@example.com']")
    assert "kept in review/" in submit(driver, keep)
    assert not list((out / "redacted").rglob("kunci*"))
    assert "published to redacted/" in submit(driver, driver.find_element(By.ID, "approve"))
    entry = manifest_entry(out, run_id, "kunci")
    assert entry["status"] == "redacted" and (out / entry["output"]).is_file()
    assert [a["action"] for a in entry["review_actions"]] == ["undo", "approve"]
    assert not list((out / "review").rglob("kunci*"))
    shot(driver, "7-approved")

    # A tablet-sized window: nothing wider than the screen.
    driver.set_window_size(820, 1180)
    open_file(driver, base, run_id, "laporan")
    wider = driver.execute_script("""return [...document.querySelectorAll('body *')].filter(e =>
        e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '#' + e.id)""")
    assert wider == []
    shot(driver, "8-tablet")
