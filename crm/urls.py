from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm import languages, views
from health.views import healthz

# The admin is part of the product: it carries its name (and links back: admin/base_site.html).
admin.site.site_header = admin.site.site_title = _("Harbor CRM administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("search/", views.search, name="search"),
    path("recent/pin/", views.recent_pin, name="recent_pin"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("contacts/", include("contacts.urls")),
    path("activities/", include("activities.urls")),
    path("imports/", include("imports.urls")),
    path("language/", languages.switch_language, name="switch_language"),
    path("security/", include("access.urls")),
    path("audit/", include("audit.urls")),
    path("duplicates/", include("duplicates.urls")),
    path("address-books/", include("addressbooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
