from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.AccountListView.as_view(), name="list"),
    path("new/", views.AccountCreateView.as_view(), name="create"),
    path("quick-create/", views.AccountQuickCreateView.as_view(), name="quick_create"),
    path("lookup/", views.AccountLookupView.as_view(), name="lookup"),
    path("bulk/", views.AccountBulkActionView.as_view(), name="bulk"),
    path("<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AccountUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.AccountDeleteView.as_view(), name="delete"),
]
