from django.urls import path

from groundswell.accounts import views

# allauth owns /accounts/; a member's own pages live under /members/me/.
urlpatterns = [
    path("members/me/", views.my_profile, name="my_profile"),
    path("members/me/edit/", views.profile_edit, name="profile_edit"),
    path("members/me/settings/", views.account_settings, name="account_settings"),
    path("members/me/export.json", views.account_export_download, name="account_export"),
    path("members/me/delete/", views.account_delete_confirm, name="account_delete"),
    path("members/<int:user_id>/", views.member_profile, name="member_profile"),
]
