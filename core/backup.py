"""Backups that restore: one archive with the database, the media files and a manifest with checksums.

Archive = a tar holding `database.sqlite3` (SQLite online backup) or `database.dump` (pg_dump custom format),
`media/...` and, last, `manifest.json` (version, migrations, non-secret settings, sha256 of every member).
Optionally encrypted as a stream of AES-GCM chunks (`.tar.enc`), with a key kept outside the archive.
`restore()` decrypts, verifies every checksum before touching anything, then restores the database and media.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT = 1
NAME_PREFIX = "phongdich-"
CHUNK = 1024 * 1024  # encryption and hashing work in 1 MiB pieces: memory stays flat for any dump size
MAGIC = b"PHONGDICH-BACKUP-AESGCM1\n"


class BackupError(Exception):
    """A refusal with a message in Vietnamese / English, shown as is by the commands."""


# ---------------------------------------------------------------------------------------------------- encryption
def load_key(value: str | None = None) -> bytes | None:
    """The 32-byte key from BACKUP_ENCRYPTION_KEY_FILE (preferred: a root-only file) or BACKUP_ENCRYPTION_KEY.

    Both hold the key as url-safe base64 (`phongdich backup --generate-key` prints one)."""
    if value is None:
        path = getattr(settings, "BACKUP_ENCRYPTION_KEY_FILE", "")
        value = Path(path).read_text().strip() if path else getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    if not value:
        return None
    try:
        key = base64.urlsafe_b64decode(value.strip())
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise BackupError("Khoá mã hoá không hợp lệ (cần 32 byte, base64) / invalid encryption key (32 bytes, base64)")
    return key


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"phongdich-backup-key-id" + key).digest()[:8]


def encrypt_file(src: Path, dst: Path, key: bytes) -> None:
    """Header, then chunks [len][nonce][ciphertext+tag]; the chunk number and a last-chunk flag are authenticated,
    so reordered, dropped or truncated chunks fail to decrypt."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    with src.open("rb") as fin, dst.open("wb") as fout:
        fout.write(MAGIC + _key_id(key))
        index = 0
        chunk = fin.read(CHUNK)
        while True:
            following = fin.read(CHUNK)
            last = not following
            nonce = os.urandom(12)
            sealed = aead.encrypt(nonce, chunk, struct.pack(">Q?", index, last))
            fout.write(struct.pack(">I", len(sealed)) + nonce + sealed)
            if last:
                break
            chunk, index = following, index + 1


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def decrypt_file(src: Path, dst: Path, key: bytes | None) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if key is None:
        raise BackupError("Bản sao lưu đã mã hoá: cần khoá (BACKUP_ENCRYPTION_KEY_FILE hoặc --key-file) / "
                          "the archive is encrypted: a key is required")
    aead = AESGCM(key)
    with src.open("rb") as fin, dst.open("wb") as fout:
        fin.read(len(MAGIC))
        if fin.read(8) != _key_id(key):
            raise BackupError("Khoá không khớp với bản sao lưu này / this key did not encrypt this archive")
        index, last = 0, False
        while not last:
            head = fin.read(4)
            if len(head) < 4:
                raise BackupError("Bản sao lưu bị cắt cụt / the archive is truncated")
            (size,) = struct.unpack(">I", head)
            nonce, sealed = fin.read(12), fin.read(size)
            if len(sealed) < size:
                raise BackupError("Bản sao lưu bị cắt cụt / the archive is truncated")
            for flag in (False, True):
                try:
                    fout.write(aead.decrypt(nonce, sealed, struct.pack(">Q?", index, flag)))
                    last = flag
                    break
                except InvalidTag:
                    continue
            else:
                raise BackupError(f"Bản sao lưu bị hỏng (khối {index}) / the archive is corrupt (chunk {index})")
            index += 1
        if fin.read(1):
            raise BackupError("Bản sao lưu có dữ liệu thừa sau khối cuối / data after the last chunk")


# ---------------------------------------------------------------------------------------------------- backup
class _Hashing(io.RawIOBase):
    """A file wrapper that hashes what tarfile reads from it, so each member is read once."""

    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def read(self, n=-1):
        data = self.f.read(n)
        self.sha.update(data)
        return data


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            sha.update(block)
    return sha.hexdigest()


