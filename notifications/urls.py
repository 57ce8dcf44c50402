from django.urls import path

from arbitration import converters  # noqa: F401  (registers <id:…>)

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("badge/", views.notifications_badge, name="notifications_badge"),
    path("read/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
    path("<id:pk>/", views.notification_open, name="notification_open"),
]
