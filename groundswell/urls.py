from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from groundswell.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", core_views.language_switch, name="language_switch"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("", include("groundswell.accounts.urls")),
    path("groups/", include("groundswell.groups.urls")),
    path("events/", include("groundswell.events.urls")),
    path("api/v1/", include("groundswell.api.urls")),
    path("staff/api-tokens/", include("groundswell.api.staff_urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
