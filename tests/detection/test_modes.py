"""Which detector reads an image: documents with the document detector, photos with the scene one."""

from __future__ import annotations

import numpy as np
import pytest

from textlens.detection.modes import ModeDetector, PhotoTest, background_stats
from textlens.errors import TextlensError
from textlens.pipeline import PipelineConfig
from textlens.synth.pages import render_page


class Counting:
    """A detector double: returns ``n`` regions and counts its calls."""

    def __init__(self, n: int, name: str) -> None:
        self.n, self.calls = n, 0
        self.info = name

    def predict(self, image):
        self.calls += 1
        return [f"{self.info}-{i}" for i in range(self.n)]


def _photo(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sky = np.linspace([90, 140, 220], [200, 120, 60], 240).astype(np.uint8)[:, None, :].repeat(320, axis=1)
    return np.clip(sky.astype(int) + rng.integers(-40, 40, sky.shape), 0, 255).astype(np.uint8)


def test_a_page_has_a_paper_background_and_a_photo_does_not():
    page = render_page(np.random.default_rng(1), style="document", degrade=0.0).image
    paper, saturation = background_stats(page)
    assert paper > 0.7 and saturation < 15
    assert not PhotoTest().is_photo(page, document_regions=3)
    assert PhotoTest().is_photo(_photo(), document_regions=3)
    assert not PhotoTest().is_photo(_photo(), document_regions=25)  # many lines: a page after all
    assert PhotoTest().is_photo(page, document_regions=0)  # no line at all: a grey sign on a plain wall


def test_auto_reads_a_photo_with_the_scene_detector_and_a_page_with_the_document_one():
    document, scene = Counting(2, "doc"), Counting(5, "scene")
    detector = ModeDetector(document, scene, "auto")
    assert detector.predict(_photo()) == [f"scene-{i}" for i in range(5)]
    page = render_page(np.random.default_rng(1), style="document", degrade=0.0).image
    assert detector.predict(page) == ["doc-0", "doc-1"]
    assert (document.calls, scene.calls) == (2, 1)
    assert detector.infos == ["doc", "scene"]


@pytest.mark.parametrize(("mode", "expected"), [("document", "doc-0"), ("scene", "scene-0")])
def test_a_fixed_mode_uses_only_its_detector(mode, expected):
    document, scene = Counting(1, "doc"), Counting(1, "scene")
    detector = ModeDetector(document, scene, mode)
    assert detector.predict(_photo()) == [expected]
    assert document.calls + scene.calls == 1 and detector.infos == [expected.split("-")[0]]


def test_an_unknown_mode_is_refused():
    with pytest.raises(TextlensError, match="mode must be one of"):
        PipelineConfig(mode="photos")


def test_scene_mode_without_a_scene_detector_is_one_clear_error(monkeypatch):
    import textlens.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "has_scene_detector", lambda: False)
    with pytest.raises(TextlensError, match="needs the scene detector"):
        pipeline_module.Pipeline.from_config(PipelineConfig(mode="scene"))
    assert pipeline_module.Pipeline.from_config(PipelineConfig(mode="auto")).detector.info.name == "doc-dbnet-int8"


def test_auto_loads_the_scene_detector_on_the_first_photo_only():
    loads = []

    def load():
        loads.append(1)
        return Counting(3, "scene")

    detector = ModeDetector(Counting(2, "doc"), load, "auto")
    page = render_page(np.random.default_rng(1), style="document", degrade=0.0).image
    assert detector.predict(page) == ["doc-0", "doc-1"] and loads == [] and detector.infos == ["doc"]
    assert len(detector.predict(_photo())) == 3 and len(detector.predict(_photo(1))) == 3
    assert loads == [1] and detector.infos == ["doc", "scene"]


def test_only_the_lines_the_document_detector_is_sure_of_count_against_a_photo():
    """A street photo gives the document detector a few lines and dozens of weak regions (clutter
    the pipeline keeps only when read confidently): it is still a photo."""
    from textlens.detection.predictor import DetectedRegion

    box = [(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0)]

    class Cluttered:
        info = "doc"

        def predict(self, image):
            return [DetectedRegion(box, 0.9)] * 3 + [DetectedRegion(box, 0.4, weak=True)] * 40

    detector = ModeDetector(Cluttered(), Counting(5, "scene"), "auto")
    assert detector.predict(_photo()) == [f"scene-{i}" for i in range(5)]
