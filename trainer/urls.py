from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from cases import views as case_views
from trainer.views import accounts, exports, home, play
from trainer.views import classroom as classroom_views
from trainer.views import dashboard as dashboard_views



class IdConverter:
    """A row id: at most 18 digits, so every id in a URL fits a 64-bit column. A longer
    one is "no such page" here, for every view, rather than an overflow in whichever
    query first filters on it (a filter on a foreign key column skips Django's own check)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("cases/", play.library, name="library"),
    path("cases/<str:case_code>/start/", play.start_attempt, name="start_attempt"),
    path("attempts/", home.my_attempts, name="my_attempts"),
    path("attempts/<id:pk>/", play.attempt_detail, name="attempt"),
    path("attempts/<id:pk>/choose/", play.attempt_choose, name="attempt_choose"),
    path("attempts/<id:pk>/debrief/", play.attempt_debrief, name="debrief"),
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
    path("assignments/<id:pk>/start/", classroom_views.assignment_start, name="assignment_start"),
    path("cohorts/", classroom_views.cohort_list, name="cohorts"),
    path("cohorts/new/", classroom_views.cohort_create, name="cohort_create"),
    path("cohorts/<id:pk>/", dashboard_views.dashboard, name="cohort_dashboard"),
    path("cohorts/<id:pk>/settings/", classroom_views.cohort_settings, name="cohort_settings"),
    path("cohorts/<id:pk>/settings/join-code/", classroom_views.cohort_new_code, name="cohort_new_code"),
    path("cohorts/<id:pk>/settings/archive/", classroom_views.cohort_archive, name="cohort_archive"),
    path("cohorts/<id:pk>/misses/", dashboard_views.cohort_misses, name="cohort_misses"),
    path("cohorts/<id:pk>/roster/", classroom_views.roster, name="cohort_roster"),
    path("cohorts/<id:pk>/roster/<id:membership_pk>/remove/", classroom_views.remove_member, name="cohort_remove_member"),
    path("cohorts/<id:pk>/instructors/add/", classroom_views.add_instructor, name="cohort_add_instructor"),
    path("cohorts/<id:pk>/assignments/new/", classroom_views.assignment_create, name="assignment_create"),
    path("cohorts/<id:pk>/assignments/<id:assignment_pk>/", dashboard_views.assignment_detail, name="assignment_detail"),
    path("cohorts/<id:pk>/assignments/<id:assignment_pk>/edit/", classroom_views.assignment_edit, name="assignment_edit"),
    path("cohorts/<id:pk>/assignments/<id:assignment_pk>/remove/", classroom_views.assignment_remove, name="assignment_remove"),
    path("cohorts/<id:pk>/cases/<slug:slug>/items/", dashboard_views.item_analysis, name="item_analysis"),
    path("cohorts/<id:pk>/students/<id:user_pk>/", dashboard_views.student_detail, name="cohort_student"),
    path("cohorts/<id:pk>/attempts/<id:attempt_pk>/", dashboard_views.attempt_review, name="cohort_attempt"),
    path("cohorts/<id:pk>/export/matrix.csv", exports.export_matrix, name="export_matrix"),
    path("cohorts/<id:pk>/export/attempts.csv", exports.export_attempts, name="export_attempts"),
]
