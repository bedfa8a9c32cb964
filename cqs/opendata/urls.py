"""The open-data addresses. The Action API answers with and without a trailing slash, never a
redirect: `ckanapi` refuses redirects."""

from django.urls import re_path

from cqs.opendata import ckan_api

urlpatterns = [
    re_path(r"^api/(?:3/)?action/(?P<name>[^/]+)/?$", ckan_api.action, name="ckan_action"),
]
