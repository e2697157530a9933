from django.apps import AppConfig


class OpenAIApiConfig(AppConfig):
    default = True
    name = "openai_api"
    verbose_name = "OpenAI-compatible API"
