"""Page analysis between detection and recognition, and after it.

* ``crops``: straighten a line polygon into a horizontal crop, and map crop columns back;
* ``orientation``: 0/90/180/270 page orientation, skew, and the frames that map between them;
* ``grouping``: lines -> rows -> blocks, and words from the recognizer's spans;
* ``reading_order``: column- and table-aware ordering (recursive XY-cut).
"""
