"""`phongdich backup`: one archive with the database, the media files and a manifest with checksums;
then retention (BACKUP_KEEP_*) and the off-site copy (BACKUP_COPY_TO). See docs/backup.md."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Back up the database and media into BACKUP_DIR (or --to DIR), prune old archives, copy off-site."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=None, help="folder for the archive (default BACKUP_DIR)")
        parser.add_argument("--copy-to", default=None, help="second location: a mounted path or s3://bucket/prefix")
        parser.add_argument("--key-file", default=None, help="encryption key file (default BACKUP_ENCRYPTION_KEY_FILE)")
        parser.add_argument("--no-encrypt", action="store_true", help="write a plain archive even if a key is set")
        parser.add_argument("--no-media", action="store_true", help="database only")
        parser.add_argument("--generate-key", action="store_true", help="print a new encryption key and exit")

    def handle(self, *args, **opts):
        if opts["generate_key"]:
            self.stdout.write(backup.generate_key())
            return
        try:
            if opts["no_encrypt"]:
                key = None
            elif opts["key_file"]:
                key = backup.load_key(Path(opts["key_file"]).read_text())
            else:
                key = backup.load_key()
            result = backup.run(opts["to"] or settings.BACKUP_DIR, key=key, copy_to=opts["copy_to"],
                                media=not opts["no_media"])
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Đã sao lưu / backed up: {result['archive']} ({result['size']:,} bytes"
                          f"{', mã hoá / encrypted' if result['encrypted'] else ''})")
        for path in result["removed"]:
            self.stdout.write(f"Đã xoá bản cũ / pruned: {path}")
        if result["copied_to"]:
            self.stdout.write(f"Đã sao chép / copied to: {result['copied_to']}")
