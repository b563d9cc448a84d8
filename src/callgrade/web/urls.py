"""URL map: one module of views per area, each with its own ``urlpatterns``."""

from django.contrib import admin
from django.urls import include, path

from callgrade.web.views import common

urlpatterns = [
    path("", common.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include(common.urlpatterns)),
    path("", include("callgrade.web.views.me")),
    path("", include("callgrade.web.views.people")),
    path("", include("callgrade.web.views.cycles")),
    path("", include("callgrade.web.views.standards")),
    path("", include("callgrade.web.views.org")),
]
