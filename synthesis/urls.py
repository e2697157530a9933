from django.urls import path

from synthesis import views

urlpatterns = [
    path("voices", views.VoiceListView.as_view(), name="tts-voices"),
    path("synthesize", views.SynthesizeView.as_view(), name="tts-synthesize"),
    path("synthesize/async", views.SynthesizeAsyncView.as_view(), name="tts-synthesize-async"),
    path("synthesize/stream", views.SynthesizeStreamView.as_view(), name="tts-synthesize-stream"),
    path("synthesize/stream/ticket", views.StreamTicketView.as_view(), name="tts-synthesize-stream-ticket"),
    path("syntheses", views.SynthesisListView.as_view(), name="tts-syntheses"),
    path("syntheses/<str:synthesis_id>", views.SynthesisDetailView.as_view(), name="tts-synthesis"),
    path("dictionaries", views.DictionaryListCreateView.as_view(), name="tts-dictionaries"),
    path("dictionaries/<str:dictionary_id>", views.DictionaryDetailView.as_view(), name="tts-dictionary"),
    path(
        "syntheses/<str:synthesis_id>/subtitles", views.SynthesisSubtitlesView.as_view(), name="tts-synthesis-subtitles"
    ),
]
