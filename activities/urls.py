from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.my_activities, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/state/", views.change_state, name="state"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("bulk/", views.bulk, name="bulk"),
    path("quick-create/", views.quick_create, name="quick_create"),
    path("export/<str:file_format>/", views.export, name="export"),
]
