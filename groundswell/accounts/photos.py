"""Profile photos: check an upload is a real, reasonably sized image and re-encode it.

Pure functions, no database: the services call them before opening a transaction. Every
photo is decoded by Pillow and written out again as a JPEG, so nothing of the upload but its
pixels survives: no EXIF (camera, GPS position, date), no other embedded metadata, no
polyglot payload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow format names we decode; anything else (SVG, TIFF, BMP, PSD...) is refused.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
MAIN_MAX_SIDE = 512
THUMBNAIL_SIDE = 128
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ProcessedPhoto:
    main: bytes
    thumbnail: bytes
    width: int
    height: int


def _invalid(message: str) -> ValidationError:
    return ValidationError({"photo": message}, code="invalid_photo")


def _not_an_image() -> ValidationError:
    return _invalid(_("Upload a photo in JPEG, PNG, WebP or GIF format."))


def _too_large_dimensions() -> ValidationError:
    megapixels = settings.PROFILE_PHOTO_MAX_PIXELS / 1_000_000
    return _invalid(
        _("This image is too large. Upload a smaller photo (at most %(megapixels)s megapixels).")
        % {"megapixels": f"{megapixels:g}"}
    )


def _open(upload: IO[bytes]) -> Image.Image:
    """Open the image header only (no pixel decoding yet) and run the cheap checks."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > settings.PROFILE_PHOTO_MAX_BYTES:
        limit_mb = settings.PROFILE_PHOTO_MAX_BYTES / (1024 * 1024)
        raise _invalid(
            _("This file is too big. Upload a photo of at most %(size)s MB.")
            % {"size": f"{limit_mb:g}"}
        )
    if size == 0:
        raise _not_an_image()
    upload.seek(0)
    try:
        image = Image.open(upload, formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard (far above ours) fires while reading the header; the warning is
        # only raised when warnings are errors (the test suite), otherwise it is logged.
        raise _too_large_dimensions() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    if image.format not in ALLOWED_FORMATS:
        raise _not_an_image()
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > settings.PROFILE_PHOTO_MAX_PIXELS:
        raise _too_large_dimensions()
    return image


def photo_check(upload: IO[bytes]) -> None:
    """The cheap checks (size, format, dimensions) without decoding the pixels.

    Forms call it to refuse a bad file before anything is saved; photo_process repeats it.
    """
    _open(upload)
    # Not image.close(): Pillow would close the upload too, which the service still reads.
    upload.seek(0)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded colour profile (e.g. a phone's Display P3) to sRGB, since
    the profile itself is dropped with the rest of the metadata."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "L", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif= or icc_profile= argument: the output carries no metadata.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def photo_process(upload: IO[bytes]) -> ProcessedPhoto:
    """Validate and re-encode an upload into a main image (longest side at most 512 px) and a
    128 px square thumbnail. Raises ValidationError({"photo": ...}) for anything unusable."""
    image = _open(upload)
    try:
        if image.format == "JPEG":
            # Decode at a reduced DCT scale when the photo is much larger than we keep.
            image.draft(None, (MAIN_MAX_SIDE * 2, MAIN_MAX_SIDE * 2))
        image.seek(0)  # the first frame of an animation
        image.load()
        oriented: Any = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large_dimensions() from None
    except (OSError, ValueError, SyntaxError, EOFError, TypeError):
        raise _invalid(_("This image file is damaged or incomplete. Try another photo.")) from None
    finally:
        upload.seek(0)
    rgb = _flatten(_to_srgb(oriented))
    main = rgb.copy()
    main.thumbnail((MAIN_MAX_SIDE, MAIN_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(rgb, (THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        main=_jpeg(main), thumbnail=_jpeg(thumbnail), width=main.width, height=main.height
    )
