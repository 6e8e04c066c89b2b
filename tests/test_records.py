"""Typed records read back exactly as written, and a record that is off is a miss with its
cause, never a crash in a reader that trusted it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import records
from pipeline.av import media
from pipeline.errors import MediaError
from pipeline.narration.record import HeardRecord, TimingRecord
from pipeline.translation.baseline import Baseline

# a timing.json as narrate writes it (two lines, one overflowing)
TIMING = """{
  "narrated": true,
  "host": "Quan",
  "retimed": false,
  "lines": [
    {
      "index": 1,
      "slot_start": 500,
      "slot_end": 3200,
      "speech": 2900,
      "speed": 1.0741,
      "start": 500,
      "end": 3200,
      "borrowed": 0,
      "overflow": 0,
      "text": "Jinan é conhecida como a Cidade das Nascentes."
    },
    {
      "index": 2,
      "slot_start": 3400,
      "slot_end": 5000,
      "speech": 2600,
      "speed": 1.35,
      "start": 3400,
      "end": 5326,
      "borrowed": 200,
      "overflow": 126,
      "text": "A Nascente Baotu brota no coração da cidade velha."
    }
  ],
  "sample_ms": null,
  "voice": {
    "engine": "kokoro",
    "voice": "pf_dora",
    "model_sha256": "6e74",
    "spec": "kokoro:pf_dora",
    "rate": 1.0
  },
  "synthesis": {
    "lines": 2,
    "synthesized": 1,
    "reused": 1
  },
  "overflow_lines": [
    2
  ]
}
"""

# the heard.json the hear stage writes for it with narration.verify on
HEARD = """{
  "narration": "9f2c",
  "lines": [
    {
      "index": 1,
      "text": "Jinan é conhecida como a Cidade das Nascentes.",
      "heard": "Jinan é conhecida como a cidade das nascentes.",
      "unheard": []
    },
    {
      "index": 2,
      "text": "A Nascente Baotu brota no coração da cidade velha.",
      "heard": "A nascente Baotou brota no coração da cidade velha.",
      "unheard": [
        "Nascente Baotu"
      ]
    }
  ],
  "verify": {
    "metric": "wer",
    "error_rate": 0.125,
    "lines": 2,
    "model": "faster-whisper base",
    "names_unheard": 1
  },
  "hearing": {
    "spans": 1,
    "heard": 1
  }
}
"""


def test_a_timing_record_reads_back_to_the_same_text() -> None:
    record = TimingRecord.from_json(TIMING)
    assert record.to_json() == TIMING
    assert record.overflow_lines == (2,) and record.lines[1].speed == 1.35
    assert (record.voice_spec, record.voice_engine) == ("kokoro:pf_dora", "kokoro")
    plain = TimingRecord(False, "Quan", False, (), None)
    assert plain.to_json() == ('{\n  "narrated": false,\n  "host": "Quan",\n  "retimed": false,\n'
                               '  "lines": [],\n  "sample_ms": null,\n  "overflow_lines": []\n}\n')


@pytest.mark.parametrize("field, value", [("overflow", "126"), ("index", 1.5), ("speed", None)])
def test_a_timing_record_with_a_wrong_field_is_a_miss(tmp_path: Path, field: str,
                                                      value: object) -> None:
    raw = json.loads(TIMING)
    raw["lines"][1][field] = value
    path = tmp_path / "timing.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(records.RecordError, match=f"lines.1.{field}"):
        TimingRecord.from_json(path.read_bytes())
    assert records.load(TimingRecord, path) is None
    path.write_text(TIMING[:-20], encoding="utf-8")  # cut off
    assert records.load(TimingRecord, path) is None


def test_a_heard_record_reads_back_and_a_wrong_field_is_a_miss(tmp_path: Path) -> None:
    record = HeardRecord.from_json(HEARD)
    assert record.to_json() == HEARD
    assert record.lines[1].unheard == ("Nascente Baotu",) and record.verify is not None
    assert (record.verify.error_rate, record.hearing.spans) == (0.125, 1)
    raw = json.loads(HEARD)
    raw["lines"][1]["unheard"] = "Nascente Baotu"
    path = tmp_path / "heard.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(records.RecordError, match="lines.1.unheard"):
        HeardRecord.from_json(path.read_bytes())
    assert records.load(HeardRecord, path) is None


def test_a_probe_record_reads_back_and_a_broken_one_names_its_file(tmp_path: Path) -> None:
    decode = media.DecodeReport(6.0, 6.02, 4.5, ("picture stops at 4.5 s",), (), 4.5)
    probe = media.Probe(6.0, True, True, 640, 360, 25.0, 0, {"format": {"duration": "6.0"}}, decode)
    text = probe.to_json()
    assert json.loads(text)["usable_duration"] == 4.5
    again = media.Probe.from_json(text)
    assert again == probe and again.to_json() == text
    path = tmp_path / "probe.json"
    path.write_text(text.replace('"width": 640', '"width": "640"'), encoding="utf-8")
    with pytest.raises(MediaError, match=f"{path}.*width"):
        media.read_probe(path)


def test_a_translation_baseline_reads_back() -> None:
    lines = ((0, 1500, "Olá"), (1600, 3000, "Jinan\ntem nascentes"))
    text = records.dumps({"fingerprint": "ab12", **Baseline(lines[:1], lines).to_dict()})
    again = Baseline.from_json(text)
    assert (again.fingerprint, again.source_lines, again.lines) == ("ab12", lines[:1], lines)
    with pytest.raises(records.RecordError):
        Baseline.from_json(text.replace("1500", '"1500"'))


def test_a_transcript_record_reads_back_and_a_missing_language_is_a_miss(tmp_path: Path) -> None:
    from pipeline.transcription.record import TranscriptEvent, TranscriptRecord

    script = TranscriptRecord("pt", {"engine": "script", "file": "tour.script.txt"}, (),
                              (TranscriptEvent(0, 2500, "Olá,\nJinan", "script"),))
    text = script.to_json()
    assert list(json.loads(text)) == ["language", "engine", "segments", "events"]
    assert TranscriptRecord.from_json(text) == script
    path = tmp_path / "transcript.json"
    path.write_text(text.replace('"language": "pt",', ""), encoding="utf-8")
    assert records.load(TranscriptRecord, path) is None
