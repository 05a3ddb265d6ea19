"""Load every US ZIP centroid from the `zipcodes` package (about 41.9k rows).

Every database gets them, test databases included, so it stays a single fast bulk insert
(see groundswell.geo.loaders). Later updates of the package are applied with
`groundswell load_us_zipcodes`, which upserts.
"""

from django.db import migrations


def load_us_zipcodes(apps, schema_editor):
    from groundswell.geo.loaders import us_zipcodes_insert

    PostalCode = apps.get_model("geo", "PostalCode")
    us_zipcodes_insert(PostalCode, using=schema_editor.connection.alias)


def delete_us_zipcodes(apps, schema_editor):
    PostalCode = apps.get_model("geo", "PostalCode")
    PostalCode.objects.using(schema_editor.connection.alias).filter(country="US").delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [
        migrations.RunPython(load_us_zipcodes, delete_us_zipcodes, elidable=False),
    ]
