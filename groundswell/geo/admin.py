from django.contrib import admin

from groundswell.geo.models import PostalCode


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "country",
        "place_name",
        "admin1",
        "admin2",
        "latitude",
        "longitude",
        "time_zone",
    ]
    list_filter = ["country", "admin1"]
    search_fields = ["code", "place_name"]
    ordering = ["country", "code"]
    list_per_page = 100
    # Tens of thousands of rows: show "N results" without an extra full COUNT per filter change.
    show_full_result_count = False