def db_params(db: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore/psql; the password goes through the environment only."""
    args = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    return args, {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("phongdich")
    except PackageNotFoundError:
        return "unknown"


def _manifest(vendor: str, files: dict) -> dict:
    db = settings.DATABASES["default"]
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cur.fetchall()]
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "database": {"vendor": vendor, "name": str(db.get("NAME")), "host": db.get("HOST") or "",
                     "port": str(db.get("PORT") or ""), "user": db.get("USER") or ""},
        "migrations": migrations,
        # What an installation needs to come back the same; secrets (SECRET_KEY, passwords, keys) never leave.
        "settings": {
            "TIME_ZONE": settings.TIME_ZONE, "LANGUAGE_CODE": settings.LANGUAGE_CODE,
            "PHONGDICH_PROVINCE_CODE": settings.PHONGDICH_PROVINCE_CODE, "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
            "ALLOWED_HOSTS": list(settings.ALLOWED_HOSTS), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "INSTALLED_APPS": list(settings.INSTALLED_APPS), "DEBUG": settings.DEBUG,
            "REDIS": bool(settings.REDIS_URL),
        },
        "files": files,
    }


def _dump_database(workdir: Path) -> tuple[str, Path]:
    vendor = connection.vendor
    if vendor == "sqlite":
        target = workdir / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as out:
            connection.connection.backup(out)  # Django's own connection: consistent while others write
        out.close()
    elif vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("Cần pg_dump / pg_dump is required (apt-get install postgresql-client)")
        target = workdir / "database.dump"
        db = settings.DATABASES["default"]
        args, env = db_params(db)
        result = subprocess.run(["pg_dump", "--format=custom", f"--file={target}", *args, db["NAME"]],
                                env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(result.stderr.strip())
    else:
        raise BackupError(f"Cơ sở dữ liệu không hỗ trợ / unsupported database: {vendor}")
    return vendor, target


def create(folder: Path | str | None = None, *, key: bytes | None = None, media: bool = True,
           now: dt.datetime | None = None) -> Path:
    """Write one archive into `folder` (BACKUP_DIR by default) and return its path."""
    folder = Path(folder or settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    final = folder / f"{NAME_PREFIX}{stamp}.tar{'.enc' if key else ''}"
    with tempfile.TemporaryDirectory(dir=folder, prefix=".work-") as tmp:
        work = Path(tmp)
        vendor, dump = _dump_database(work)
        files: dict[str, dict] = {}
        tar_path = work / "archive.tar"
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            _add(tar, dump, dump.name, files)
            media_root = Path(settings.MEDIA_ROOT)
            if media and media_root.is_dir():
                for path in sorted(media_root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        _add(tar, path, "media/" + path.relative_to(media_root).as_posix(), files)
            manifest = json.dumps(_manifest(vendor, files), ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(manifest), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(manifest))
        dump.unlink()
        if key:
            encrypt_file(tar_path, work / "archive.enc", key)
            tar_path = work / "archive.enc"
        os.replace(tar_path, final)  # same folder: an archive appears whole or not at all
    return final


def _add(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    with path.open("rb") as f:
        hashing = _Hashing(f)
        tar.addfile(info, hashing)
    files[name] = {"sha256": hashing.sha.hexdigest(), "size": info.size}


# ---------------------------------------------------------------------------------------------------- retention
def archives(folder: Path) -> list[tuple[dt.datetime, Path]]:
    out = []
    for path in Path(folder).glob(f"{NAME_PREFIX}*.tar*"):
        stamp = path.name[len(NAME_PREFIX):].split(".")[0]
        try:
            out.append((dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S"), path))
        except ValueError:
            continue
    return sorted(out, reverse=True)


def to_keep(stamps: list[dt.datetime], daily: int, weekly: int, monthly: int) -> set[dt.datetime]:
    """Grandfather-father-son: the newest archive of each of the last `daily` days, `weekly` ISO weeks and
    `monthly` months that have one. The newest archive is always kept."""
    keep: set[dt.datetime] = set(sorted(stamps, reverse=True)[:1])
    for count, bucket in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2]),
                          (monthly, lambda d: (d.year, d.month))):
        seen = []
        for stamp in sorted(stamps, reverse=True):
            b = bucket(stamp)
            if b not in seen:
                if len(seen) >= count:
                    break
                seen.append(b)
                keep.add(stamp)
    return keep


def prune(folder: Path, *, daily: int, weekly: int, monthly: int) -> list[Path]:
    found = archives(folder)
    keep = to_keep([s for s, _ in found], daily, weekly, monthly)
    removed = [p for s, p in found if s not in keep]
    for path in removed:
        path.unlink()
    return removed


def _retention() -> dict:
    return {"daily": settings.BACKUP_KEEP_DAILY, "weekly": settings.BACKUP_KEEP_WEEKLY,
            "monthly": settings.BACKUP_KEEP_MONTHLY}


# ---------------------------------------------------------------------------------------------------- off-site copy
def copy_offsite(archive: Path, target: str) -> str:
    """Copy to a mounted path (another disk, NFS/SMB share) or to `s3://bucket/prefix` (any S3-compatible store,
    BACKUP_S3_ENDPOINT_URL; credentials from the usual AWS_* environment). Returns where it went."""
    if target.startswith("s3://"):
        import boto3

        bucket, _, prefix = target[5:].partition("/")
        client = boto3.client("s3", endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None)
        name = f"{prefix.rstrip('/')}/{archive.name}" if prefix else archive.name
        client.upload_file(str(archive), bucket, name)  # multipart and streamed for large files
        head = client.head_object(Bucket=bucket, Key=name)
        if head["ContentLength"] != archive.stat().st_size:
            raise BackupError(f"Bản sao trên S3 không đủ dung lượng / incomplete S3 copy: {name}")
        return f"s3://{bucket}/{name}"
    dest_dir = Path(target)
    dest_dir.mkdir(parents=True, exist_ok=True)
    partial = dest_dir / f".{archive.name}.part"
    shutil.copyfile(archive, partial)
    if _sha256(partial) != _sha256(archive):
        partial.unlink()
        raise BackupError(f"Bản sao ngoài máy bị sai lệch / off-site copy differs: {dest_dir}")
    dest = dest_dir / archive.name
    os.replace(partial, dest)
    prune(dest_dir, **_retention())
    return str(dest)


def run(folder=None, *, key=..., copy_to: str | None = None, media: bool = True) -> dict:
    """A complete backup: archive, retention, off-site copy. Used by the command and the scheduled job."""
    if key is ...:
        key = load_key()
    archive = create(folder, key=key, media=media)
    removed = prune(archive.parent, **_retention())
    copy_to = settings.BACKUP_COPY_TO if copy_to is None else copy_to
    copied = copy_offsite(archive, copy_to) if copy_to else ""
    return {"archive": str(archive), "size": archive.stat().st_size, "removed": [str(p) for p in removed],
            "copied_to": copied, "encrypted": bool(key)}


def scheduled_backup() -> dict:
    """The nightly job (core.apps registers it; BACKUP_HOUR/BACKUP_MINUTE)."""
    return run()


# ---------------------------------------------------------------------------------------------------- restore
@dataclass
class Opened:
    folder: Path
    manifest: dict

    @property
    def dump(self) -> Path:
        return self.folder / ("database.sqlite3" if self.manifest["database"]["vendor"] == "sqlite" else "database.dump")


def open_archive(path: Path, workdir: Path, key: bytes | None) -> Opened:
    """Decrypt and unpack into `workdir`, and verify the manifest and every checksum. Nothing is restored yet."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp / file not found: {path}")
    if is_encrypted(path):
        plain = workdir / "archive.tar"
        decrypt_file(path, plain, key)
        path = plain
    folder = workdir / "content"
    folder.mkdir()
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupError(f"Bản sao lưu chứa mục lạ / unexpected member: {member.name}")
                tar.extract(member, folder, filter="data")  # refuses absolute paths and ../ escapes
    except (tarfile.TarError, EOFError) as exc:
        raise BackupError(f"Bản sao lưu bị hỏng / the archive is corrupt: {exc}")
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError("Bản sao lưu thiếu manifest.json / the archive has no manifest")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError:
        raise BackupError("manifest.json hỏng / the manifest is not valid JSON")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Định dạng không hỗ trợ / unsupported archive format: {manifest.get('format')}")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    listed = set(manifest["files"])
    if present != listed:
        raise BackupError("Tệp trong bản sao lưu không khớp manifest / members differ from the manifest: "
                          + ", ".join(sorted(present ^ listed)[:5]))
    for name, meta in manifest["files"].items():
        if _sha256(folder / name) != meta["sha256"]:
            raise BackupError(f"Sai tổng kiểm tra / checksum mismatch: {name}")
    return Opened(folder, manifest)


