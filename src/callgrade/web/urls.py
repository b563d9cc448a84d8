"""URL map: one module of views per area, each with its own ``urlpatterns``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from callgrade.integration.views.api import not_found
from callgrade.web import accounts, pages, signin

handler404 = not_found

urlpatterns = [
    path("", pages.home, name="home"),
    # Sign-in, sign-out and password change; no e-mailed password reset (HR resets passwords).
    path("accounts/login/", signin.SignIn.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        accounts.PasswordChange.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="callgrade/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include(pages.urlpatterns)),
    path("", include("callgrade.cycles.views.me")),
    path("", include("callgrade.review.views.review")),
    path("", include("callgrade.review.views.appeals")),
    path("", include("callgrade.review.views.coaching")),
    path("", include("callgrade.review.views.talent")),
    path("", include("callgrade.cycles.views.cycles")),
    path("", include("callgrade.cycles.views.fairness")),
    path("", include("callgrade.cycles.views.program")),
    path("", include("callgrade.standards.views")),
    path("", include("callgrade.people.views.org")),
    path("", include("callgrade.people.views.records")),
    path("", include("callgrade.people.views.logins")),
    path("", include("callgrade.engagement.views.suggestions")),
    path("", include("callgrade.engagement.views.activities")),
    path("", include("callgrade.development.views.me")),
    path("", include("callgrade.development.views.manage")),
    path("", include("callgrade.engagement.views.awards")),
    path("", include("callgrade.engagement.views.contests")),
    path("", include("callgrade.baseline.views.pages")),
    path("", include("callgrade.integration.views.urls")),
    path("", include("callgrade.integration.views.manage")),
    path("", include("callgrade.intraday.views.intraday")),
    path("", include("callgrade.loads.views.loads")),
    path("", include("callgrade.loads.views.sources")),
]
