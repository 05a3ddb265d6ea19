"""`flush` that keeps reference data (settings.REFERENCE_DATA_TABLES).

Postal-code centroids are loaded by a migration, not by users: emptying them with the user
data would leave every "near" search broken until someone reloaded them. Django's test
runner also flushes after each transactional test, which would strip them from later tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections


class Command(flush.Command):
    help = flush.Command.help + " Reference data (postal codes, the site) is kept."

    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        keep = set(settings.REFERENCE_DATA_TABLES)
        tables = [
            name
            for name in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
            if name not in keep
        ]
        sql_list = connection.ops.sql_flush(
            no_style(),
            tables,
            reset_sequences=options.get("reset_sequences", True),
            allow_cascade=options.get("allow_cascade", False),
        )
        if options["interactive"]:
            answer = input(
                f"This will IRREVERSIBLY DESTROY all data in {connection.settings_dict['NAME']!s} "
                f"except reference data ({', '.join(sorted(keep))}).\nType 'yes' to continue: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        try:
            connection.ops.execute_sql_flush(sql_list)
        except Exception as error:
            raise CommandError(f"Database couldn't be flushed: {error}") from error
        if sql_list and not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], options["interactive"], database)
