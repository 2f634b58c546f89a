"""The read pipeline: pages -> detection -> orientation -> line crops -> recognition -> layout.

``read(source)`` returns a ``Document``; ``read_pages(source)`` streams its pages (long PDFs
never sit in memory whole). ``Pipeline`` holds the stage objects, each swappable:

* ``detector``: ``.predict(rgb) -> [region with .polygon (line, image coordinates), .score]``
* ``recognizer``: ``.predict([crop, ...]) -> [LineResult(text, confidence, words=[WordSpan])]``
* ``orientation``: an ``OrientationFinder`` (None: pages are taken as upright)
* ``layout``: a ``LayoutAnalyzer`` (line boxes -> blocks in reading order)

Every page's lines are recognized in one call, so the recognizer can sort them by width and
batch them. Geometry follows ``textlens.document``: polygons in original-image pixels.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from textlens.detection.modes import MODES, ModeDetector
from textlens.document import (
    Block,
    Cell,
    Document,
    Line,
    ModelInfo,
    Page,
    Polygon,
    Provenance,
    bbox_polygon,
    scale_page,
)
from textlens.errors import TextlensError
from textlens.layout.crops import LineCrop, crop_line, polygon_to_quad
from textlens.layout.grouping import words_from_result
from textlens.layout.language import guess_language
from textlens.layout.orientation import Orientation, OrientationFinder, PageFrame, skew_angle
from textlens.layout.reading_order import LayoutAnalyzer
from textlens.models.registry import registered_models, script_recognizer
from textlens.recognition.scripts import LANGUAGE_SCRIPTS, SCRIPT_NAMES, ScriptRouter, parse_languages
from textlens.runtime.lazy import OnFirstUse

__all__ = ["PageTask", "Pipeline", "PipelineConfig", "ReadResult", "assemble_results", "read", "read_pages"]

# A page at most this tall where the detector finds no text is read whole, as one line (word and
# letter crops), and kept when read with at least this confidence (noise reads far lower).
SMALL_PAGE_HEIGHT = 64
SMALL_PAGE_MIN_CONFIDENCE = 0.3
# An image this small on both sides where nothing was read is tried as one word or line.
WORD_IMAGE_SIDE = 512
# PipelineConfig fields fixed when the models load (``Pipeline.with_options`` keeps them).
_MODEL_OPTIONS = (
    "detector",
    "mode",
    "recognizer",
    "lang",
    "lm",
    "lexicon",
    "words",
    "threads",
    "jobs",
    "weak_box_thresh",
)


@dataclass(frozen=True)
class PipelineConfig:
    """How to read: which models, at what resolution, with which page analysis.

    ``detector``/``recognizer``: a registered model name or an ``.onnx`` path (None: the
    default); ``mode``: "document" (the document detector), "scene" (the scene detector, for photos
    of signs, shop fronts and products) or "auto" (the document detector, and the scene detector
    when the image turns out to be a photo; see ``textlens.detection.modes``); it applies when
    ``detector`` is not given; ``lm``: the character language model that guides the re-read of unsure lines (a
    name or ``.npz`` path; "auto": the recognizer's registered one; None: none); ``lexicon``: a
    text file of words (one per line): every word read that holds a letter becomes the lexicon
    word most probable given the recognizer's frames (None: open reading); ``words``: a word list
    (name or text file) that readings snap to where the frames find a near word about as probable
    ("auto": the recognizer's registered one: ``latin-words`` for the Latin recognizers,
    ``english-words`` for the scene one; None: none);
    ``dpi``: PDF rendering resolution; ``threads``: ONNX Runtime threads per model
    (None: its default); ``orientation``: find 90/180/270-degree pages (photos are taken as the camera
    held them; costs a few extra line
    recognitions per page); ``deskew``: measure skew and level lines before ordering them;
    ``orientation_samples``: lines recognized both ways up to tell 0 from 180 degrees;
    ``min_confidence``: drop lines read with less confidence (0 keeps every non-empty line; at 0.4,
    chosen on training sets, a logo, a stamp or a photo's clutter read as junk goes: BoW F1 on
    sroie-train's first 80 receipts 91.86 -> 92.07 (CER 4.39 -> 4.19%), 40 funsd-train forms
    81.63 -> 82.12, the icdar2015 photos the scene models trained on 37.6 -> 38.5);
    ``crop_pad``: grow each line box by this fraction of its height before recognizing it (the
    detector's boxes hug the ink more tightly than the annotated boxes the recognizer learnt
    from; a little margin keeps commas, periods and descenders in the crop); ``crop_pad_end``: grow
    the end of each line further by this fraction of its height (line-final commas and full stops
    often fall outside the detector's box: sroie-test CER 7.2 -> 6.8% case-sensitive at 0.225);
    ``weak_box_thresh``: also take regions the detector scores between this and its own box
    threshold (faint or tiny text, such as an isolated quantity "1") and keep them only when the
    recognizer reads them with at least ``weak_min_confidence`` (None: only confident regions);
    ``scene_min_confidence``: words the scene detector finds in a photo are kept when read with at
    least this confidence (a street's texture reads as junk words); ``scene_crop_pad_end``:
    ``crop_pad_end`` for those words (a word on a sign has no full stop after it, but often the
    next word or the sign's edge, which the longer end read as a letter: "TAXIS", "SHAT"; on the
    photos the scene models trained on, BoW F1 at 0.225 / 0.075 / 0: 30.9 / 31.3 / 31.0; held out: 35.9 -> 36.2);
    ``jobs``: pages read at once, each in its own thread, sharing the ``threads`` budget (pages of
    one input and of the next overlap; results keep their order). One page uses a core poorly
    (Python stages, small recognizer batches), so several inputs read faster with ``jobs`` =
    ``threads`` and one thread per model. ``lang``: "auto" (Latin, and each installed script
    recognizer re-reads the lines Latin is unsure of) or language codes such as "el,de" (a language
    of another script group makes its recognizer read every line); it applies when ``recognizer``
    is not given (see ``textlens.recognition.scripts``).
    """

    detector: str | None = None
    mode: str = "auto"
    recognizer: str | None = None
    lang: str = "auto"
    lm: str | None = "auto"
    lexicon: str | None = None
    words: str | None = "auto"
    dpi: float = 200
    threads: int | None = None
    orientation: bool = True
    deskew: bool = True
    orientation_samples: int = 4
    min_confidence: float = 0.4
    crop_pad: float = 0.075
    crop_pad_end: float = 0.225
    weak_box_thresh: float | None = 0.3
    weak_min_confidence: float = 0.9
    scene_min_confidence: float = 0.4
    scene_crop_pad_end: float = 0.075
    jobs: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.dpi, (int, float)) or not 36 <= self.dpi <= 1200:
            raise TextlensError(f"dpi must be between 36 and 1200, got {self.dpi!r}")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise TextlensError(f"threads must be a positive integer, got {self.threads!r}")
        if not isinstance(self.jobs, int) or self.jobs < 1:
            raise TextlensError(f"jobs must be a positive integer, got {self.jobs!r}")
        if not isinstance(self.orientation_samples, int) or self.orientation_samples < 1:
            raise TextlensError(f"orientation_samples must be >= 1, got {self.orientation_samples!r}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise TextlensError(f"min_confidence must lie in [0, 1], got {self.min_confidence!r}")
        if not 0.0 <= self.crop_pad <= 1.0:
            raise TextlensError(f"crop_pad must lie in [0, 1], got {self.crop_pad!r}")
        if not isinstance(self.lang, str):
            raise TextlensError(f"lang must be 'auto' or language codes such as 'el,de', got {self.lang!r}")
        parse_languages(self.lang)
        if self.mode not in MODES:
            raise TextlensError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name in ("crop_pad_end", "scene_crop_pad_end"):
            if not 0.0 <= getattr(self, name) <= 2.0:
                raise TextlensError(f"{name} must lie in [0, 2], got {getattr(self, name)!r}")
        if self.weak_box_thresh is not None and not 0.0 <= self.weak_box_thresh < 1.0:
            raise TextlensError(f"weak_box_thresh must lie in [0, 1) or be None, got {self.weak_box_thresh!r}")
        if not 0.0 <= self.weak_min_confidence <= 1.0:
            raise TextlensError(f"weak_min_confidence must lie in [0, 1], got {self.weak_min_confidence!r}")
        if not 0.0 <= self.scene_min_confidence <= 1.0:
            raise TextlensError(f"scene_min_confidence must lie in [0, 1], got {self.scene_min_confidence!r}")
        for name in ("detector", "recognizer", "lm", "lexicon", "words"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise TextlensError(f"{name} must be a model name or a file path, got {value!r}")

    def replace(self, **changes: Any) -> PipelineConfig:
        """A copy with some fields changed; unknown names are an error, never ignored."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            known = ", ".join(f.name for f in dataclasses.fields(self))
            raise TextlensError(f"unknown read option(s) {', '.join(unknown)}; known: {known}")
        return dataclasses.replace(self, **changes)

    def model_threads(self) -> int | None:
        """ONNX Runtime threads of each model: the ``threads`` budget shared by the ``jobs``."""
        if self.jobs == 1:
            return self.threads
        from textlens.runtime.session import default_threads

        return max(1, (self.threads or default_threads()) // self.jobs)

    def to_dict(self) -> dict[str, Any]:
        return {k: (os.fspath(v) if isinstance(v, os.PathLike) else v) for k, v in dataclasses.asdict(self).items()}


@dataclass
class ReadResult:
    """One input of ``Pipeline.read_many``: its ``document``, or the ``error`` that stopped it."""

    source: Any
    document: Document | None = None
    error: Exception | None = None
    page_images: list[np.ndarray] | None = None  # with keep_images
    number: int = 0  # position among the inputs


@dataclass
class PageTask:
    """One step of reading inputs: a page to read (``payload`` a PageImage), or the end of an
    input (None, or the exception that stopped its loading); ``load_seconds``: time spent loading it."""

    number: int
    source: Any
    payload: Any
    load_seconds: float

    @property
    def is_page(self) -> bool:
        return self.payload is not None and not isinstance(self.payload, Exception)


class DetectorStage(Protocol):
    def predict(self, image: np.ndarray) -> list[Any]: ...


class RecognizerStage(Protocol):
    def predict(self, crops: list[np.ndarray]) -> list[Any]: ...


class Pipeline:
    """Composes the stages; build it with ``Pipeline.from_config`` or from your own stages."""

    def __init__(
        self,
        detector: DetectorStage,
        recognizer: RecognizerStage,
        config: PipelineConfig | None = None,
        *,
        orientation: OrientationFinder | None = None,
        layout: LayoutAnalyzer | None = None,
        scene_recognizer: Any = None,
    ) -> None:
        self.config = config or PipelineConfig()
        self.detector = detector
        self.recognizer = recognizer
        # reads the words the scene detector finds in photos (None: ``recognizer`` does); may be a
        # callable that loads it, on the first photo, so documents never pay for it
        self._scene_recognizer = None if scene_recognizer is None else OnFirstUse(scene_recognizer)
        if orientation is None and self.config.orientation:
            orientation = OrientationFinder(
                samples=self.config.orientation_samples,
                crop_pad=self.config.crop_pad,
                crop_pad_end=self.config.crop_pad_end,
            )
        self.orientation = orientation if self.config.orientation else None
        self.layout = layout or LayoutAnalyzer()

    @classmethod
    def from_config(cls, config: PipelineConfig | None = None) -> Pipeline:
        """Load the configured ONNX models (registered names, paths, or the defaults)."""

        config = config or PipelineConfig()
        threads = config.model_threads()
        detector: Any = _load_detector(config.detector, config, threads)
        if config.detector is None and config.mode == "scene" and not has_scene_detector():
            raise TextlensError(
                f"--mode scene needs the scene detector {SCENE_DETECTOR!r}, which is not installed; "
                "pass --det-model PATH (a detector trained with `textlens train detector`)"
            )
        if config.detector is None and config.mode != "document" and has_scene_detector():
            scene = functools.partial(_load_detector, SCENE_DETECTOR, config, threads)  # loaded on the first photo
            detector = ModeDetector(detector, scene() if config.mode == "scene" else scene, config.mode)
        scene_reader = None
        latin = not any(code in LANGUAGE_SCRIPTS for code in parse_languages(config.lang))  # auto, en, de...
        if config.recognizer is None and latin and config.mode != "document" and has_scene_recognizer():
            scene_reader = functools.partial(_load_scene_recognizer, config, threads)
        return cls(detector, _load_recognizer(config, threads), config, scene_recognizer=scene_reader)

    def with_options(self, **changes: Any) -> Pipeline:
        """A pipeline that reads with other options (dpi, orientation, deskew, min_confidence, ...)
        and shares this one's loaded models; options that pick or load models cannot change here."""
        config = self.config.replace(**changes)
        fixed = [name for name in _MODEL_OPTIONS if getattr(config, name) != getattr(self.config, name)]
        if fixed:
            raise TextlensError(f"{', '.join(fixed)}: load a new Pipeline to change models or threads")
        pipeline = Pipeline(self.detector, self.recognizer, config, layout=self.layout)
        pipeline._scene_recognizer = self._scene_recognizer  # shared: loaded once for both
        return pipeline

    @property
    def models(self) -> list[ModelInfo]:
        infos = getattr(self.detector, "infos", None) or [getattr(self.detector, "info", None)]
        infos = [*infos, getattr(self.recognizer, "info", None)]
        infos.append(getattr(self.recognizer, "lm_info", None))
        infos.extend(getattr(self.recognizer, "script_infos", ()))  # --lang auto's script models
        infos.append(getattr(self.recognizer, "words_info", None))
        if self._scene_recognizer is not None and self._scene_recognizer.loaded:  # it has read a photo
            scene = self._scene_recognizer.get()
            infos.extend([getattr(scene, "info", None), getattr(scene, "words_info", None)])
        return [info for info in infos if isinstance(info, ModelInfo)]

    @property
    def scene_recognizer(self) -> Any:
        """The recognizer of photos' words (loaded on first use), or the main one."""
        return self.recognizer if self._scene_recognizer is None else self._scene_recognizer.get()

    # --- documents ---------------------------------------------------------------------------

    def read(self, source: Any, *, page_images: list[np.ndarray] | None = None) -> Document:
        """Read every page of ``source`` (path, '-', bytes, array, PIL image, or PageImages).

        Pass a list as ``page_images`` to get each page's RGB image appended to it (for
        overlays and searchable PDFs) without loading the input twice.
        """
        result = next(self.read_many([source], keep_images=page_images is not None))
        if result.error is not None:
            raise result.error
        if page_images is not None:
            page_images.extend(result.page_images or [])
        assert result.document is not None
        return result.document

    def read_pages(self, source: Any) -> Iterator[Page]:
        """Pages of ``source`` one at a time, each read as soon as it is loaded."""
        for task, outcome in self._in_order(self._page_tasks([source])):
            if isinstance(task.payload, Exception):
                raise task.payload
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                yield outcome[0]

    def read_many(self, sources: Iterable[Any], *, keep_images: bool = False) -> Iterator[ReadResult]:
        """Read many inputs, ``config.jobs`` pages at a time; one ``ReadResult`` per input, in order.

        An input that cannot be loaded or read gives its error in its result and the others go on;
        ``keep_images`` keeps each page's RGB image (for overlays and searchable PDFs)."""
        return assemble_results(self._in_order(self._page_tasks(sources)), lambda: self.models, keep_images=keep_images)

    def _page_tasks(self, sources: Iterable[Any]) -> Iterator[PageTask]:
        """Each page of each input as it loads, then one last task per input: None when all its
        pages loaded, or the exception that stopped its loading."""
        for number, source in enumerate(sources):
            pages = None
            try:
                started = time.perf_counter()
                pages = iter(_page_images(source, self.config.dpi))
                for image in pages:
                    yield PageTask(number, source, image, time.perf_counter() - started)
                    started = time.perf_counter()
                yield PageTask(number, source, None, time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001  (reported in the input's result)
                yield PageTask(number, source, exc, 0.0)
            finally:
                if hasattr(pages, "close"):
                    pages.close()  # type: ignore[union-attr]

    def _in_order(self, tasks: Iterator[PageTask]) -> Iterator[tuple[PageTask, Any]]:
        """Each task with its outcome, in order: (Page, timings, models) or the exception of a page task,
        None for the others. ``config.jobs`` pages are read at once; the next page loads meanwhile."""
        jobs = self.config.jobs
        if jobs == 1:
            for task in tasks:
                yield task, self._read_task(task)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(jobs, thread_name_prefix="textlens-read") as pool:
            window: deque[tuple[PageTask, Any]] = deque()
            for task in tasks:
                window.append((task, pool.submit(self._read_task, task) if task.is_page else None))
                while sum(1 for _, future in window if future is not None) > jobs:
                    done, future = window.popleft()
                    yield done, future.result() if future is not None else None
            while window:
                done, future = window.popleft()
                yield done, future.result() if future is not None else None

    def _read_task(self, task: PageTask) -> Any:
        if not task.is_page:
            return None
        timings: dict[str, float] = {}
        try:
            page = self.read_page(task.payload, timings=timings)
            return page, timings, self.models
        except Exception as exc:  # noqa: BLE001  (handed to the caller in order)
            return exc

    def read_page(self, page_image: Any, *, timings: dict[str, float] | None = None) -> Page:
        """Read one ``PageImage`` (``.image``, ``.index``, ``.dpi``; ``.full_size`` when the image was
        decoded smaller than the file holds: the page is then given in the file's pixels)."""
        page = self.read_image(page_image.image, index=page_image.index, dpi=page_image.dpi, timings=timings)
        full_size = getattr(page_image, "full_size", None)
        return scale_page(page, *full_size) if full_size else page

    # --- one page ----------------------------------------------------------------------------

    def read_image(
        self, image: np.ndarray, *, index: int = 0, dpi: float | None = None, timings: dict[str, float] | None = None
    ) -> Page:
        """Read one RGB uint8 page image into a ``Page``; stage seconds are added to ``timings``."""
        timings = {} if timings is None else timings
        found, weak, scene = self._orient(image, timings)
        page = self._read_found(image, found, weak, scene, False, timings, index, dpi)
        if not page.lines and _word_sized(image):
            # A word or letter crop where the detectors found nothing (a 6 x 12 px scene letter gives
            # them too little to see) or only pieces the recognizer could not confirm ("IN", "MGM" of
            # IIIT5K): the whole image is the line, kept when the recognizer reads it
            page = self._read_found(image, _whole_image(image), [True], [False], True, timings, index, dpi)
        return page

    def _read_found(
        self,
        image: np.ndarray,
        found: Orientation,
        weak: list[bool],
        scene: list[bool],
        whole_page: bool,
        timings: dict[str, float],
        index: int,
        dpi: float | None,
    ) -> Page:
        """The page from its upright quads (``_orient``): crops read, lines laid out in blocks."""
        height, width = image.shape[:2]
        frame = PageFrame(width, height, found.turns)
        upright = frame.upright_image(image)

        with _timer(timings, "recognition"):
            # the whole page: nothing to add around it
            pad, end_pad = (0.0, 0.0) if whole_page else (self.config.crop_pad, self.config.crop_pad_end)
            scene_end = 0.0 if whole_page else self.config.scene_crop_pad_end
            crops = [crop_line(upright, q, pad, scene_end if scene[i] else end_pad) for i, q in enumerate(found.quads)]
            # lines the orientation check read are reused, unless a lexicon must constrain them
            known = {} if getattr(self.recognizer, "lexicon", None) is not None else found.known
            # the orientation check read with the main recognizer: a scene recognizer reads photos' words again
            own_scene_reader = self._scene_recognizer is not None
            todo = [i for i in range(len(crops)) if i not in known or (scene[i] and own_scene_reader)]
            results = dict(known)
            for part in (False, True):
                these = [i for i in todo if scene[i] == part]
                if these:
                    reader = self.scene_recognizer if part else self.recognizer  # loaded on the first photo
                    results.update(zip(these, reader.predict([crops[i].image for i in these])))

        with _timer(timings, "layout"):
            if self.config.deskew:
                frame = dataclasses.replace(frame, skew=skew_angle(found.quads))
            lines, level_boxes = [], []
            bar = SMALL_PAGE_MIN_CONFIDENCE if whole_page else self.config.weak_min_confidence
            for i, (quad, crop) in enumerate(zip(found.quads, crops)):
                if weak[i] and results[i].confidence < bar:
                    continue  # an unsure region the recognizer could not confirm
                if scene[i] and results[i].confidence < self.config.scene_min_confidence:
                    continue  # a photo's texture (leaves, bricks, railings) read as junk
                line = self._line(results[i], quad, crop, frame)
                if line is not None:
                    lines.append(line)
                    level = frame.to_level(quad)
                    level_boxes.append([*level.min(axis=0), *level.max(axis=0)])
            lines, level_boxes = _split_at_gutters(lines, level_boxes, self.layout, frame)
            texts = [line.text for line in lines]
            laid = _lay_out(self.layout, np.asarray(level_boxes).reshape(-1, 4), texts)
            blocks = [_block(block, lines, level_boxes, frame) for block in laid]
        return Page(
            width=width,
            height=height,
            blocks=blocks,
            index=index,
            orientation=frame.orientation,
            skew=round(frame.skew, 2),
            dpi=dpi,
            language=guess_language("\n".join(line.text for line in lines)),
        )

    def _orient(self, image: np.ndarray, timings: dict[str, float]) -> tuple[Orientation, list[bool], list[bool]]:
        """Page orientation and upright quads, with two flags per quad: the detector was unsure of
        it; it is a word of a photo (the scene detector's)."""
        weak_quads: set[bytes] = set()  # by content: the orientation finder hands back our arrays
        scene_quads: set[bytes] = set()

        def detect(rgb: np.ndarray) -> list[np.ndarray]:
            with _timer(timings, "detection"):
                regions = self.detector.predict(rgb)
            quads = [polygon_to_quad(region.polygon) for region in regions]
            weak_quads.update(q.tobytes() for q, region in zip(quads, regions) if getattr(region, "weak", False))
            scene_quads.update(q.tobytes() for q, region in zip(quads, regions) if getattr(region, "scene", False))
            return quads

        first = detect(image)
        if self.orientation is None or scene_quads:
            # a photo's words are taken as the camera held them (EXIF is applied on loading): read
            # turned, a street's clutter and a sign's letters often look surer upside down
            found = Orientation(0, first)
        else:
            start, detected_before = time.perf_counter(), timings.get("detection", 0.0)

            def detect_turned(rgb: np.ndarray) -> list[np.ndarray]:
                return first if rgb is image else detect(rgb)

            found = self.orientation.find(image, detect_turned, self._compare_read, self._compare_read_turned)
            spent = time.perf_counter() - start - (timings.get("detection", 0.0) - detected_before)
            timings["orientation"] = timings.get("orientation", 0.0) + spent
        flags = [(q.tobytes() in weak_quads, q.tobytes() in scene_quads) for q in found.quads]
        return found, [w for w, _ in flags], [s for _, s in flags]

    def _compare_read(self, crops: list[np.ndarray], recognizer: Any = None) -> list[Any]:
        """Orientation only compares confidences: our recognizer may skip its re-read of unsure lines."""
        recognizer = recognizer or self.recognizer
        if hasattr(recognizer, "retry_below"):
            return recognizer.predict(crops, retry=False)
        return recognizer.predict(crops)

    def _compare_read_turned(self, crops: list[np.ndarray]) -> list[Any]:
        """Turned-over crops are read for their confidence alone: by the main model, without asking
        the script models (--lang auto) about lines that are upside down."""
        return self._compare_read(crops, getattr(self.recognizer, "primary", self.recognizer))

    def _line(self, result: Any, quad: np.ndarray, crop: LineCrop, frame: PageFrame) -> Line | None:
        # a lexicon's reading is sure only as far as the words fit: it says nothing of whether there is text
        floor = 0.0 if getattr(self.recognizer, "lexicon", None) is not None else self.config.min_confidence
        if not result.text.strip() or result.confidence < floor:
            return None
        words = words_from_result(result, crop, lambda poly: _clip(frame.to_original(poly), frame))
        if not words:
            return None
        return Line(words, _clip(frame.to_original(quad), frame))


def assemble_results(
    pairs: Iterable[tuple[PageTask, Any]],
    models: list[ModelInfo] | Callable[[], list[ModelInfo]],
    *,
    keep_images: bool = False,
) -> Iterator[ReadResult]:
    """Page tasks with their outcomes, in order -> one ``ReadResult`` per input.

    An outcome is (Page, timings, the models that read it), the exception that stopped the page, or
    None for an input's closing task. ``models`` go into each document's provenance, asked for when
    its first page is in (a callable then names the models loaded on demand too: the scene detector
    and recognizer of a photo), and each page's own models are added."""
    current: ReadResult | None = None
    for task, outcome in pairs:
        if current is None or current.number != task.number:
            current = ReadResult(task.source, number=task.number, page_images=[] if keep_images else None)
            used = models() if callable(models) else models
            current.document = Document(source=_source_name(task.source), provenance=Provenance(models=list(used)))
        document = current.document
        assert document is not None
        document.provenance.add_time("load", task.load_seconds)
        if task.payload is None or isinstance(task.payload, Exception):  # the input's last task
            current.error = current.error or task.payload
            if current.error is not None:
                current.document = None
            yield current
            continue
        if isinstance(outcome, Exception):
            current.error = current.error or outcome
        elif outcome is not None and current.error is None:
            page, timings, page_models = outcome
            document.pages.append(page)
            # the models that read this page (a photo's scene models load on the first photo a worker reads)
            document.provenance.models += [info for info in page_models if info not in document.provenance.models]
            document.source = document.source or task.payload.source
            for stage, seconds in timings.items():
                document.provenance.add_time(stage, seconds)
            if current.page_images is not None:
                current.page_images.append(task.payload.image)


# --- module-level API ------------------------------------------------------------------------


def read(source: Any, config: PipelineConfig | None = None, *, threads: int | None = None, **options: Any) -> Document:
    """Read an image or PDF into a ``Document``.

    ``source``: a path, '-' (stdin), bytes, a NumPy RGB array or a PIL image; ``threads``
    and ``options`` override fields of ``config`` (e.g. ``read("scan.pdf", dpi=300)``).
    Models are loaded once and reused by later calls with the same settings.
    """
    return _pipeline(_config(config, threads, options)).read(source)


def read_pages(
    source: Any, config: PipelineConfig | None = None, *, threads: int | None = None, **options: Any
) -> Iterator[Page]:
    """Like ``read`` but yields each ``Page`` as soon as it is read (long PDFs)."""
    return _pipeline(_config(config, threads, options)).read_pages(source)


def _config(config: PipelineConfig | None, threads: int | None, options: dict[str, Any]) -> PipelineConfig:
    config = config or PipelineConfig()
    if threads is not None:
        options = {**options, "threads": threads}
    return config.replace(**options) if options else config


@lru_cache(maxsize=2)
def _pipeline(config: PipelineConfig) -> Pipeline:
    return Pipeline.from_config(config)


# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def _timer(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


class _ArrayPage:
    """A bare page for callers that hand over arrays directly."""

    def __init__(self, image: np.ndarray, index: int) -> None:
        self.image, self.index, self.dpi, self.source = image, index, None, "<array>"


def _page_images(source: Any, dpi: float) -> Iterable[Any]:
    """PageImage-like objects (``.image``, ``.index``, ``.dpi``, ``.source``) from any source."""
    if isinstance(source, (list, tuple)) or (isinstance(source, Iterator) and not hasattr(source, "read")):
        return (p if hasattr(p, "image") else _ArrayPage(_rgb(p), i) for i, p in enumerate(source))
    from textlens.io.loading import iter_pages

    return iter_pages(source, dpi=dpi)


def _word_sized(image: np.ndarray) -> bool:
    """Small enough to be a crop of one word or line (a strip, or a label at most WORD_IMAGE_SIDE px)."""
    return image.shape[0] <= SMALL_PAGE_HEIGHT or max(image.shape[:2]) <= WORD_IMAGE_SIDE


def _whole_image(image: np.ndarray) -> Orientation:
    """The whole (upright) image as the one line quad."""
    height, width = image.shape[:2]
    whole = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    return Orientation(0, [whole])


def _rgb(image: Any) -> np.ndarray:
    from textlens.io.loading import iter_pages

    return next(iter(iter_pages(image))).image


def _source_name(source: Any) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return "<stdin>" if os.fspath(source) == "-" else os.fspath(source)
    return None


def _lay_out(layout: Any, boxes: np.ndarray, texts: list[str]) -> list[Any]:
    """Blocks with kinds from a LayoutAnalyzer; a layout stage of your own may only ``arrange``."""
    if hasattr(layout, "layout"):
        return layout.layout(boxes, texts)
    from textlens.layout.blocks import LaidBlock

    return [LaidBlock(members) for members in layout.arrange(boxes)]


def _block(laid: Any, lines: list[Line], level_boxes: list[list[float]], frame: PageFrame) -> Block:
    """A document Block from a laid-out one: its lines, outline, kind and table cells."""
    box = np.asarray([level_boxes[i] for i in laid.members])
    outline = bbox_polygon(box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max())
    position = {member: k for k, member in enumerate(laid.members)}
    cells = [Cell(c.row, c.column, [position[i] for i in c.members], column_span=c.column_span) for c in laid.cells]
    block_lines = [lines[i] for i in laid.members]
    return Block(block_lines, _clip(frame.level_to_original(outline), frame), kind=laid.kind, cells=cells)


def _split_at_gutters(
    lines: list[Line], boxes: list[list[float]], layout: Any, frame: PageFrame
) -> tuple[list[Line], list[list[float]]]:
    """Lines the detector ran across a column gutter, cut in two at the gutter (by their words),
    so each column reads on its own; ``boxes`` are the lines' level-frame boxes."""
    find = getattr(layout, "gutters", None)
    cuts: dict[int, list[float]] = {}
    for gutter in find(np.asarray(boxes).reshape(-1, 4)) if find is not None else []:
        for i in gutter.crossing:
            cuts.setdefault(i, []).append(gutter.x)
    if not cuts:
        return lines, boxes
    out_lines, out_boxes = [], []
    for i, (line, box) in enumerate(zip(lines, boxes)):
        parts: dict[int, list[Any]] = {}
        for word in line.words:
            level = frame.to_level(frame.to_upright(word.polygon))
            side = int(np.searchsorted(sorted(cuts.get(i, [])), level[:, 0].mean()))
            parts.setdefault(side, []).append((word, level))
        for side in sorted(parts):
            words = [word for word, _ in parts[side]]
            points = np.concatenate([level for _, level in parts[side]])
            part_box = [points[:, 0].min(), box[1], points[:, 0].max(), box[3]] if len(parts) > 1 else box
            out_lines.append(Line(words) if len(parts) > 1 else line)
            out_boxes.append(part_box)
    return out_lines, out_boxes


def _clip(polygon: Polygon, frame: PageFrame) -> Polygon:
    return [(round(min(max(x, 0.0), frame.width), 2), round(min(max(y, 0.0), frame.height), 2)) for x, y in polygon]


SCENE_DETECTOR = "scene-dbnet"  # the registered scene detector that modes auto and scene use
SCENE_RECOGNIZER = "scene-crnn"  # the registered recognizer of the words the scene detector finds


def has_scene_detector() -> bool:
    return any(e.name == SCENE_DETECTOR for e in registered_models())


def has_scene_recognizer() -> bool:
    return any(e.name == SCENE_RECOGNIZER for e in registered_models())


def _load_scene_recognizer(config: PipelineConfig, threads: int | None):
    from textlens.recognition.predictor import Recognizer

    return Recognizer.load(SCENE_RECOGNIZER, threads=threads, lm=config.lm, lexicon=config.lexicon, words=config.words)


def _load_recognizer(config: PipelineConfig, threads: int | None):
    """The recognizer stage: the one asked for, else the one ``config.lang`` calls for."""
    from textlens.recognition.predictor import Recognizer

    if config.recognizer is not None:
        return Recognizer.load(
            config.recognizer, threads=threads, lm=config.lm, lexicon=config.lexicon, words=config.words
        )
    codes = parse_languages(config.lang)
    wanted = sorted({LANGUAGE_SCRIPTS[code] for code in codes if code in LANGUAGE_SCRIPTS})
    if len(wanted) > 1:
        raise TextlensError(f"--lang: one script group besides Latin at a time (got {', '.join(wanted)})")
    if wanted:
        name = script_recognizer(wanted[0])
        if name is None:
            raise TextlensError(f"--lang {config.lang}: no {wanted[0]} recognizer is installed")
        return Recognizer.load(name, threads=threads, lexicon=config.lexicon)
    latin = Recognizer.load(None, threads=threads, lm=config.lm, lexicon=config.lexicon, words=config.words)
    if codes != ("auto",):
        return latin
    names = {script: name for script in SCRIPT_NAMES if (name := script_recognizer(script)) is not None}
    if not names:
        return latin
    alternates = {script: functools.partial(Recognizer.load, name, threads=threads) for script, name in names.items()}
    # provenance from the registry's own record (each loaded model hashes its file as it loads)
    entries = {e.name: e for e in registered_models()}
    infos = [ModelInfo(name, "recognizer", entries[name].sha256) for name in names.values()]
    return ScriptRouter(latin, alternates, script_infos=infos)


def _load_detector(model: str | None, config: PipelineConfig, threads: int | None) -> Any:
    from textlens.detection.predictor import Detector

    detector = Detector.load(model, threads=threads)
    detector.split_initials = model != SCENE_DETECTOR  # a photo's large first letter is part of its word
    if config.weak_box_thresh is not None:
        weak = min(config.weak_box_thresh, detector.postprocess.box_thresh)
        detector.postprocess = dataclasses.replace(detector.postprocess, weak_box_thresh=weak)
    return detector
