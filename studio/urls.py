from django.urls import path

from studio import views

urlpatterns = [
    path("", views.home, name="studio-home"),
    path("signin", views.sign_in, name="studio-signin"),
    path("signup", views.sign_up, name="studio-signup"),
    path("signout", views.sign_out, name="studio-signout"),
    path("studio/token", views.access_token, name="studio-token"),
    path("voices", views.voices, name="studio-voices"),
    path("voices/<str:sample_id>", views.voice, name="studio-voice"),
    path("speak", views.speak, name="studio-speak"),
    path("history", views.history, name="studio-history"),
    path("keys", views.keys, name="studio-keys"),
]
