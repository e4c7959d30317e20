"""Writes of the accounts app: users, passwords, second factors and API tokens, each with its audit row in the same
transaction. Views, the API, the Django admin and imports call these; none saves a user by itself."""
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import diff, record
from core.errors import Invalid

from .models import ApiToken, User
from .roles import Role, can

# Fields an administrator sets on a user (the rest — password, second factor, activity — has its own function).
PROFILE_FIELDS = ("full_name", "email", "phone", "role", "unit", "facility", "agency", "region")
# Roles of one structure only: a health region groups 2025 communes; a district exists on the pre-2025 map only.
# A role of the other structure is not given to new assignments (a user who already has it keeps it and works).
STRUCTURE_ROLES = {Role.REGIONAL_HEALTH: "2025", Role.DISTRICT_HEALTH: "pre2025"}


def roles_offered(by, current: str | None = None) -> list[tuple[str, str]]:
    """(value, label) of the roles `by` may give on this installation's structure (plus `current`, the role the user
    being edited already has, so that editing him never changes it by accident)."""
    from geo.areas import installation_structure

    structure = installation_structure()
    return [(v, label) for v, label in Role.choices
            if v == current or ((v != Role.SYSADMIN or by.sees_everything) and STRUCTURE_ROLES.get(v, structure) == structure)]


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- Who may manage whom --------------------------------------------------------------------------------------
def manageable_users(by):
    """The users `by` may see and manage, through core.scoping (User.scope_for_user)."""
    from core.scoping import scope

    return scope(User.objects.all(), by)


def check_assignment(*, by, role: str, unit=None, facility=None, agency=None, region=None, previous_role=None) -> None:
    """Refuses (vi/en) a role or jurisdiction `by` may not give: only a system administrator makes administrators;
    the Department of Health gives jurisdictions within its own province. Each role needs its kind of jurisdiction:
    an agency (agency officer), a health region (regional health centre staff), else a unit or a facility.
    `previous_role`: the role the user already has (kept even when it belongs to the other structure)."""
    from geo.areas import installation_structure

    if not can(by, "users.manage"):
        raise Invalid("Bạn không có quyền quản lý người dùng.", "You may not manage users.")
    if role not in Role.values:
        raise Invalid(f"Vai trò không hợp lệ: {role}", f"Unknown role: {role}", "role")
    if role == Role.SYSADMIN and not by.sees_everything:
        raise Invalid("Chỉ quản trị hệ thống mới tạo được quản trị hệ thống.",
                      "Only a system administrator can make a system administrator.", "role")
    if role != previous_role and STRUCTURE_ROLES.get(role, installation_structure()) != installation_structure():
        if role == Role.DISTRICT_HEALTH:
            raise Invalid("Từ 01/07/2025 không còn cấp huyện: hãy chọn “Cán bộ Trung tâm Y tế khu vực” và một khu vực y tế.",
                          "Since 01/07/2025 there are no districts: choose “regional health centre staff” and a health region.",
                          "role")
        raise Invalid("Hệ thống này dùng địa giới trước 01/07/2025 (có cấp huyện): hãy chọn “Cán bộ y tế huyện”.",
                      "This installation works on the pre-2025 map (with districts): choose “district health officer”.",
                      "role")
    if region is not None and role != Role.REGIONAL_HEALTH:
        raise Invalid("Chỉ cán bộ Trung tâm Y tế khu vực có địa bàn là một khu vực y tế.",
                      "Only regional health centre staff have a health region as their jurisdiction.", "region")
    if role == Role.AGENCY_OFFICER:
        if agency is None:
            raise Invalid("Cán bộ sở, ban, ngành phải thuộc một cơ quan.", "An agency officer needs an agency.", "agency")
    elif role == Role.REGIONAL_HEALTH:
        if region is None:
            raise Invalid("Cán bộ Trung tâm Y tế khu vực cần một khu vực y tế làm địa bàn.",
                          "Regional health centre staff need a health region as their jurisdiction.", "region")
    elif unit is None and facility is None:
        raise Invalid("Hãy chọn địa bàn phụ trách hoặc cơ sở.", "Choose a jurisdiction (unit or facility).", "unit")
    if by.sees_everything:
        return
    from core.scoping import jurisdiction_area
    from geo.areas import under_q

    own = jurisdiction_area(by)
    place = unit if unit is not None else (facility.unit if facility is not None else None)
    if place is not None and (own is None or not type(place).objects.filter(under_q(own), pk=place.pk).exists()):
        raise Invalid("Địa bàn này nằm ngoài phạm vi quản lý của bạn.",
                      "This place is outside your jurisdiction.", "unit")
    if region is not None:
        outside = own is None or region.communes.exclude(under_q(own)).exists() or not region.communes.exists()
        if outside:
            raise Invalid("Khu vực y tế này nằm ngoài phạm vi quản lý của bạn.",
                          "This health region is outside your jurisdiction.", "region")


def _check_target(*, by, user: User) -> None:
    if not manageable_users(by).filter(pk=user.pk).exists():
        raise Invalid("Người dùng này nằm ngoài phạm vi quản lý của bạn.", "This user is outside your jurisdiction.")


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        vi = " ".join(exc.messages)
        raise Invalid(vi, vi, "password") from None


def temporary_password() -> str:
    # Letters, digits and a symbol: passes the password validators; the user must replace it at first sign-in.
    return f"{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}"