def _pg_is_empty(db: dict) -> bool:
    args, env = db_params(db)
    out = subprocess.run(["psql", *args, "-d", db["NAME"], "-tAc",
                          "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
                         env=env, capture_output=True, text=True)
    if out.returncode:
        raise BackupError(out.stderr.strip())
    return out.stdout.strip() == "0"


def _sqlite_is_empty(path: str) -> bool:
    if path.startswith("file:") or path == ":memory:":
        return False
    if not Path(path).exists():
        return True
    with sqlite3.connect(path) as conn:
        n = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").fetchone()
    conn.close()
    return n[0] == 0


def restore(path, *, db: dict | None = None, media_root: Path | str | None = None, key=..., force: bool = False,
            media: bool = True, jobs: int = 1) -> dict:
    """Bring a database (default: this installation's) and the media files back from an archive."""
    if key is ...:
        key = load_key()
    db = db or settings.DATABASES["default"]
    vendor = "sqlite" if "sqlite" in db["ENGINE"] else "postgresql" if "postgresql" in db["ENGINE"] else db["ENGINE"]
    scratch = Path(settings.BACKUP_DIR)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".restore-") as tmp:
        opened = open_archive(Path(path), Path(tmp), key)
        source = opened.manifest["database"]["vendor"]
        if source != vendor:
            raise BackupError(f"Bản sao lưu của {source}, đích là {vendor} / archive is {source}, target is {vendor}")
        empty = _sqlite_is_empty(str(db["NAME"])) if vendor == "sqlite" else _pg_is_empty(db)
        if not empty and not force:
            raise BackupError("Cơ sở dữ liệu đích đã có dữ liệu; thêm --force để ghi đè / "
                              "the target database is not empty; add --force to overwrite it")
        if vendor == "sqlite":
            _restore_sqlite(opened.dump, str(db["NAME"]))
        else:
            _restore_postgres(opened.dump, db, jobs=jobs)
        restored_media = 0
        if media:
            target = Path(media_root or settings.MEDIA_ROOT)
            src = opened.folder / "media"
            if src.is_dir():
                for file in src.rglob("*"):
                    if file.is_file():
                        dest = target / file.relative_to(src)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(file, dest)
                        restored_media += 1
        return {"manifest": opened.manifest, "media_files": restored_media,
                "newer_migrations": _unknown_migrations(opened.manifest)}


