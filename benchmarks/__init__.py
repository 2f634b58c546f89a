"""Side-by-side accuracy and speed of textlens against other OCR engines (see README.md)."""
