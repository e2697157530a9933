from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    default = True
    name = "configuration"
    verbose_name = "Configuration"
