from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OperationsConfig(AppConfig):
    default = True
    name = "operations"
    verbose_name = "Operations"


class VoxifyAdminConfig(admin_apps.AdminConfig):
    """The admin site with Voxify's stats dashboard (replaces django.contrib.admin)."""

    default = False
    default_site = "operations.admin_site.VoxifyAdminSite"
