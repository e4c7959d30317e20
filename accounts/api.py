"""/api/users/: user management for administrators (system administrators; the Department of Health within its
province), the same as the pages in accounts.views_admin, through accounts.services (audited)."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from core.api import ScopedViewSetMixin
from core.errors import Invalid
from core.imports import FileRejected
from facilities.models import Facility
from geo.models import AdministrativeUnit, HealthRegion

from . import imports, services
from .models import Agency, ApiToken, User
from .roles import USER_MANAGERS, Role


class UserSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "phone", "role", "role_display", "unit", "facility", "agency",
                  "region", "is_active", "must_change_password", "last_login", "date_joined"]
        read_only_fields = fields


class UserWriteSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    unit = serializers.PrimaryKeyRelatedField(queryset=AdministrativeUnit.objects.all(), required=False, allow_null=True)
    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.all(), required=False, allow_null=True)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    region = serializers.PrimaryKeyRelatedField(queryset=HealthRegion.objects.all(), required=False, allow_null=True,
                                                help_text="khu vực y tế (cán bộ Trung tâm Y tế khu vực) / health region")


class UserUpdateSerializer(UserWriteSerializer):
    username = None
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class UserCreatedSerializer(serializers.Serializer):
    user = UserSerializer()
    initial_password = serializers.CharField(help_text="Shown once; the user must change it at first sign-in.")


_Password = inline_serializer("PasswordReset", {"initial_password": serializers.CharField()})


class UserViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Users the caller manages. POST creates one (answers the initial password once); PATCH changes role,
    jurisdiction or contact details; actions deactivate, reactivate and reset a password or the second factor."""

    queryset = User.objects.select_related("unit", "facility", "agency", "region").order_by("username")
    serializer_class = UserSerializer
    allowed_roles = USER_MANAGERS
    edit_roles = USER_MANAGERS
    filterset_fields = ["role", "is_active"]

    @extend_schema(request=UserWriteSerializer, responses={201: UserCreatedSerializer})
    def create(self, request):
        data = self._valid(UserWriteSerializer, request.data)
        user, password = services.create_user(by=request.user, **data)
        return Response({"user": UserSerializer(user).data, "initial_password": password}, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = self._valid(UserUpdateSerializer, request.data, partial=True)
        services.update_user(by=request.user, user=user, **data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return Response(UserSerializer(services.set_active(by=request.user, user=self.get_object(), active=False)).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return Response(UserSerializer(services.set_active(by=request.user, user=self.get_object(), active=True)).data)

    @extend_schema(request=None, responses=_Password)
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        return Response({"initial_password": services.reset_password(by=request.user, user=self.get_object())})

    @extend_schema(request=None, responses=inline_serializer("SecondFactorReset", {"removed_devices": serializers.IntegerField()}))
    @action(detail=True, methods=["post"], url_path="reset-second-factor")
    def reset_second_factor(self, request, pk=None):
        return Response({"removed_devices": services.reset_second_factor(by=request.user, user=self.get_object())})

    @extend_schema(
        request={"multipart/form-data": inline_serializer("UserImportUpload", {"file": serializers.FileField()})},
        responses={201: inline_serializer("UserImportCreated", {"created": UserCreatedSerializer(many=True)}),
                   400: inline_serializer("UserImportRefused", {
                       "detail": serializers.CharField(), "errors": serializers.ListField(child=serializers.DictField())})},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[parsers.MultiPartParser])
    def import_users(self, request):
        """A staff list (XLSX or CSV): all rows valid → every user created (initial passwords answered once);
        otherwise nothing, and every bad row with its line and reason in Vietnamese and English."""
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid("Thiếu tệp (trường “file”).", "The file is missing (field “file”).", "file")
        try:
            result, created = imports.bulk_create_users(by=request.user, data=upload.read(), filename=upload.name)
        except FileRejected as exc:
            raise Invalid(exc.message_vi, exc.message_en, "file") from None
        if not result.saved:
            vi, en = "Tệp có dòng lỗi, chưa tạo tài khoản nào", "The file has bad rows, no user was created"
            return Response({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en,
                             "errors": [{"field": e.column, **e.as_dict()} for e in result.errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": [{"user": UserSerializer(c.user).data, "initial_password": c.password} for c in created]},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=inline_serializer("TokenRevoke", {"token": serializers.IntegerField()}),
                   responses=inline_serializer("TokenRevoked", {"revoked": serializers.BooleanField()}))
    @action(detail=True, methods=["post"], url_path="revoke-token")
    def revoke_token(self, request, pk=None):
        """Revoke one of the user's API tokens (the user page's "thu hồi"); False when it was already revoked."""
        target = self.get_object()
        token = ApiToken.objects.filter(user=target, pk=_int(request.data.get("token"))).first()
        if token is None:
            raise NotFound()
        return Response({"revoked": services.revoke_token(by=request.user, token=token)})

    @staticmethod
    def _valid(serializer_class, data, partial=False) -> dict:
        ser = serializer_class(data=data, partial=partial)
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


# -- the caller's own API tokens (the profile page) ---------------------------------------------------------------------
class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="Tên thiết bị / the device's name")
    days = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="chỉ trả về một lần / answered once, never again")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class OwnTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens. Minting one needs what the profile page needs: a browser session that passed a
    second factor (a token never mints tokens: a stolen one could otherwise renew itself forever). Revoking needs
    only to be signed in."""

    queryset = ApiToken.objects.none()  # (for the schema) the caller's own, below
    serializer_class = ApiTokenSerializer
    pagination_class = None

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at")

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        from rest_framework.authentication import SessionAuthentication

        verified = getattr(request.user, "is_verified", None)
        if not (isinstance(request.successful_authenticator, SessionAuthentication) and verified and verified()):
            raise PermissionDenied("Tạo mã API cần phiên đăng nhập đã xác thực hai lớp / Minting an API token needs a "
                                   "browser session that passed the second factor")
        data = self._valid(ApiTokenCreateSerializer, request.data)
        token, key = services.create_token(user=request.user, name=data["name"], days=data["days"])
        return Response({**ApiTokenSerializer(token).data, "key": key}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=inline_serializer("OwnTokenRevoked", {"revoked": serializers.BooleanField()}))
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = ApiToken.objects.filter(user=request.user, pk=_int(pk)).first()
        if token is None:
            raise NotFound()
        return Response({"revoked": services.revoke_token(by=request.user, token=token)})

    _valid = staticmethod(UserViewSet._valid)
