from django.apps import AppConfig


class FieldappConfig(AppConfig):
    name = "fieldapp"
    verbose_name = "Ứng dụng thực địa"

    def ready(self):
        from core.navigation import register
        from core.roles import R

        # In the menu of the people who work in the villages: care teams, commune staff, vaccinators and screening
        # (lab) staff. Their supervisors may open the app too (HEALTH_READERS), without it crowding their menu.
        field_roles = {R.CARE_TEAM, R.COMMUNE_HEALTH, R.VACCINATOR, R.LAB}
        register("Ứng dụng thực địa", "fieldapp:app", roles=field_roles, order=15)
        register("Cài đặt trên điện thoại", "fieldapp:install", roles=field_roles, order=16)
