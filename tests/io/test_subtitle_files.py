"""SRT and WebVTT: cues written and read back, times to the millisecond."""

from __future__ import annotations

import pytest

from textlens.errors import TextlensError
from textlens.io.subtitles import Cue, format_cues, format_time, parse_subtitles, parse_time


def test_times_are_written_and_read_to_the_millisecond():
    assert format_time(3723.4567) == "01:02:03,457"
    assert format_time(0.04, ".") == "00:00:00.040"
    assert parse_time("01:02:03,457") == pytest.approx(3723.457)
    assert parse_time("02:03.5") == pytest.approx(123.5)  # WebVTT may leave the hours out
    with pytest.raises(TextlensError):
        parse_time("soon")


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_cues_round_trip_through_both_formats(fmt):
    cues = [Cue(0.5, 2.25, "Hello"), Cue(2.25, 4.0, "Two lines,\nhere."), Cue(3600.0, 3601.5, "Late: «ça va»")]
    text = format_cues(cues, fmt)
    assert text.startswith("WEBVTT") == (fmt == "vtt")
    back = parse_subtitles(text)
    assert [(c.start, c.end, c.text) for c in back] == [(c.start, c.end, c.text) for c in cues]


def test_windows_line_ends_and_notes_are_read_and_a_backwards_cue_is_refused():
    text = "WEBVTT\r\n\r\nNOTE made by hand\r\n\r\n00:01.000 --> 00:02.000 align:middle\r\nHi\r\n"
    assert [(c.start, c.end, c.text) for c in parse_subtitles(text)] == [(1.0, 2.0, "Hi")]
    with pytest.raises(TextlensError):
        parse_subtitles("1\n00:00:05,000 --> 00:00:01,000\nOops\n")
    with pytest.raises(TextlensError):
        format_cues([], "ass")
