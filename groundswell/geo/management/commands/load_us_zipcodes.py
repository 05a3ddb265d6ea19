"""`groundswell load_us_zipcodes`: refresh the US ZIP centroids from the `zipcodes` package.

The data migration loads them once; run this after upgrading the package. It upserts, so it
is safe to run any number of times.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from groundswell.geo.loaders import us_zipcode_rows
from groundswell.geo.services import postal_codes_load


class Command(BaseCommand):
    help = "Insert or update the US ZIP code centroids from the zipcodes package."

    def handle(self, *args, **options) -> None:
        try:
            count = postal_codes_load(country="US", rows=us_zipcode_rows())
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(_("%(count)d US ZIP codes loaded.") % {"count": count})
