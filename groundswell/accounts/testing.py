"""Builders for tests: the personas' password, members made through the real sign-up service,
and image uploads.

Importable by any app's tests (and the root conftest's persona fixtures); a test module never
imports another test module or a conftest.
"""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groundswell.accounts.models import User
from groundswell.accounts.services import member_create

PASSWORD = "correct horse battery staple"  # noqa: S105 (test persona)


def make_member(email: str, *, staff_role: str = "", postal_code: str = "", **names: str) -> User:
    """A member as a real sign-up makes one (member_create), with the personas' password."""
    return member_create(
        email=email, password=PASSWORD, staff_role=staff_role, postal_code=postal_code, **names
    )


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (800, 600), mode: str = "RGB", **save: object
) -> bytes:
    image = Image.new(mode, size, "red" if mode != "1" else 1)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(
    data: bytes, name: str = "photo.png", content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_with_header_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` (a decompression bomb's shape)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    # Signature (8) + IHDR length (4) + type (4), then width and height, then the CRC.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)
