from django.urls import path

from cqs.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("nop-ho-so/<str:code>/", views.start, name="start"),
    path("ho-so/", views.my_dossiers, name="mine"),
    path("ho-so/<str:ref>/", views.detail, name="detail"),
    path("ho-so/<str:ref>/sua/", views.edit, name="edit"),
    path("ho-so/<str:ref>/xem-lai/", views.review, name="review"),
    path("ho-so/<str:ref>/giay-tiep-nhan.pdf", views.receipt, name="receipt"),
    path("ho-so/<str:ref>/ket-qua/", views.result, name="result"),
    path("ho-so/<str:ref>/tai-lieu/<str:document_id>/", views.document, name="document"),
    path("tra-cuu/", views.track, name="track"),
    path("tra-cuu/<str:code>", views.track, name="track_code"),
]
