from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """The synthetic province ("tỉnh mô phỏng"): a generator of realistic data and its checks."""

    name = "cqs.synthetic"
    label = "synthetic"
    verbose_name = "Synthetic province"
