"""The test site's URLs: the product's, plus the Lead record type's."""

from django.urls import include, path

from crm.urls import urlpatterns as product_urlpatterns

urlpatterns = [*product_urlpatterns, path("leads/", include("crm.tests.leads.urls"))]
