from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from cases import views as case_views
from trainer.views import accounts, home, play

urlpatterns = [
    path("", home.home, name="home"),
    path("cases/", play.library, name="library"),
    path("cases/<slug:slug>/start/", play.start_attempt, name="start_attempt"),
    path("attempts/<int:pk>/", play.attempt_detail, name="attempt"),
    path("attempts/<int:pk>/choose/", play.attempt_choose, name="attempt_choose"),
    path("attempts/<int:pk>/debrief/", play.attempt_debrief, name="debrief"),
    path("guidance/", case_views.guidance, name="guidance"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
