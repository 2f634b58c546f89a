"""Planning a batch: sources to inputs with mirrored, unique output names (no Ray needed)."""

from __future__ import annotations

import json

from textlens.batch.plan import plan_inputs
from textlens.io.loading import count_file_pages


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folders_globs_and_manifests_mirror_their_layout(tmp_path):
    root = tmp_path / "scans"
    for name in ("2024/jan/a.png", "2024/feb/b.tif", "notes.md", ".hidden.png", "c.pdf"):
        touch(root / name)
    (tmp_path / "list.txt").write_text("# one path per line\nscans/c.pdf\n\nscans/2024/jan/a.png\n")
    (tmp_path / "list.jsonl").write_text(json.dumps({"image": "scans/2024/feb/b.tif", "text": "x"}) + "\n")
    errors = []
    found = plan_inputs([str(root)], lambda s, e: errors.append(s))
    assert [i.relative for i in found] == ["2024/feb/b", "2024/jan/a", "c"] and not errors
    assert [i.relative for i in plan_inputs([str(root / "**" / "*.png")], print)] == ["2024/jan/a"]
    listed = plan_inputs([str(tmp_path / "list.txt"), str(tmp_path / "list.jsonl")], print)
    assert sorted(i.relative for i in listed) == ["scans/2024/feb/b", "scans/2024/jan/a", "scans/c"]


def test_colliding_names_keep_their_suffix_and_missing_sources_are_reported(tmp_path):
    touch(tmp_path / "scan.png")
    touch(tmp_path / "scan.pdf")
    errors = []
    found = plan_inputs([str(tmp_path), str(tmp_path / "missing")], lambda s, e: errors.append(str(e)))
    assert sorted(i.relative for i in found) == ["scan_pdf", "scan_png"]
    assert len({i.key for i in found}) == 2 and "no such file" in errors[0]


def test_pages_are_counted_from_headers(tmp_path):
    from PIL import Image

    def pictures(n: int) -> list:  # fresh images per file: a save leaves its options on appended frames
        return [Image.new("RGB", (40, 30), "white") for _ in range(n)]

    first, *rest = pictures(3)
    first.save(tmp_path / "three.pdf", save_all=True, append_images=rest)
    first, *rest = pictures(2)
    first.save(tmp_path / "two.tif", save_all=True, append_images=rest)
    pictures(1)[0].save(tmp_path / "one.png")
    assert [count_file_pages(str(tmp_path / n)) for n in ("three.pdf", "two.tif", "one.png")] == [3, 2, 1]