# --- Users ----------------------------------------------------------------------------------------------------
@transaction.atomic
def create_user(*, by, username: str, role: str, full_name: str = "", email: str = "", phone: str = "", unit=None,
                facility=None, agency=None, region=None, password: str | None = None) -> tuple[User, str]:
    """A new user who must choose his own password at first sign-in. Answers the user and the initial password (to
    hand over once)."""
    username = (username or "").strip()
    if not username:
        raise Invalid("Thiếu tên đăng nhập.", "The username is missing.", "username")
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid(f"Tên đăng nhập “{username}” đã có.", f"The username “{username}” is taken.", "username")
    check_assignment(by=by, role=role, unit=unit, facility=facility, agency=agency, region=region)
    user = User(username=username, role=role, full_name=full_name, email=email, phone=phone, unit=unit,
                facility=facility, agency=agency, region=region,
                is_staff=role == Role.SYSADMIN, must_change_password=True)
    password = password or temporary_password()
    _check_password(password, user)
    user.set_password(password)
    user.save(force_insert=True)
    record(actor=by, action="create", obj=user, changes={f: (None, getattr(user, f)) for f in PROFILE_FIELDS + ("username",)},
           note="user created")
    return user, password


@transaction.atomic
def update_user(*, by, user: User, **data) -> User:
    """Changes role, jurisdiction or contact details (PROFILE_FIELDS)."""
    _check_target(by=by, user=user)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not a profile field: {sorted(unknown)}")
    after = {f: data.get(f, getattr(user, f)) for f in ("role", "unit", "facility", "agency", "region")}
    if after["role"] != Role.REGIONAL_HEALTH and "region" not in data:
        after["region"] = data["region"] = None  # a region is the jurisdiction of regional staff only
    check_assignment(by=by, previous_role=user.role, **after)
    if user.pk == by.pk and after["role"] != user.role:
        raise Invalid("Bạn không thể tự đổi vai trò của mình.", "You cannot change your own role.", "role")
    changes = diff(user, data)
    if not changes:
        return user
    for f, (_old, new) in changes.items():
        setattr(user, f, new)
    user.is_staff = user.role == Role.SYSADMIN or user.is_superuser
    user.save(update_fields=[*changes, "is_staff"])
    record(actor=by, action="update", obj=user, changes=changes)
    return user


@transaction.atomic
def set_active(*, by, user: User, active: bool) -> User:
    """Deactivates (the user can no longer sign in, his sessions and tokens stop working) or reactivates a user."""
    _check_target(by=by, user=user)
    if user.pk == by.pk and not active:
        raise Invalid("Bạn không thể tự khóa tài khoản của mình.", "You cannot deactivate your own account.")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(actor=by, action="update", obj=user, changes={"is_active": (not active, active)},
           note="user reactivated" if active else "user deactivated")
    return user


@transaction.atomic
def reset_password(*, by, user: User) -> str:
    """A new temporary password, to be replaced at the next sign-in; answers it (to hand over once)."""
    _check_target(by=by, user=user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(actor=by, action="update", obj=user, note="password reset by an administrator")
    return password


@transaction.atomic
def reset_second_factor(*, by, user: User) -> int:
    """Removes the user's second-factor devices (a lost phone); he sets one up again at the next sign-in. Answers how
    many devices were removed."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _check_target(by=by, user=user)
    n = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    record(actor=by, action="update", obj=user, note=f"second factor reset ({n} device(s) removed)")
    return n


@transaction.atomic
def pending_second_factor(*, user: User):
    """The user's authenticator (TOTP) device being set up: the unconfirmed one, or a new one (audited)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        record(actor=user, action="create", obj=device, note="second factor set-up started")
    return device


@transaction.atomic
def confirm_second_factor(*, user: User, device, token: str) -> bool:
    """Confirms the device being set up when `token` is the code the authenticator shows (audited); False if not."""
    if device.user_id != user.pk or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=user, action="update", obj=device, note="second factor confirmed")
    return True


@transaction.atomic
def change_own_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise Invalid("Mật khẩu hiện tại không đúng.", "The current password is wrong.", "old_password")
    if old_password == new_password:
        raise Invalid("Mật khẩu mới phải khác mật khẩu cũ.", "The new password must differ from the old one.", "new_password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(actor=user, action="update", obj=user, note="own password changed")


# --- Bulk creation from a staff list ---------------------------------------------------------------------------
@dataclass
class CreatedUser:
    user: User
    password: str


# --- API tokens -----------------------------------------------------------------------------------------------
@transaction.atomic
def create_token(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for one device. Answers the token and its key: the key is stored only as a digest and can
    never be shown again."""
    name = (name or "").strip()[:100]
    if not name:
        raise Invalid("Hãy đặt tên cho mã (ví dụ tên thiết bị).", "Name the token (e.g. the device).", "name")
    limit = settings.API_TOKEN_DAYS
    days = limit if days is None else days
    if not 1 <= days <= limit:
        raise Invalid(f"Thời hạn từ 1 đến {limit} ngày.", f"The lifetime must be 1 to {limit} days.", "days")
    key = secrets.token_urlsafe(30)  # 40 characters, 240 bits
    now = timezone.now()
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(key), prefix=key[:8], created_at=now,
                                    expires_at=now + dt.timedelta(days=days))
    record(actor=user, action="create", obj=token, note=f"API token created, expires {token.expires_at:%Y-%m-%d}")
    return token, key


@transaction.atomic
def revoke_token(*, by, token: ApiToken) -> bool:
    """Revokes a token (its owner, or a manager of its owner). False when it was already revoked."""
    if token.user_id != by.pk:
        _check_target(by=by, user=token.user)
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if changed:
        record(actor=by, action="update", obj=token, note="API token revoked")
    return bool(changed)


