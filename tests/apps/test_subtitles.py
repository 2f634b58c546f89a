"""Burnt-in subtitles: found, timed to the frame, read once, and written as SRT/WebVTT/JSON."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from textlens.apps.subtitle_ink import glyph_mask, line_crops
from textlens.apps.subtitles import (
    SubtitleConfig,
    _Reading,
    _Row,
    _Track,
    assemble,
    merge_repeats,
    parse_region,
    read_subtitles,
)
from textlens.cli import main
from textlens.errors import TextlensError
from textlens.io.subtitles import Cue
from textlens.synth.fonts import discover_fonts
from textlens.synth.video import SubtitleStyle, drifting_shapes, render_video

pytest.importorskip("av")

CUES = [
    Cue(0.5, 2.3, "Where did you go last night?"),
    Cue(2.3, 4.0, "Nowhere special.\nJust out with friends"),
    Cue(4.6, 6.2, "Thanks for asking"),
]


def _font() -> str:
    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    style = SubtitleStyle(font=_font(), size=52, outline=3, fade=0.2)
    render_video(path, CUES, style, drifting_shapes(640, 360, seed=3), duration=7.0, size=(640, 360))
    return str(path)


def _cer(read: str, truth: str) -> float:
    return Levenshtein.distance(" ".join(read.split()), " ".join(truth.split())) / len(truth)


def test_each_subtitle_is_found_once_read_and_timed_to_a_quarter_second(video):
    cues = read_subtitles(video)
    assert len(cues) == len(CUES)
    for found, truth in zip(cues, CUES):
        assert abs(found.start - truth.start) <= 0.25 and abs(found.end - truth.end) <= 0.25, (found, truth)
        assert _cer(found.text, truth.text) <= 0.1, (found.text, truth.text)
    assert cues[1].text.count("\n") == 1  # two lines stay two lines
    x0, y0, x1, y1 = cues[0].box
    assert 0 <= x0 < x1 <= 640 and 200 <= y0 < y1 <= 360  # near the bottom of the frame


def test_a_band_without_the_subtitles_finds_nothing(video):
    assert read_subtitles(video, config=SubtitleConfig(region="top")) == []


def test_the_cli_writes_srt_vtt_and_json(video, tmp_path, capsys):
    srt, vtt, js = tmp_path / "out.srt", tmp_path / "out.vtt", tmp_path / "out.json"
    assert main(["subtitles", video, "-o", str(srt)]) == 0
    assert "00:00:00," in srt.read_text() and "-->" in srt.read_text()
    assert main(["subtitles", video, "-o", str(vtt)]) == 0
    assert vtt.read_text().startswith("WEBVTT")
    assert main(["subtitles", video, "-o", str(js)]) == 0
    data = json.loads(js.read_text())
    assert len(data["cues"]) == len(CUES) and set(data["cues"][0]) >= {"start", "end", "text", "box"}


@pytest.mark.parametrize("content", [b"", b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64])
def test_a_file_that_is_not_a_video_gets_a_one_line_error_and_nothing_is_written(tmp_path, capsys, content):
    bad, out = tmp_path / "bad.mp4", tmp_path / "out.srt"
    bad.write_bytes(content)
    out.write_text("kept")
    assert main(["subtitles", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("textlens: error:") and "not a readable video" in err and "\n" not in err
    assert out.read_text() == "kept"


def test_regions_are_named_or_fractions_and_bad_ones_are_refused():
    assert parse_region("top") == "top"
    assert parse_region("0,0.5,1,1") == (0.0, 0.5, 1.0, 1.0)
    assert SubtitleConfig(region=(0.0, 0.5, 1.0, 1.0)).band(1280, 720) == (0, 360, 1280, 720)
    for bad in ("middle", "0,0.5,1", "0,0.9,1,0.5", "a,b,c,d"):
        with pytest.raises(TextlensError):
            parse_region(bad)


def test_rows_found_together_are_one_subtitle_and_a_piece_read_twice_goes():
    line1 = _Row((100, 600, 500, 630), "Nowhere special.", 0.9)
    piece = _Row((300, 610, 400, 630), "spec", 0.9)  # a word of line 1 its own track found again
    line2 = _Row((120, 640, 480, 670), "Just out with friends", 0.9)
    speck = _Row((900, 100, 950, 130), "ok", 0.9)  # came and went at other times
    readings = [
        _Reading(2.3, 4.0, [line2]),
        _Reading(2.36, 3.96, [line1, piece]),
        _Reading(7.0, 9.0, [speck]),
    ]
    cues = assemble(readings)
    assert [c.text for c in cues] == ["Nowhere special.\nJust out with friends", "ok"]
    assert cues[0].box == (100, 600, 500, 670)


def test_a_piece_of_a_subtitle_followed_on_its_own_and_shown_later_goes_but_the_next_subtitle_stays():
    whole = _Row((100, 600, 500, 630), "When we're fluency weapon", 0.9)
    piece = _Row((260, 602, 330, 630), "wea on", 0.8)  # its start, traced back by a few letters, is early
    following = _Row((110, 600, 490, 630), "Next line here", 0.9)  # the same place, after it
    readings = [_Reading(2.4, 4.3, [piece]), _Reading(2.72, 4.32, [whole]), _Reading(4.3, 6.0, [following])]
    assert [c.text for c in assemble(readings)] == ["When we're fluency weapon", "Next line here"]


def test_a_subtitle_split_by_a_flicker_is_merged_and_different_ones_are_not():
    cues = [Cue(1.0, 2.0, "Hello there"), Cue(2.1, 3.0, "Hello there!"), Cue(3.0, 4.0, "Goodbye")]
    merged = merge_repeats(cues, gap=0.3)
    assert [(c.start, c.end, c.text) for c in merged][0][:2] == (1.0, 3.0)
    assert [c.text for c in merged][1:] == ["Goodbye"]


def test_line_crops_split_an_ink_image_into_its_lines_with_margins():
    ink = np.full((100, 300), 255, np.uint8)
    ink[10:40, 20:280] = 0  # line 1
    ink[4:7, 50:54] = 0  # a dot close above it stays with it
    ink[60:90, 40:200] = 0  # line 2
    crops, spans = line_crops(ink)
    assert spans == [(20, 4, 280, 40), (40, 60, 200, 90)]
    assert all(c.ndim == 3 and c.shape[0] > (s[3] - s[1]) for c, s in zip(crops, spans))


def test_a_speck_joining_two_lines_does_not_make_them_one_and_a_speck_beside_a_line_is_left_out():
    ink = np.full((120, 400), 255, np.uint8)
    ink[10:40, 100:300] = 0  # line 1
    ink[40:50, 100:110] = 0  # its descenders: part of it, never a line of their own
    ink[62:92, 120:280] = 0  # line 2
    ink[30:75, 200:204] = 0  # a speck of the picture reaching from line 1 into line 2
    ink[70:85, 5:20] = 0  # another, far left of line 2
    crops, spans = line_crops(ink)
    assert len(crops) == 2
    (l1, t1, r1, b1), (l2, t2, r2, b2) = spans
    assert (l1, t1, r1) == (100, 10, 300) and 50 <= b1 <= 62  # descenders kept
    assert (l2, r2, b2) == (120, 280, 92) and 50 <= t2 <= 62


def test_pieces_of_one_row_are_joined_and_other_rows_are_not():
    from textlens.apps.subtitle_ink import join_rows

    pieces = [(10, 10, 50, 30), (55, 12, 90, 31), (80, 11, 120, 30)]  # a row cut in three
    far = (400, 10, 460, 30)  # another text on the same row, far away
    taller = (130, 0, 170, 60)  # a taller thing beside it
    below = (10, 100, 50, 120)
    assert join_rows([*pieces, far, taller, below]) == [(130, 0, 170, 60), (10, 10, 120, 31), (400, 10, 460, 30), below]
    many = [(x, 10, x + 8, 30) for x in range(0, 4000, 10)]  # a textured picture: hundreds of boxes
    assert join_rows(many) == [(0, 10, 3998, 30)]


def test_a_speck_followed_inside_a_new_row_does_not_hide_the_row():
    from textlens.apps.subtitles import SubtitleReader, _Track

    def track(box):
        return _Track(box, np.array([0]), np.array([1]), 1.0, 20.0, None, 0.0)

    row = (24, 130, 1221, 217)  # the first line of a boxed two-line subtitle
    assert not SubtitleReader._follows(track((169, 178, 244, 233)), row)  # a speck of the picture in it
    assert SubtitleReader._follows(track((20, 128, 1100, 219)), row)  # the same row, followed already
    # a block of the busy picture above the subtitle, followed as one tall track, covers the row
    # too: it must not hide the subtitle's first line
    assert not SubtitleReader._follows(track((0, 0, 1280, 220)), row)


def test_rows_as_tall_as_a_shop_sign_are_the_pictures_text_not_a_subtitle():
    from types import SimpleNamespace

    from textlens.apps.subtitles import SubtitleReader, _Frame
    from textlens.detection.predictor import DetectedRegion

    def region(x0, y0, x1, y1):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 0.9)

    sign, line = region(100, 20, 1100, 160), region(400, 200, 880, 240)  # 140 px and 40 px tall
    detector = SimpleNamespace(predict=lambda rgb: [sign, line])
    reader = SubtitleReader(SimpleNamespace(detector=detector))
    reader.band, reader.frame_height = (0, 396, 1280, 720), 720
    frame = np.zeros((720, 1280, 3), np.uint8)
    rows = reader._detect(_Frame(0.0, frame[396:, :, 0], frame))
    assert len(rows) == 1 and rows[0][1] < 200 < 240 < rows[0][3]  # the subtitle line only (grown a little)


def test_a_speck_read_before_a_subtitle_line_is_dropped():
    from textlens.apps.subtitles import _without_speck

    assert _without_speck("• Tandy dazzling aircraft!") == "Tandy dazzling aircraft!"
    assert _without_speck(": Oh, dep quarter waxed...") == "Oh, dep quarter waxed..."
    for kept in ("- Yes, it is.", "... and then", "Fine.", "♪ la la ♪", '"Hello"'):
        assert _without_speck(kept) == kept


def test_a_row_read_in_several_tracks_is_read_as_the_readings_agree_not_as_the_surest_says():
    agreed = "Come on, office pretty woodwork"
    readings = [
        _Reading(22.92, 25.76, [_Row((356, 564, 922, 602), agreed, 0.90)]),
        _Reading(23.0, 25.76, [_Row((356, 569, 922, 611), agreed, 0.85)]),
        _Reading(24.2, 25.76, [_Row((356, 562, 922, 595), "Come on office rett woodwork", 0.99)]),  # letters lost
        _Reading(23.6, 25.76, [_Row((435, 569, 866, 602), "e on, office pretty woodw", 0.99)]),  # a piece
    ]
    cues = assemble(readings)
    assert [(c.start, c.text) for c in cues] == [(22.92, agreed)]


def test_a_piece_read_surely_twice_does_not_outvote_the_whole_row():
    whole = _Row((338, 601, 912, 659), "Lds 2 pacquiao you'll you're!", 0.6)
    readings = [
        _Reading(13.76, 16.40, [_Row((504, 612, 649, 634), "ac ulao", 0.99)]),
        _Reading(13.80, 16.44, [_Row((504, 612, 649, 634), "ac ulao", 0.99)]),
        _Reading(13.88, 16.40, [whole]),
    ]
    assert [c.text for c in assemble(readings)] == [whole.text]


def test_lines_that_go_together_are_one_subtitle_though_found_at_different_looks():
    top = _Row((247, 543, 1028, 576), "Talent add! Closed medial material", 0.99)
    bottom = _Row((559, 601, 714, 644), "willing?", 0.99)  # found a look later
    elsewhere = _Row((900, 100, 960, 130), "EXIT", 0.99)  # the picture's text, gone at the same time
    readings = [_Reading(24.6, 28.12, [top]), _Reading(25.0, 28.12, [bottom]), _Reading(25.4, 28.1, [elsewhere])]
    cues = assemble(readings)
    assert [(c.start, c.text) for c in cues] == [(24.6, f"{top.text}\n{bottom.text}"), (25.4, "EXIT")]


def test_a_subtitle_line_inside_the_box_of_the_pictures_large_text_is_kept():
    sign = _Row((84, 546, 1219, 650), "LION YARD SHOP", 0.97)  # a row four times a subtitle line's height
    line = _Row((402, 570, 876, 601), "Trajectory quickly automobile", 0.98)
    cues = assemble([_Reading(0.6, 2.72, [sign]), _Reading(1.0, 2.68, [line])])
    assert any(line.text in c.text for c in cues)


def test_text_the_picture_carries_along_a_diagonal_has_moved_and_still_text_has_not():
    rng = np.random.default_rng(0)
    luma = np.full((90, 300), 60, np.uint8) + rng.integers(0, 20, (90, 300), dtype=np.uint8)
    for x in range(40, 270, 40):  # large round letters, light with a dark outline (a shop sign's)
        cv2.circle(luma, (x, 45), 16, 10, -1)
        cv2.circle(luma, (x, 45), 12, 235, -1)
    glyphs, ring, polarity = glyph_mask(luma, [(10, 10, 290, 80)])
    track = _Track((10, 10, 290, 80), glyphs, ring, polarity, 0.0, None, 0.0)
    assert not track.moved(luma)
    zoomed = np.roll(luma, (2, 2), axis=(0, 1))  # a slow zoom: 2 px down and to the right
    assert track.moved(zoomed)
