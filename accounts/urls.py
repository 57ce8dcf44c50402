from django.urls import path

from arbitration import converters  # noqa: F401  (registers <id:…>)

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("credit/", views.credit_page, name="credit"),
    path("credit/events/<id:event_id>/appeal/", views.credit_appeal, name="credit_appeal"),
]
