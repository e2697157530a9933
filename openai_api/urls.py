from django.urls import path

from openai_api import views

urlpatterns = [
    path("audio/speech", views.SpeechView.as_view(), name="openai-speech"),
    path("audio/voices", views.VoiceListView.as_view(), name="openai-voices"),
    path("models", views.ModelListView.as_view(), name="openai-models"),
]
