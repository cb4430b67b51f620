"""One page through the pipeline: clean-up -> orientation and language choice -> tesseract, or PP-OCR for a
language given to it (Chinese by default) -> words and text. A phone photo's sheet is flattened first.

An ordinary page costs one tesseract call, as bare tesseract does; orientation and language are chosen from
what the clean-up measured, and checked afterwards:
1. Pillow finds the line direction and skew (``preprocess``), tells Han from Latin script by the shape of the
   text lines, and right way up from upside down by what sticks out of the lines and which edge is ragged
   (``updown``).
2. The page is read with one language (``language.reading_language``): the script's only configured language,
   or for Latin script with English and one other language configured the other one, which reads English too;
   the page's language is then named by a stopword vote on the text read.
3. A *probe* (one small tesseract call on one text line stacked with its upside-down copy) runs up front only
   when that is not enough: several accented Latin languages to choose from, or a page turned a quarter whose
   line shapes left open which way up it is. Tesseract's orientation and script detection (OSD) is the last
   resort when the probe cannot tell.
4. A reading whose mean confidence is under ``OcrSettings.min_confidence`` is checked by the probe (or OSD), and
   the page is read again if they disagree; the better reading is kept.
5. A page in a language given to PP-OCR (``OcrSettings.engines``) is read by it from the straightened grey page
   (no tesseract call). A Han page whose lines ran top to bottom is first put to OSD: upright characters are
   columns, read where they stand, right to left; sideways ones are a page on its side, turned and read as rows.
"""

from __future__ import annotations

import io
import re

from PIL import Image

from . import ppocr, tesseract
from .language import (
    OSD_SCRIPT,
    guess_language,
    languages_for,
    reading_language,
    script_of,
    stopword_hits,
    text_script,
    vote_latin,
)
from .loading import PageSource
from .models import OcrPage, OcrWord
from .pdf_page import page_pdf
from .pdf_text import searchable_page
from .photo import flatten_sheet
from .preprocess import CleanPage, clean_page, writing_box
from .settings import OcrSettings
from .page_orientation import upside_down

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _mean_conf(words) -> float:
    confs = [w.conf for w in words if w.conf >= 0]
    return sum(confs) / len(confs) if confs else 0.0


def _join(left: str, right: str) -> str:
    # Tesseract puts a space between every Chinese character; Chinese text has none.
    if left and right and _CJK.match(left[-1]) and _CJK.match(right[0]):
        return ""
    return " "


def words_to_text(words) -> str:
    """Rebuild text from tesseract words: lines joined by newlines, paragraphs by blank lines."""
    out: list[str] = []
    prev_line = prev_par = None
    line_text = ""
    for w in words:
        par_key = (w.block, w.paragraph)
        line_key = (w.block, w.paragraph, w.line)
        if line_key != prev_line:
            if prev_line is not None:
                out.append(line_text)
                if par_key != prev_par:
                    out.append("")
            line_text = w.text
        else:
            line_text += _join(line_text, w.text) + w.text
        prev_line, prev_par = line_key, par_key
    if prev_line is not None:
        out.append(line_text)
    return "\n".join(out).strip()


# --- the probe -------------------------------------------------------------------------------------------


