from django.urls import path

from duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("merge/<str:record_type>/", views.merge, name="merge"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="undo"),
    path("merge-jobs/<int:pk>/", views.merge_job, name="merge_job"),
    path("merge-jobs/<int:pk>/status/", views.merge_job_status, name="merge_job_status"),
    path("detect/<str:record_type>/", views.detect, name="detect"),
    path("detections/<int:pk>/", views.detection, name="detection"),
    path("detections/<int:pk>/status/", views.detection_status, name="detection_status"),
]
