from django.urls import path

from cqs.dossiers import office_views

app_name = "office"
urlpatterns = [
    path("", office_views.worklist, name="worklist"),
]
