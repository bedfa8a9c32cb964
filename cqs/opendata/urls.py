"""The open-data addresses. The Action API answers with and without a trailing slash, never a
redirect: `ckanapi` refuses redirects."""

from django.urls import re_path

from cqs.opendata import ckan_api, views

urlpatterns = [
    re_path(r"^api/(?:3/)?action/(?P<name>[^/]+)/?$", ckan_api.action, name="ckan_action"),
    re_path(r"^catalog\.(?P<fmt>ttl|jsonld|rdf)$", views.catalog, name="dcat_catalog"),
    re_path(r"^dataset/(?P<name>[a-z0-9_-]{2,100})\.(?P<fmt>ttl|jsonld|rdf)$", views.dataset, name="dcat_dataset"),
]
