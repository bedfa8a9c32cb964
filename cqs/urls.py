from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cqs.api.urls import api
from cqs.core.views import favicon, healthz

admin.site.site_header = _("Chính Quyền Số – Quản trị")
admin.site.site_title = _("Chính Quyền Số")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("cqs.accounts.urls")),
    path("", include("cqs.scorecard.urls")),
    path("can-bo/", include("cqs.dossiers.office_urls")),
    path("", include("cqs.dossiers.urls")),
    path("", include("cqs.opendata.urls")),
    path("", include("cqs.portal.urls")),
]
