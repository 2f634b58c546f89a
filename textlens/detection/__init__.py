"""Text detection: a DBNet-style network, its training targets, post-processing and predictor.

* ``model`` -- the PyTorch network and ``DetectorConfig`` (training/export only);
* ``targets`` -- shrunk-kernel and threshold maps for training;
* ``preprocess`` / ``postprocess`` -- page -> network input, probability map -> polygons;
* ``predictor`` -- ``Detector``: torch-free inference on ONNX Runtime;
* ``export`` -- checkpoint -> self-describing ONNX file.

Only the torch-free parts are imported here.
"""

from textlens.detection.predictor import DetectedRegion, Detector

__all__ = ["DetectedRegion", "Detector"]
