from django.urls import path

from . import views

app_name = "directives"
urlpatterns = [
    path("", views.directive_list, name="list"),
    path("nhap/", views.directive_new, name="new"),
    path("<int:pk>/", views.directive_detail, name="detail"),
    path("<int:pk>/tep-goc/", views.directive_file, name="file"),
    path("bao-cao-tien-do/<int:pk>/tep-dinh-kem/", views.progress_attachment, name="attachment"),
    path("<int:pk>/ra-soat/", views.directive_review, name="review"),
    path("nhiem-vu/", views.task_list, name="tasks"),
    path("nhiem-vu/<int:pk>/", views.assignment_detail, name="assignment"),
    path("bang-theo-doi/", views.scorecard_view, name="scorecard"),
    path("bao-cao-dinh-ky/", views.occurrence_grid, name="occurrences"),
    path("nhac-viec/", views.reminder_list, name="reminders"),
    path("nhac-viec/<int:pk>/da-doc/", views.reminder_read, name="reminder_read"),
]
