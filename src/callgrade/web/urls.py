"""URL map: one module of views per area, each with its own ``urlpatterns``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from callgrade.web.views import common

urlpatterns = [
    path("", common.home, name="home"),
    # Sign-in, sign-out and password change; no e-mailed password reset (HR resets passwords).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include(common.urlpatterns)),
    path("", include("callgrade.web.views.me")),
    path("", include("callgrade.web.views.people")),
    path("", include("callgrade.web.views.cycles")),
    path("", include("callgrade.web.views.standards")),
    path("", include("callgrade.web.views.org")),
    path("", include("callgrade.web.views.records")),
]
