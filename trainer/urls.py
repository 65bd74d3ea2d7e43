from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from cases import views as case_views
from trainer.views import accounts, home, play
from trainer.views import classroom as classroom_views
from trainer.views import dashboard as dashboard_views

urlpatterns = [
    path("", home.home, name="home"),
    path("cases/", play.library, name="library"),
    path("cases/<str:case_code>/start/", play.start_attempt, name="start_attempt"),
    path("attempts/", home.my_attempts, name="my_attempts"),
    path("attempts/<int:pk>/", play.attempt_detail, name="attempt"),
    path("attempts/<int:pk>/choose/", play.attempt_choose, name="attempt_choose"),
    path("attempts/<int:pk>/debrief/", play.attempt_debrief, name="debrief"),
    path("guidance/", case_views.guidance, name="guidance"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("review/", case_views.clinical_review, name="clinical_review"),
]

# Classroom: joining, cohorts, assignments and the instructor dashboard.
urlpatterns += [
    path("join/", classroom_views.join, name="join"),
    path("join/<str:code>/", classroom_views.join_link, name="join_link"),
    path("assignments/<int:pk>/start/", classroom_views.assignment_start, name="assignment_start"),
    path("cohorts/", classroom_views.cohort_list, name="cohorts"),
    path("cohorts/new/", classroom_views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", dashboard_views.dashboard, name="cohort_dashboard"),
    path("cohorts/<int:pk>/settings/", classroom_views.cohort_settings, name="cohort_settings"),
    path("cohorts/<int:pk>/settings/join-code/", classroom_views.cohort_new_code, name="cohort_new_code"),
    path("cohorts/<int:pk>/settings/archive/", classroom_views.cohort_archive, name="cohort_archive"),
    path("cohorts/<int:pk>/misses/", dashboard_views.cohort_misses, name="cohort_misses"),
    path("cohorts/<int:pk>/roster/", classroom_views.roster, name="cohort_roster"),
    path("cohorts/<int:pk>/roster/<int:membership_pk>/remove/", classroom_views.remove_member, name="cohort_remove_member"),
    path("cohorts/<int:pk>/instructors/add/", classroom_views.add_instructor, name="cohort_add_instructor"),
    path("cohorts/<int:pk>/assignments/new/", classroom_views.assignment_create, name="assignment_create"),
    path("cohorts/<int:pk>/assignments/<int:assignment_pk>/", dashboard_views.assignment_detail, name="assignment_detail"),
    path("cohorts/<int:pk>/assignments/<int:assignment_pk>/edit/", classroom_views.assignment_edit, name="assignment_edit"),
    path("cohorts/<int:pk>/assignments/<int:assignment_pk>/remove/", classroom_views.assignment_remove, name="assignment_remove"),
    path("cohorts/<int:pk>/cases/<slug:slug>/items/", dashboard_views.item_analysis, name="item_analysis"),
    path("cohorts/<int:pk>/students/<int:user_pk>/", dashboard_views.student_detail, name="cohort_student"),
    path("cohorts/<int:pk>/attempts/<int:attempt_pk>/", dashboard_views.attempt_review, name="cohort_attempt"),
    path("cohorts/<int:pk>/export/matrix.csv", dashboard_views.export_matrix, name="export_matrix"),
    path("cohorts/<int:pk>/export/attempts.csv", dashboard_views.export_attempts, name="export_attempts"),
]
