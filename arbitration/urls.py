from django.urls import include, path

from .console import console

urlpatterns = [
    path("console/", console.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
