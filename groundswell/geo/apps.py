from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "groundswell.geo"
    label = "geo"
