"""The one command line: `python -m gan_core --help` lists every command, each one runs from it."""
import json
import subprocess
import sys

import pytest

from gan_core.cli import main

COMMANDS = ("toy", "train", "sample", "evaluate", "classifier")


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "gan_core", "--help"], capture_output=True, text=True, check=True).stdout
    for command in COMMANDS:
        assert f"\n    {command}" in out, out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_its_own_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"usage: python -m gan_core {command}" in capsys.readouterr().out


def test_classifier_command_trains_saves_and_records_its_command(tmp_path, monkeypatch, capsys):
    """The classifier's training is replaced by a tiny untrained model: this checks the command, not the CNN."""
    from gan_core.mnist import classifier

    def tiny(config, train, callback=None):
        callback(0, 0, 1, 2.3)
        model = classifier.DigitClassifier(classifier.ClassifierConfig(channels=(2, 2, 2), feature_dim=4))
        return model.eval(), {"holdout_accuracy": 0.1, "train_accuracy": 0.1, "train_seconds": 0.0}

    monkeypatch.setattr(classifier, "train_classifier", tiny)
    out = tmp_path / "judge.safetensors"
    meta = main(["classifier", "--out", str(out), "--epochs", "1", "--threads", "1"])
    assert meta["command"] == f"python -m gan_core classifier --out {out} --epochs 1 --threads 1"
    assert json.loads(out.with_suffix(".json").read_text())["train_config"]["epochs"] == 1
    assert classifier.load_classifier(out).config.feature_dim == 4
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["parameters"] == meta["parameters"]
