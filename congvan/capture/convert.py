"""Turn a taken-in file into text (and, for scans, a searchable PDF/A rendition). Adapters over
OCRmyPDF/Tesseract, pdftotext, Pillow and LibreOffice; they return plain values or raise IntakeRefused."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from numbers import Real
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from congvan.capture.errors import IntakeRefused
from congvan.capture.ocrfix import correct
from congvan.lib import filetypes
from congvan.lib.errors import InvalidInput
from congvan.lib.officetext import office_text
from congvan.lib.vntext import aligned_fold

log = logging.getLogger(__name__)

MIN_TEXT_PER_PAGE = 40  # fewer characters than this on average: the PDF is a scan


@dataclass(frozen=True)
class Converted:
    kind: str
    text: str
    pages: int
    rendition: bytes | None = None  # the OCR'd PDF/A


PDFTOTEXT_TIMEOUT = 300  # seconds


def _pdftotext(path: Path) -> str:
    """The text layer of every page; a file whose reading runs past five minutes (or cannot be run) is
    refused, not left to fail the worker's task again at every restart."""
    try:
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        raise IntakeRefused(
            _("Không đọc được chữ của tệp PDF (%(name)s)") % {"name": type(exc).__name__}
        ) from None
    return out.stdout.decode("utf-8", "replace")


def _check_pdf(path: Path) -> int:
    """Refuse encrypted, broken (beyond repair) and over-long PDFs; return the page count."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise IntakeRefused(_("Tệp PDF được mã hóa (đặt mật khẩu): hãy gửi bản không mã hóa"))
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise IntakeRefused(_("Tệp PDF được mã hóa (đặt mật khẩu): hãy gửi bản không mã hóa")) from None
    except pikepdf.PdfError as exc:
        raise IntakeRefused(
            _("Tệp PDF hỏng, không sửa được: %(value)s") % {"value": str(exc)[:120]}
        ) from None
    if pages > settings.INTAKE_MAX_PAGES:
        raise IntakeRefused(
            _("Quá %(INTAKE_MAX_PAGES)s trang") % {"INTAKE_MAX_PAGES": settings.INTAKE_MAX_PAGES}
        )
    return pages


def _ocr(src: Path, work: Path, *, image: bool) -> tuple[bytes, str]:
    import logging

    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException
    from pikepdf import PdfError

    for name in ("ocrmypdf", "fontTools", "pikepdf"):
        logging.getLogger(name).setLevel(logging.WARNING)

    out = work / "ocr.pdf"
    kwargs: dict[str, object] = {
        "language": ["vie"],
        "output_type": "pdfa",
        "progress_bar": False,
        "jobs": 1,
        "optimize": 0,
        # Not OCRmyPDF's "deskew": it doubles the OCR time (2.0 -> 4.1 s a page here, the straightened
        # picture replaces the page); pictures are turned level before, by ``capture.deskew``.
    }
    if image:
        kwargs["image_dpi"] = 300
    # Scans only reach OCR: rasterise and recognise every page. (--skip-text would need a Ghostscript
    # newer than Debian 12's 10.0.0, which corrupts PDFs that keep their text.)
    kwargs["force_ocr"] = True
    try:
        ocrmypdf.ocr(src, out, **kwargs)  # type: ignore[call-overload]
    except (ExitCodeException, PdfError, OSError, subprocess.SubprocessError, ValueError) as exc:
        raise IntakeRefused(
            _("Không nhận dạng được văn bản (OCR): %(name)s") % {"name": type(exc).__name__}
        ) from None
    return out.read_bytes(), correct(_pdftotext(out))


def _images_to_pdf(path: Path, work: Path) -> tuple[Path, int]:
    """Check the pixel limits, then put every frame (multi-page TIFF) into one PDF, each turned level
    first (``capture.deskew``), at the picture's own resolution (300 dpi when it does not say)."""
    from PIL import Image

    from congvan.capture.deskew import straighten

    Image.MAX_IMAGE_PIXELS = settings.INTAKE_MAX_PIXELS
    frames = []
    try:
        with Image.open(path) as img:
            given = img.info.get("dpi", (0, 0))[0]
            dpi = float(given) if isinstance(given, Real) and 72 <= float(given) <= 1200 else 300.0
            for index in range(getattr(img, "n_frames", 1)):
                img.seek(index)
                if img.width * img.height > settings.INTAKE_MAX_PIXELS:
                    raise IntakeRefused(_("Ảnh quá lớn (số điểm ảnh vượt giới hạn)"))
                frames.append(straighten(img.convert("RGB")))  # a page scanned askew, turned level
                if len(frames) > settings.INTAKE_MAX_PAGES:
                    raise IntakeRefused(
                        _("Quá %(INTAKE_MAX_PAGES)s trang") % {"INTAKE_MAX_PAGES": settings.INTAKE_MAX_PAGES}
                    )
    except Image.DecompressionBombError:
        raise IntakeRefused(_("Ảnh quá lớn (nghi bom giải nén)")) from None
    except filetypes.IMAGE_ERRORS as exc:
        raise IntakeRefused(_("Tệp ảnh hỏng: %(name)s") % {"name": type(exc).__name__}) from None
    out = work / "scan.pdf"
    frames[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=frames[1:])
    return out, len(frames)


