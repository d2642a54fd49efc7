from django.urls import path

from access import admin_views, views

app_name = "access"

urlpatterns = [
    path("records/<str:record_type>/assign/", views.assign, name="assign"),
    path("records/<str:record_type>/<int:pk>/share/", views.share, name="share"),
    path("records/<str:record_type>/<int:pk>/why/", views.why, name="why"),
    path("", admin_views.overview, name="overview"),
    path("business-units/new/", admin_views.business_unit_edit, name="business_unit_create"),
    path("business-units/<int:pk>/", admin_views.business_unit_edit, name="business_unit_edit"),
    path("business-units/<int:pk>/delete/", admin_views.business_unit_delete, name="business_unit_delete"),
    path("teams/new/", admin_views.team_edit, name="team_create"),
    path("teams/<int:pk>/", admin_views.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", admin_views.team_delete, name="team_delete"),
    path("roles/<int:pk>/", admin_views.role_edit, name="role_edit"),
    path("users/<int:pk>/", admin_views.user_edit, name="user_edit"),
]