def _probe_strip(clean: CleanPage) -> tuple[Image.Image, int] | None:
    """A typical text line from the middle of the page, then the same line turned upside down."""
    bands = clean.line_bands
    if not bands:
        return None
    heights = sorted(b - a for a, b in bands)
    typical = heights[len(heights) // 2]
    usable = [b for b in bands if 0.7 * typical <= b[1] - b[0] <= 1.6 * typical]
    if not usable:
        return None
    middle = len(usable) // 2
    chosen = usable[middle : middle + 1]
    image = clean.image
    pieces = []
    for top, bottom in chosen:
        height = bottom - top
        pad = max(2, height // 3)
        band = image.crop((0, max(0, top - pad), image.width, min(image.height, bottom + pad)))
        # Ink columns of the band; keep at most ~32 line-heights of it (eight or so words to vote on).
        ink = band.convert("L").resize((band.width, 1), Image.Resampling.BOX).get_flattened_data()
        columns = [x for x, v in enumerate(ink) if v < 250]
        if not columns:
            continue
        x0 = max(0, columns[0] - pad)
        x1 = min(band.width, columns[-1] + pad, x0 + 32 * height)
        pieces.append(band.crop((x0, 0, x1, band.height)))
    if not pieces:
        return None
    width = max(p.width for p in pieces)
    gap = max(10, typical)
    upright_height = sum(p.height for p in pieces)
    strip = Image.new("1", (width, upright_height * 2 + gap * 3), 1)
    y = gap
    for p in pieces:
        strip.paste(p, (0, y))
        y += p.height
    boundary = y + gap // 2
    upright = strip.crop((0, gap, width, y))
    strip.paste(upright.rotate(180), (0, y + gap))
    return strip, boundary


def _probe(clean: CleanPage | None, settings: OcrSettings, what: str):
    """Read the probe strip. Returns (flipped, script, preferred_language, confidence) or None."""
    made = _probe_strip(clean) if clean is not None else None
    if made is None:
        return None
    strip, boundary = made
    script = clean.script_hint or "Latin"
    group = [lang for lang in settings.languages if script_of(lang) == script] or list(settings.languages)
    words, _ = tesseract.recognise_image(strip, group[0], settings, psm=6, what=f"{what} (probe)")
    up = [w for w in words if w.top + w.height / 2 < boundary]
    down = [w for w in words if w.top + w.height / 2 >= boundary]
    conf_up, conf_down = _mean_conf(up), _mean_conf(down)
    # Upside-down Latin letters often read as plausible junk ("un", "anb"): real words decide first, then
    # confidence (a right-way-up line reads at 75-97 here, an upside-down one at 20-75).
    hits_up, hits_down = stopword_hits(" ".join(w.text for w in up)), stopword_hits(" ".join(w.text for w in down))
    if max(hits_up, hits_down) >= 2 and max(hits_up, hits_down) >= 2 * min(hits_up, hits_down):
        flipped = hits_down > hits_up
    else:
        best, other = max(conf_up, conf_down), min(conf_up, conf_down)
        if best < 50 or best - other < 15:
            return None
        flipped = conf_down > conf_up
    best_words = down if flipped else up
    best = conf_down if flipped else conf_up
    text = " ".join(w.text for w in best_words)
    seen_script = text_script(text) or script
    preferred = None
    if seen_script == "Latin":
        latin = [lang for lang in settings.languages if script_of(lang) == "Latin"]
        preferred = vote_latin(text, latin) if len(latin) > 1 else (latin[0] if latin else None)
    return flipped, seen_script, preferred, best


# --- one page --------------------------------------------------------------------------------------------


def _text_box(image: Image.Image, speckled: bool = False) -> tuple[int, int, int, int] | None:
    """Bounding box of the ink with a margin, or ``None`` when cropping would save little. On a ``speckled``
    (de-noised) page the specks left in the margins would make it the whole page: ``writing_box`` tells them
    from writing."""
    if speckled:
        return writing_box(image)
    factor = 4
    box = image.convert("L").reduce(factor).point([255] * 250 + [0] * 6).getbbox()
    if box is None:
        return None
    margin = 12  # small-image pixels, ~50 px of the page: tesseract wants some white around the text
    left, top = max(0, (box[0] - margin) * factor), max(0, (box[1] - margin) * factor)
    right, bottom = min(image.width, (box[2] + margin) * factor), min(image.height, (box[3] + margin) * factor)
    if (right - left) * (bottom - top) > 0.85 * image.width * image.height:
        return None
    return left, top, right, bottom


def _read(image: Image.Image, lang: str, settings: OcrSettings, dpi: int | None, what: str,
          speckled: bool = False):
    # Tesseract's layout analysis costs time per pixel: hand it only the written area (5-13% faster on a
    # letter with ordinary margins) and move the word boxes back onto the whole page.
    box = _text_box(image, speckled)
    crop = image.crop(box) if box else image
    # On a speckled page many lines read with low confidence, and tesseract then reads each of them again as
    # white on black, in vain: 4-8% of the page's time on the benchmark's noisy pages, error rate unchanged.
    options = {"tessedit_do_invert": "0"} if speckled else None
    words, pdf = tesseract.recognise_image(crop, lang, settings, dpi=dpi, want_pdf=settings.make_pdf,
                                           text_only_pdf=box is not None, options=options, what=what)
    if box:
        for w in words:
            w.left += box[0]
            w.top += box[1]
        if pdf is not None:
            pdf = page_pdf(image, pdf, box, what)
    return words, pdf, _mean_conf(words)


def _turn(image: Image.Image, ccw: int) -> Image.Image:
    ccw %= 360
    if ccw == 90:
        return image.transpose(Image.Transpose.ROTATE_90)
    if ccw == 180:
        return image.transpose(Image.Transpose.ROTATE_180)
    if ccw == 270:
        return image.transpose(Image.Transpose.ROTATE_270)
    return image


def _text_layer_page(source: PageSource, settings: OcrSettings) -> OcrPage:
    gray = source.load()
    # pdfium ends lines with CR LF; keep plain newlines like the OCR pages.
    text = "\n".join(line.rstrip() for line in (source.text_layer or "").replace("\r\n", "\n").split("\n"))
    words = [OcrWord(t, 100.0, x, y, w, h) for t, x, y, w, h in source.layer_words]
    return OcrPage(
        number=source.number,
        text=text.strip(),
        confidence=100.0,
        words=words,
        image_png=_png(gray),
        width=gray.width,
        height=gray.height,
        language=guess_language(text, settings.languages),
        script=text_script(text),
        source="text-layer",
        ink_ratio=1.0,
        dpi=source.dpi,
    )


# --- pages read by PP-OCR -----------------------------------------------------------------------------


def _pp_read(gray: Image.Image, image: Image.Image, settings: OcrSettings, what: str, speckled: bool):
    """PP-OCR's reading of the written area of ``gray`` (found on ``image``, its black-and-white copy), boxes
    on the whole page: its text detector costs time per pixel, as tesseract's layout analysis does."""
    box = _text_box(image, speckled)
    groups, vertical = ppocr.read(gray.crop(box) if box else gray, settings.ppocr_threads, what=what)
    if box:
        ppocr.shift(groups, box[0], box[1])
    return groups, vertical


def _pp_page(clean: CleanPage, image: Image.Image, rotation: int, lang: str, script: str | None,
             settings: OcrSettings, what: str, common: dict, way_up_known: bool) -> OcrPage:
    """Read a page with PP-OCR: the grey page turned as ``image`` is (``rotation`` from the original). When the
    reading is poor and the way up was not known, or nothing at all was read (an upside-down page reads as
    nothing), the page turned over is read too and the better reading kept."""
    gray = _turn(clean.gray, rotation - (90 if clean.quarter_turn else 0))
    groups, vertical = _pp_read(gray, image, settings, what, clean.denoised)
    conf = ppocr.mean_confidence(groups)
    if conf < settings.min_confidence and (not way_up_known or not groups):
        over = _pp_read(_turn(gray, 180), _turn(image, 180), settings, what, clean.denoised)
        if ppocr.mean_confidence(over[0]) > conf:
            (groups, vertical), image, rotation = over, _turn(image, 180), rotation + 180
            conf = ppocr.mean_confidence(groups)
    text = ppocr.to_text(groups, vertical)
    words = [OcrWord(w.text, w.conf, w.left, w.top, w.width, w.height)
             for group in groups for line in group for w in line.words]
    pdf = None
    if settings.make_pdf:
        pdf = searchable_page(image, [(w.text, w.left, w.top, w.width, w.height) for w in words], common["dpi"],
                              tesseract.glyphless_font(settings), what)
    return OcrPage(text=text, confidence=round(conf, 2), words=words, image_png=_png(image), width=image.width,
                   height=image.height, rotation=rotation % 360, language=lang, script=text_script(text) or script,
                   engine="ppocr", pdf=pdf, **common)


def _columns_or_sideways(clean: CleanPage, settings: OcrSettings, what: str) -> tuple[bool | None, bool]:
    """A Han page whose lines ran top to bottom holds columns of upright characters, or horizontal lines on a
    page lying on its side: tesseract's orientation detection tells them apart by the characters. Returns
    (columns, flipped): ``columns`` True for upright columns, False for a page on its side (``flipped`` then
    says whether our quarter turn left it upside down), ``None`` when orientation detection cannot tell."""
    osd = tesseract.detect_orientation(clean.image.transpose(Image.Transpose.ROTATE_270), settings, what)
    if osd is None or osd.rotate == 180:
        return None, False
    # OSD's "rotate" is clockwise; our quarter turn was counter-clockwise (a clockwise 270).
    return osd.rotate == 0, osd.rotate == 90


def recognise_page(source: PageSource, settings: OcrSettings) -> OcrPage:
    """Decode, clean and recognise one page. Raises ``OcrError`` subclasses."""
    what = f"page {source.number}"
    if source.text_layer:
        return _text_layer_page(source, settings)
    use_pp = "ppocr" in settings.engines.values() and ppocr.available()
    # A phone photo's sheet is found and flattened first; its resolution tag then says nothing about the page.
    gray, dewarped = flatten_sheet(source.load())
    dpi = None if dewarped else source.dpi
    clean = clean_page(gray, settings.max_skew, keep_gray=use_pp)
    image = clean.image
    common = dict(number=source.number, skew=round(clean.skew, 2), ink_ratio=round(clean.ink_ratio, 5),
                  dpi=dpi, denoised=clean.denoised, dewarped=dewarped)
    if clean.ink_ratio < settings.blank_ink_ratio:
        return OcrPage(text="", confidence=0.0, words=[], image_png=_png(image), width=image.width,
                       height=image.height, rotation=0, source="blank", **common)

    rotation = 90 if clean.quarter_turn else 0
    script, preferred, osd_done, probe = clean.script_hint, None, False, None
    # Right way up or not: the line shapes usually tell at no cost; tesseract is asked only when they cannot.
    flipped = upside_down(image, clean.line_bands, script)
    han_lang = reading_language("Han", settings.languages) or languages_for("Han", settings.languages)
    if use_pp and clean.quarter_turn and script == "Han" and settings.engine_for(han_lang) == "ppocr":
        columns, on_side_flipped = _columns_or_sideways(clean, settings, what)
        if columns:
            upright = image.transpose(Image.Transpose.ROTATE_270)
            return _pp_page(clean, upright, 0, han_lang, script, settings, what, common, True)
        if columns is False:
            flipped, osd_done = on_side_flipped, True
    reader = reading_language(script, settings.languages)
    # The probe (one text line, both ways up) runs up front only when it must: to choose between several Latin
    # languages with different accents, or for a page we turned a quarter whose line shapes left it open which
    # way up it is (no upright prior there). Other pages are read straight away and checked by confidence.
    probed = (script == "Latin" and reader is None) or (flipped is None and clean.quarter_turn)
    if probed:
        probe = _probe(clean, settings, what)
        if probe is not None:
            flipped, script, preferred, _ = probe
            reader = reading_language(script, settings.languages)
    if flipped is None and clean.quarter_turn and probe is None:
        osd, osd_done = tesseract.detect_orientation(image, settings, what), True
        if osd is not None:
            script = OSD_SCRIPT.get(osd.script, osd.script)
            reader = reading_language(script, settings.languages)
            if osd.rotate:
                image, rotation = _turn(image, -osd.rotate), rotation - osd.rotate
    if flipped:
        image, rotation = _turn(image, 180), rotation + 180
    lang = preferred or reader or languages_for(script, settings.languages)
    if use_pp and settings.engine_for(lang) == "ppocr":
        return _pp_page(clean, image, rotation, lang, script, settings, what, common, flipped is not None)
    words, pdf, conf = _read(image, lang, settings, dpi, what, clean.denoised)

    if conf < settings.min_confidence and not osd_done:
        # Wrong way up, or the wrong script? The probe answers the first for a fraction of OSD's cost (its
        # answer is about ``clean.image``, which we may have turned); OSD settles everything else.
        turn, new_script = None, script
        if not probed:
            probe = _probe(clean, settings, what)
        if probe is not None:
            if probe[0] != bool(flipped) or probe[1] != script:
                turn, new_script = (180 if probe[0] != bool(flipped) else 0), probe[1]
        else:
            osd = tesseract.detect_orientation(image, settings, what)
            if osd is not None:
                new_script = OSD_SCRIPT.get(osd.script, osd.script)
                if osd.rotate or new_script != script_of(lang.split("+")[0]):
                    turn = -osd.rotate
        if turn is not None:
            new_lang = (reading_language(new_script, settings.languages)
                        or languages_for(new_script, settings.languages))
            turned = _turn(image, turn)
            if use_pp and settings.engine_for(new_lang) == "ppocr":  # it was Chinese after all
                page = _pp_page(clean, turned, rotation + turn, new_lang, new_script, settings, what, common, True)
                if page.confidence > conf:
                    return page
            words2, pdf2, conf2 = _read(turned, new_lang, settings, dpi, what, clean.denoised)
            if conf2 > conf:
                image, rotation, lang, script = turned, rotation + turn, new_lang, new_script
                words, pdf, conf = words2, pdf2, conf2

    text = words_to_text(words)
    language = lang
    latin = [code for code in settings.languages if script_of(code) == "Latin"]
    if script == "Latin" and "+" not in lang and len(latin) > 1:
        # Read with a model that knows every configured Latin alphabet: name the language by the words read.
        language = vote_latin(text, latin) or lang
    return OcrPage(
        text=text,
        confidence=round(conf, 2),
        words=[OcrWord(w.text, w.conf, w.left, w.top, w.width, w.height) for w in words],
        image_png=_png(image),
        width=image.width,
        height=image.height,
        rotation=rotation % 360,
        language=language,
        script=script,
        engine="tesseract",
        pdf=pdf,
        **common,
    )
