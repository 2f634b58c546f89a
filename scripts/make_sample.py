"""Render the bundled demo image samples/receipt.png (run once; the PNG is committed)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from textlens.synth.fonts import discover_fonts

LINES = [
    ("center", "GREEN LEAF GROCER SDN BHD"),
    ("center", "NO 12, JALAN MERANTI 3"),
    ("center", "47100 PUCHONG, SELANGOR"),
    ("center", "TEL: 03-8075 2231"),
    ("", ""),
    ("left", "INVOICE NO : GL-0048213"),
    ("left", "DATE : 14/03/2019 10:42 AM"),
    ("left", "CASHIER : AMIRAH"),
    ("", ""),
    ("split", ("2 X FRESH MILK 1L", "13.80")),
    ("split", ("WHOLEMEAL BREAD", "4.50")),
    ("split", ("FREE RANGE EGGS 10S", "7.90")),
    ("split", ("BANANA 1.2KG @ 3.50", "4.20")),
    ("split", ("GREEN TEA 500ML", "2.60")),
    ("", ""),
    ("split", ("TOTAL (INCL. GST)", "33.00")),
    ("split", ("CASH", "50.00")),
    ("split", ("CHANGE", "17.00")),
    ("", ""),
    ("center", "THANK YOU, PLEASE COME AGAIN!"),
]


def main() -> None:
    mono = [f for f in discover_fonts() if "DejaVuSansMono.ttf" in f] or discover_fonts()
    font = ImageFont.truetype(mono[0], 26)
    width, margin, step = 640, 40, 40
    image = Image.new("L", (width, margin * 2 + step * len(LINES)), 250)
    draw = ImageDraw.Draw(image)
    for row, (align, text) in enumerate(LINES):
        y = margin + row * step
        if align == "center":
            draw.text(((width - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=30)
        elif align == "left":
            draw.text((margin, y), text, font=font, fill=30)
        elif align == "split":
            left, right = text
            draw.text((margin, y), left, font=font, fill=30)
            draw.text((width - margin - draw.textlength(right, font=font), y), right, font=font, fill=30)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    out = Path(__file__).resolve().parents[1] / "samples" / "receipt.png"
    image.convert("RGB").save(out)
    print(out)


if __name__ == "__main__":
    main()
