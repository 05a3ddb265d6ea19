"""Fixtures for the accounts tests: postal codes, images, a media root per test."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groundswell.geo.testing import postal_codes_put

POSTAL_CODES = {
    "10001": ("New York", "NY", 40.7506, -73.9972, "America/New_York"),
    "60601": ("Chicago", "IL", 41.8858, -87.6181, "America/Chicago"),
}


@pytest.fixture
def postal_codes(db) -> None:
    """The ZIP codes the tests use, whether or not geo's data migration has loaded them."""
    postal_codes_put(POSTAL_CODES)


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits count in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
