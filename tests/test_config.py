"""Configuration is validated on load; errors name the file, the key and the
problem."""

from __future__ import annotations

import pytest

from tabir.redactors.config import DEFAULT_CONFIG_PATH, load_config
from tabir.redactors.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_default_config_loads():
    config = load_config()
    assert config.redaction.style == "box"
    assert config.redaction.label_for("PERSON") == "[NAMA]"
    assert config.redaction.label_for("SOMETHING_NEW") == "[DISAMARKAN]"
    assert config.source == str(DEFAULT_CONFIG_PATH)


def test_overlay_changes_only_what_it_names(tmp_path):
    config = load_config(write(tmp_path, "version: 1\nredaction:\n  style: label\ndetection:\n  min_score: 0.7\n"))
    assert config.redaction.style == "label"
    assert config.detection.min_score == 0.7
    assert config.redaction.labels["EMAIL_ADDRESS"] == "[EMAIL]"  # kept from the defaults
    assert config.hash != load_config().hash


@pytest.mark.parametrize(
    "text, key, words",
    [
        ("version: 1\nredaction:\n  style: blur\n", "redaction.style", "'blur' is not one of"),
        ("version: 1\nredaction:\n  colour: red\n", "redaction", "unknown key(s) ['colour']"),
        ("version: 1\ndetection:\n  min_score: 3\n", "detection.min_score", "maximum"),
        ("version: 1\ndetection:\n  deny_list:\n    person: [x]\n", "detection.deny_list", "does not match"),
        ("version: 2\n", "version", "1 was expected"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path, text, key, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert str(path) in message and f"key '{key}'" in message and words in message


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "version: [1\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))