def _office_text(path: Path, mime: str) -> str:
    try:
        return office_text(path, mime)
    except InvalidInput as exc:
        raise IntakeRefused(exc.message) from None


def _office_program() -> str | None:
    choice = settings.LIBREOFFICE.strip()
    if choice.lower() in ("", "off", "no", "none", "0", "false"):
        return None
    if choice.lower() == "auto":
        return shutil.which("soffice") or shutil.which("libreoffice")
    return choice if Path(choice).is_file() else shutil.which(choice)


def _libreoffice(path: Path, work: Path) -> Path | None:
    """The document as a PDF made by LibreOffice, or None (not installed, switched off, failed, too
    slow): the caller then keeps the text read from the file itself. Each conversion has a profile of
    its own, in its work folder: LibreOffice refuses to start on a profile another conversion holds."""
    office = _office_program()
    if office is None:
        return None
    outdir = work / "office"
    try:
        done = subprocess.run(
            [
                office,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={(work / 'office-profile').as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(path),
            ],
            capture_output=True,
            timeout=settings.LIBREOFFICE_TIMEOUT,
            check=False,
            env={**os.environ, "HOME": str(work)},
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        log.warning("LibreOffice did not convert %s: %s", path.name, exc)
        return None
    out = outdir / (path.stem + ".pdf")
    if not out.exists():
        log.warning("LibreOffice made no PDF of %s (exit %s)", path.name, done.returncode)
        return None
    return out


def convert(data_path: Path, mime: str) -> Converted:
    """Return the text of a file (OCR for scans), refusing what cannot or must not be processed."""
    with tempfile.TemporaryDirectory(prefix="congvan-intake-") as tmp:
        work = Path(tmp)
        if mime == filetypes.PDF:
            pages = _check_pdf(data_path)
            text = _pdftotext(data_path)
            if len(text.strip()) >= MIN_TEXT_PER_PAGE * max(pages, 1):
                return Converted("pdf_text", text, pages)
            rendition, text = _ocr(data_path, work, image=False)
            return Converted("pdf_scan", text, pages, rendition)
        if mime in (filetypes.PNG, filetypes.JPEG, filetypes.TIFF):
            pdf, pages = _images_to_pdf(data_path, work)
            rendition, text = _ocr(pdf, work, image=False)
            return Converted("image", text, pages, rendition)
        if mime in (filetypes.DOCX, filetypes.ODT):
            kind = "docx" if mime == filetypes.DOCX else "odt"
            # the stored file has no extension, by which LibreOffice chooses its import filter
            named = work / f"document.{kind}"
            shutil.copyfile(data_path, named)
            office_pdf = _libreoffice(named, work)
            if office_pdf is not None:
                return Converted(
                    kind, _pdftotext(office_pdf), _check_pdf(office_pdf), office_pdf.read_bytes()
                )
            return Converted(kind, _office_text(data_path, mime), 0)
    raise IntakeRefused(_("Loại tệp không được nhận"))


def image_ocr(path: Path) -> str:
    """The OCR text of a picture (the first frame of a TIFF), for the classification guard."""
    try:
        out = subprocess.run(
            ["tesseract", str(path), "-", "-l", "vie"], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return correct(out.stdout.decode("utf-8", "replace"))


def first_page_ocr(path: Path, *, dpi: int = 200) -> str:
    """The OCR text of page 1 of a PDF (the classification guard reads its top): rasterised by poppler,
    read by Tesseract (Vietnamese), with the usual OCR confusions corrected. Empty when unreadable."""
    with tempfile.TemporaryDirectory(prefix="congvan-page1-") as tmp:
        base = Path(tmp) / "page"
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-r",
                    str(dpi),
                    "-gray",
                    "-png",
                    "-singlefile",
                    str(path),
                    str(base),
                ],
                capture_output=True,
                timeout=120,
                check=False,
            )
            image = base.with_suffix(".png")
            if not image.exists():
                return ""
            out = subprocess.run(
                ["tesseract", str(image), "-", "-l", "vie"], capture_output=True, timeout=120, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return correct(out.stdout.decode("utf-8", "replace"))


TEXT_MAX = 200_000  # characters of one file's text that are indexed


def one_line(text: str) -> str:
    """A file's text as search keeps it: its words with one space between them (the layout's runs of
    blanks and its line breaks mean nothing to a search, and a snippet is then a slice of it), its
    letters composed (NFC), as search's patterns and ``vntext.aligned_fold`` expect them."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def folded_line(line: str) -> str:
    """What ``FileText.folded`` keeps of a text made one line: its folded form character for character
    (``vntext.aligned_fold``) with a space at each end, where search finds a word as " doi " (its
    place, less one, is the word's place in the text)."""
    return " " + aligned_fold(line) + " "


def file_text(path: Path, mime: str, *, ocr: bool) -> tuple[str, str] | None:
    """(text, source) of a stored file: its PDF text layer, its office text, or, with ``ocr``, the OCR of
    a scan or an image, made one line (``one_line``); None for a scan when ``ocr`` is off (read later,
    by the slower pass)."""
    got = _file_text(path, mime, ocr=ocr)
    return None if got is None else (one_line(got[0])[:TEXT_MAX], got[1])


def _file_text(path: Path, mime: str, *, ocr: bool) -> tuple[str, str] | None:
    from congvan.lib.pdftext import has_image, has_text, page_text

    if mime == filetypes.PDF:
        text = page_text(path, first=1, last=None, timeout=300)
        if has_text(text) or not has_image(path):
            return correct(text), "layer"
        if not ocr:
            return None
    elif mime in (filetypes.DOCX, filetypes.ODT):
        try:
            return _office_text(path, mime), "office"
        except IntakeRefused:
            return "", "none"
    elif mime in (filetypes.PNG, filetypes.JPEG, filetypes.TIFF):
        if not ocr:
            return None
    else:
        return "", "none"
    try:
        return convert(path, mime).text, "ocr"
    except IntakeRefused:
        return "", "none"


def office_pdf(path: Path, name: str) -> bytes | None:
    """A DOCX or ODT file made into a PDF by LibreOffice, or None (not installed, switched off, failed)."""
    with tempfile.TemporaryDirectory(prefix="congvan-office-") as tmp:
        work = Path(tmp)
        named = work / ("van-ban" + Path(name).suffix.lower()[:6])
        shutil.copyfile(path, named)
        out = _libreoffice(named, work)
        return out.read_bytes() if out is not None else None
