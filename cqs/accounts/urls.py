from django.urls import path

from cqs.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("sua/", views.account_edit, name="account_edit"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("dang-ky/", views.register, name="register"),
    path("dang-nhap/", views.sign_in_page, name="sign_in"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("xac-thuc/<str:token>/", views.verify_email, name="verify_email"),
    path("gui-lai-xac-thuc/", views.verify_email_resend, name="verify_email_resend"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("quen-mat-khau/da-gui/", views.password_reset_sent, name="password_reset_sent"),
    path("dat-lai-mat-khau/xong/", views.password_reset_complete, name="password_reset_complete"),
    path("dat-lai-mat-khau/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
]
