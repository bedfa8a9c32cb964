from django.urls import path

from cqs.scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("chi-tieu/", views.scorecard, name="scorecard"),
    path("chi-tieu/<str:code>/", views.indicator, name="indicator"),
    path("can-bo/chi-so-766/", views.index766, name="index766"),
]
