"""`groundswell load_postal_codes FR.zip --country FR --time-zone Europe/Paris`

Loads a GeoNames postal-code file (https://download.geonames.org/export/zip/, format in its
readme.txt) for one country: the .txt or the .zip as downloaded. Upserts on country + code,
so running it again (e.g. with a newer file) is safe. See docs/geo.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from groundswell.geo.loaders import geonames_rows
from groundswell.geo.services import postal_codes_load


class Command(BaseCommand):
    help = (
        "Insert or update one country's postal-code centroids from a GeoNames file (.txt or .zip)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", type=Path, help="GeoNames postal-code file, e.g. FR.zip or FR.txt"
        )
        parser.add_argument(
            "--country", required=True, help="ISO 3166-1 alpha-2 code of the rows to load, e.g. FR"
        )
        parser.add_argument(
            "--time-zone",
            default="",
            help="IANA time zone set on every loaded row, e.g. Europe/Paris (GeoNames has none)",
        )

    def handle(self, *args, file: Path, country: str, time_zone: str, **options) -> None:
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            rows = geonames_rows(file, country=country)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(
                _("Could not read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        if not rows:
            raise CommandError(
                _("%(file)s has no postal codes for country %(country)s.")
                % {"file": file, "country": country.upper()}
            )
        try:
            count = postal_codes_load(country=country, rows=rows, time_zone=time_zone or None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            _("%(count)d postal codes loaded for %(country)s.")
            % {"count": count, "country": country.upper()}
        )