def _restore_sqlite(dump: Path, target: str) -> None:
    if target == str(settings.DATABASES["default"]["NAME"]):
        connection.close()  # this process must not hold the file it replaces
    # The backup API copies page by page inside one transaction: readers never see half a database.
    with sqlite3.connect(dump) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _restore_postgres(dump: Path, db: dict, *, jobs: int = 1) -> None:
    if not shutil.which("pg_restore"):
        raise BackupError("Cần pg_restore / pg_restore is required (apt-get install postgresql-client)")
    args, env = db_params(db)
    if db["NAME"] == settings.DATABASES["default"]["NAME"]:
        connection.close()
    # One transaction: a failed restore leaves the database as it was. --jobs trades that for speed.
    mode = [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
    result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                             "--exit-on-error", *mode, *args, "-d", db["NAME"], str(dump)],
                            env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError("pg_restore: " + result.stderr.strip()[-2000:])


def _unknown_migrations(manifest: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    return [m for m in manifest["migrations"] if m not in known and not m.startswith(("contenttypes.", "auth.",
                                                                                     "sessions.", "admin."))]


# ---------------------------------------------------------------------------------------------------- drill
def fingerprints(db: dict) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row)} of a database, to prove a restore equals its source."""
    if "sqlite" in db["ENGINE"]:
        name = str(db["NAME"])
        if name == str(connection.settings_dict["NAME"]):
            connection.ensure_connection()
            return _sqlite_fingerprints(connection.connection)
        with sqlite3.connect(name) as conn:
            out = _sqlite_fingerprints(conn)
        conn.close()
        return out
    import psycopg

    conninfo = {"dbname": db["NAME"], "host": db.get("HOST") or "localhost", "port": db.get("PORT") or 5432,
                "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        out = {}
        for table in tables:
            # Set-based: the server hashes the rows in a fixed order, nothing is fetched row by row.
            out[table] = tuple(conn.execute(
                f'SELECT count(*), coalesce(md5(string_agg(t::text, \'|\' ORDER BY t::text)), \'\') FROM "{table}" t'
            ).fetchone())
        return out


def _sqlite_fingerprints(conn) -> dict[str, tuple[int, str]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out = {}
    for table in tables:
        md5, rows = hashlib.md5(), 0
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")').fetchall()]
        # quote(): SQLite's own text of each value, the same whatever type converters a connection registered;
        # ordered by every column, a fixed order whatever the keys.
        row_text = " || '|' || ".join(f'quote("{c}")' for c in columns)
        cur = conn.execute(f'SELECT {row_text} FROM "{table}" ORDER BY 1')
        while batch := cur.fetchmany(5000):
            for row in batch:
                md5.update(repr(row).encode())
            rows += len(batch)
        out[table] = (rows, md5.hexdigest() if rows else "")
    return out
