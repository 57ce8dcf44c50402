from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("badge/", views.notifications_badge, name="notifications_badge"),
    path("read/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
]
