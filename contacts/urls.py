from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.ContactListView.as_view(), name="list"),
    path("new/", views.ContactCreateView.as_view(), name="create"),
    path("quick-create/", views.ContactQuickCreateView.as_view(), name="quick_create"),
    path("lookup/", views.ContactLookupView.as_view(), name="lookup"),
    path("bulk/", views.ContactBulkActionView.as_view(), name="bulk"),
    path("<int:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ContactUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.ContactDeleteView.as_view(), name="delete"),
]
