"""Offline signature verification: a writer-independent embedding of signature images.

``preprocess`` (torch-free) turns a scan into the network's input; ``model`` is the network
(PyTorch, training only); ``verifier`` runs the exported ONNX model and scores a query against
a writer's reference signatures.
"""
