"""Group pages under /groups/. `/groups/?near=ZIP&radius=MILES` is a public contract."""

from django.urls import path

from groundswell.groups import views

app_name = "groups"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("mute/<str:token>/", views.mute, name="mute"),
    path("<int:group_id>/", views.detail, name="detail"),
    path("<int:group_id>/edit/", views.edit, name="edit"),
    path("<int:group_id>/join/", views.join, name="join"),
    path("<int:group_id>/leave/", views.leave, name="leave"),
    path("<int:group_id>/members/", views.members, name="members"),
    path("<int:group_id>/announcements/", views.announcements_setting, name="announcements"),
    path("<int:group_id>/posts/", views.post_create, name="post_create"),
    path("<int:group_id>/posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("<int:group_id>/posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    # Leaders' tools.
    path("<int:group_id>/manage/", views.manage, name="manage"),
    path("<int:group_id>/manage/<int:user_id>/role/", views.member_role, name="member_role"),
    path("<int:group_id>/manage/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "<int:group_id>/manage/<int:user_id>/transfer/",
        views.leadership_transfer,
        name="leadership_transfer",
    ),
    path("<int:group_id>/announce/", views.announce, name="announce"),
    path("<int:group_id>/archive/", views.archive, name="archive"),
]
