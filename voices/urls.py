from django.urls import path

from voices import views

urlpatterns = [
    path("samples", views.VoiceSampleListCreateView.as_view(), name="voice-samples"),
    path("samples/<str:sample_id>", views.VoiceSampleDetailView.as_view(), name="voice-sample"),
    path("samples/<str:sample_id>/train", views.VoiceSampleTrainView.as_view(), name="voice-sample-train"),
    path("samples/<str:sample_id>/similar", views.VoiceSampleSimilarView.as_view(), name="voice-sample-similar"),
    path("samples/<str:sample_id>/consent", views.VoiceSampleConsentView.as_view(), name="voice-sample-consent"),
    path(
        "samples/<str:sample_id>/consent/<str:consent_id>",
        views.VoiceSampleConsentAnswerView.as_view(),
        name="voice-sample-consent-answer",
    ),
]
