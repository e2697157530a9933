from django.apps import AppConfig


class VoxifyProjectConfig(AppConfig):
    name = "voxify_project"
    verbose_name = "Voxify"
