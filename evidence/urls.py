from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:uid>/", views.safe_copy, name="evidence_file"),
    path("<uuid:uid>/original", views.original, name="evidence_original"),
    path("<uuid:uid>/heatmap/<slug:kind>", views.heatmap, name="evidence_heatmap"),
    path("<uuid:uid>/keyframe/<int:index>", views.keyframe, name="evidence_keyframe"),
]
