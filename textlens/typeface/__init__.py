"""Font identification: which font family a line of text is set in (DeepFont's idea on our synthesizer).

``families`` lists this machine's text faces as classes (faces whose Latin letters are drawn alike
are one class) with their generic kind; ``model`` is the network; ``classifier`` runs the exported
model with ONNX Runtime. Trained in ``textlens.training.fonts``; the app is ``textlens.apps.fonts``.
"""
