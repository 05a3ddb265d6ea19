"""Postal-code centroids, keyed by country and code, loaded offline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PostalCode(models.Model):
    """The centroid of one postal code. US rows come from the `zipcodes` package (a data
    migration); other countries from a GeoNames postal-code file (`load_postal_codes`)."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("postal code"), max_length=20)
    place_name = models.CharField(_("place"), max_length=180, blank=True)
    admin1 = models.CharField(_("state or region"), max_length=100, blank=True)
    admin2 = models.CharField(_("county or department"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="geo_postalcode_country_code")
        ]
        # The bounding-box prefilter of the "near" query ranges over latitude first.
        indexes = [models.Index(fields=["latitude", "longitude"], name="geo_postalcode_latlng")]

    def __str__(self) -> str:
        return f"{self.country} {self.code} {self.place_name}".strip()
