"""`phongdich restore FILE`: verify an archive (decrypt, checksums) and bring the database and media back.
Refuses a non-empty target database unless --force (or a typed confirmation). See docs/backup.md."""
import sys
from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Restore the database and media files from a `phongdich backup` archive."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database-url", default=None, help="restore into this database instead of DATABASE_URL")
        parser.add_argument("--media-root", default=None, help="restore media here instead of MEDIA_ROOT")
        parser.add_argument("--key-file", default=None, help="decryption key file (default BACKUP_ENCRYPTION_KEY_FILE)")
        parser.add_argument("--force", action="store_true", help="overwrite a database that already has tables")
        parser.add_argument("--no-media", action="store_true")
        parser.add_argument("--verify-only", action="store_true", help="check the archive, restore nothing")
        parser.add_argument("--jobs", type=int, default=1, help="pg_restore parallel jobs (gives up single transaction)")
        parser.add_argument("--no-input", action="store_true")

    def handle(self, *args, **opts):
        try:
            key = backup.load_key(Path(opts["key_file"]).read_text()) if opts["key_file"] else backup.load_key()
            if opts["verify_only"]:
                import tempfile

                from django.conf import settings
                Path(settings.BACKUP_DIR).mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(dir=settings.BACKUP_DIR, prefix=".verify-") as tmp:
                    opened = backup.open_archive(Path(opts["file"]), Path(tmp), key)
                self.stdout.write(f"Bản sao lưu hợp lệ / archive verified: {len(opened.manifest['files'])} files, "
                                  f"{opened.manifest['created_at']}")
                return
            db = dj_database_url.parse(opts["database_url"]) if opts["database_url"] else None
            force = opts["force"]
            try:
                result = backup.restore(opts["file"], db=db, media_root=opts["media_root"], key=key, force=force,
                                        media=not opts["no_media"], jobs=opts["jobs"])
            except backup.BackupError as exc:
                if force or opts["no_input"] or not sys.stdin.isatty() or "--force" not in str(exc):
                    raise
                answer = input("Cơ sở dữ liệu đích đã có dữ liệu. Gõ 'ghi de' để ghi đè / type 'ghi de' to overwrite: ")
                if answer.strip().lower() != "ghi de":
                    raise CommandError("Đã huỷ / cancelled")
                result = backup.restore(opts["file"], db=db, media_root=opts["media_root"], key=key, force=True,
                                        media=not opts["no_media"], jobs=opts["jobs"])
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc))
        m = result["manifest"]
        self.stdout.write(f"Đã khôi phục / restored: {opts['file']} (sao lưu lúc / taken {m['created_at']}, "
                          f"{result['media_files']} tệp media / media files)")
        if result["newer_migrations"]:
            self.stdout.write(self.style.WARNING(
                "Bản sao lưu từ phiên bản mới hơn mã nguồn / the archive is from a newer version: "
                + ", ".join(result["newer_migrations"][:5])))
        else:
            self.stdout.write("Tiếp theo / next: phongdich migrate (nếu mã nguồn mới hơn / if the code is newer)")
