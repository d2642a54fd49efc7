from django.urls import path

from addressbooks import views

app_name = "addressbooks"
urlpatterns = [
    path("contacts.vcf", views.contacts_vcard, name="contacts"),
    path("contacts/<int:pk>.vcf", views.contact_vcard, name="contact"),
]
