"""Countries, provinces and main islands locate nobody: a place found that
is exactly one of them is kept (detection.public_places: keep, the
default), while villages, districts and cities are redacted; a deny_list
entry still wins, and the list is data validated on load."""

from __future__ import annotations

import dataclasses

import pytest

from tabir.redactors.config import load_config
from tabir.redactors.detect.factory import detector_for
from tabir.redactors.detect.public_places import place_kinds, public_place_names
from tabir.redactors.errors import ConfigError
from tabir.redactors.scan import scan_text

TEXT = ("Klien bernama Siti Aminah pernah bekerja di Malaysia, lalu pulang ke Provinsi Jawa Barat "
        "dan kini tinggal di Desa Sukamaju, Cianjur, dekat Pantai Kuta di Bali.")


def redacted(config, text=TEXT):
    return {text[s.start:s.end] for s in scan_text(detector_for(config), text)}


def with_detection(config, **changes):
    return dataclasses.replace(config, detection=dataclasses.replace(config.detection, **changes))


def test_public_places_are_kept_and_the_places_that_locate_a_client_are_not():
    config = load_config()
    assert config.detection.public_places == "keep"
    found = redacted(config)
    assert "Siti Aminah" in found and any("Cianjur" in value for value in found), found
    assert not any(name in value for value in found for name in ("Malaysia", "Jawa Barat", "Bali")), found


def test_with_redact_public_places_are_redacted_and_a_deny_list_entry_always_is():
    config = load_config()
    found = redacted(with_detection(config, public_places="redact"))
    assert any("Malaysia" in value for value in found) and any("Jawa Barat" in value for value in found), found
    denied = redacted(with_detection(config, deny_list={"LOCATION": ("Bali",)}))
    assert "Bali" in denied and not any("Malaysia" in value for value in denied), denied


def test_the_names_cover_countries_provinces_with_their_prefix_and_islands():
    names = public_place_names()
    for name in ("amerika serikat", "tiongkok", "jawa barat", "provinsi jawa barat", "ntt", "sulawesi"):
        assert name in names
    for name in ("cianjur", "bandung", "desa sukamaju", "kuta"):  # villages and cities locate
        assert name not in names


def test_words_for_kinds_of_places_said_alone_are_not_places_and_places_named_with_them_are():
    """"Dirawat di rumah sakit di Bandung": the models took "rumah" for a
    place, and a casework report came out as "dirawat di [box] sakit". A
    kind of place said alone locates nobody; a place named with one does."""
    config = load_config()
    found = redacted(config, "Korban dirawat di rumah sakit di Bandung sejak Senin.")
    assert "Bandung" in found and not any("rumah" in value or "sakit" in value for value in found), found
    kinds = place_kinds()
    for value in ("rumah", "Rumah Sakit", "rumah sakit jiwa", "desa tsb", "kota itu", "tsb", "Kantor Polisi"):
        assert kinds.only_a_kind(value), value
    for value in ("Desa Sukamaju", "Pasar Baru", "Kebun Jeruk", "Kota Baru", "Pulau Kelapa", "Sungai Penuh",
                  "Rumah Sakit Umum Daerah Cibabat", "Kampung Melayu", "kampung melayu itu", "Cianjur"):
        assert not kinds.only_a_kind(value), value
    found = redacted(config, "Keluarga pindah ke Pasar Baru lalu ke Kebun Jeruk dan Kota Baru.")
    assert {"Pasar Baru", "Kebun Jeruk", "Kota Baru"} <= found, found


def test_a_broken_list_is_refused_with_the_file_and_the_key(tmp_path):
    bad = tmp_path / "public_places.yaml"
    bad.write_text("countries: Malaysia\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"public_places.yaml: key 'countries'"):
        public_place_names(bad)
    bad.write_text("negara: [Malaysia]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        public_place_names(bad)
    bad.write_text("place_kinds: rumah\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"public_places.yaml: key 'place_kinds'"):
        place_kinds(bad)


def test_a_policy_with_an_unknown_public_places_value_is_refused(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\ndetection:\n  public_places: hide\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="public_places"):
        load_config(policy)


def test_a_published_report_keeps_the_country_and_province_and_loses_the_client(tmp_path, run_library):
    """End to end, read with a tool that is not ours: pdftotext of the
    published PDF shows the public places and none of the client's."""
    import subprocess

    import pymupdf

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 520, 300), TEXT, fontsize=11)
    doc.save(inbox / "laporan.pdf")
    manifest = run_library(inbox, out)
    assert [f["status"] for f in manifest["files"]] == ["redacted"], manifest["files"]
    text = subprocess.run(["pdftotext", str(out / "redacted" / "laporan.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = " ".join(text.split())
    assert "Malaysia" in text and "Jawa Barat" in text, text
    assert "Siti" not in text and "Aminah" not in text and "Cianjur" not in text and "Sukamaju" not in text, text
