"""The `phongdich` console command: Django management commands under one name.

`phongdich demo`, `phongdich load_admin_units`, `phongdich import_people FILE` …; `phongdich help` lists them.
"""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["phongdich", *sys.argv[1:]])


if __name__ == "__main__":
    main()
