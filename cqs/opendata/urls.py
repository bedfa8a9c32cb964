"""The open-data addresses. The Action API answers with and without a trailing slash, never a
redirect: `ckanapi` refuses redirects. The portal's pages live under /du-lieu-mo/ (namespace
"opendata")."""

from django.urls import include, path, re_path

from cqs.opendata import ckan_api, views

_DATASET = "bo-du-lieu/<slug:name>/"
_RESOURCE = _DATASET + "tai-nguyen/<uuid:resource_id>/"
_MANAGED_RESOURCE = "quan-ly/<slug:name>/tai-nguyen/<uuid:resource_id>/"

page_patterns = [
    path("", views.search, name="search"),
    path(_DATASET, views.dataset_detail, name="dataset"),
    path(_RESOURCE, views.resource_detail, name="resource"),
    path(_RESOURCE + "trang-thai", views.resource_status, name="resource_status"),
    path(_RESOURCE + "tep-goc", views.resource_original, name="resource_original"),
    path(_RESOURCE + "du-lieu.csv", views.resource_csv, name="resource_csv"),
    path(_RESOURCE + "du-lieu.json", views.resource_json, name="resource_json"),
    path("quan-ly/", views.my_datasets, name="my_datasets"),
    path("quan-ly/tao-moi/", views.dataset_create, name="dataset_create"),
    path("quan-ly/<slug:name>/sua/", views.dataset_edit, name="dataset_edit"),
    path("quan-ly/<slug:name>/xoa/", views.dataset_delete, name="dataset_delete"),
    path("quan-ly/<slug:name>/them-tai-nguyen/", views.resource_add, name="resource_add"),
    path(_MANAGED_RESOURCE + "tu-dien/", views.dictionary_edit, name="dictionary_edit"),
    path(_MANAGED_RESOURCE + "thay-tep/", views.resource_replace, name="resource_replace"),
    path(_MANAGED_RESOURCE + "xoa/", views.resource_delete, name="resource_delete"),
]

urlpatterns = [
    re_path(r"^api/(?:3/)?action/(?P<name>[^/]+)/?$", ckan_api.action, name="ckan_action"),
    re_path(r"^catalog\.(?P<fmt>ttl|jsonld|rdf)$", views.catalog, name="dcat_catalog"),
    re_path(r"^dataset/(?P<name>[a-z0-9_-]{2,100})\.(?P<fmt>ttl|jsonld|rdf)$", views.dataset, name="dcat_dataset"),
    path("du-lieu-mo/", include((page_patterns, "opendata"))),
]
