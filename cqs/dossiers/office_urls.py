from django.urls import path

from cqs.dossiers import office_views

app_name = "office"
urlpatterns = [
    path("", office_views.worklist, name="worklist"),
    path("ho-so/<str:code>/", office_views.dossier, name="dossier"),
    path("ho-so/<str:code>/tai-lieu/<str:doc_id>/", office_views.document, name="document"),
    path("ho-so/<str:code>/ket-qua/", office_views.result, name="result"),
    path("ho-so/<str:code>/giay-tiep-nhan.pdf", office_views.receipt, name="receipt"),
    path("ho-so/<str:code>/mau-<str:number>.pdf", office_views.form_pdf, name="form_pdf"),
    path("so-theo-doi/", office_views.register, name="register"),
    path("tiep-nhan/", office_views.intake, name="intake"),
    path("tiep-nhan/<str:ref>/", office_views.intake_form, name="intake_form"),
]
