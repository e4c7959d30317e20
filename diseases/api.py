"""REST API of the diseases app: a new rule version, and loading a disease pack (the same writes as the pages)."""
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api_forms import FormWriteView
from core.errors import Invalid
from core.roles import RULE_EDITORS

from . import packs, services
from .forms import RuleVersionForm
from .models import Disease, RuleSet


class RuleSetSerializer(serializers.ModelSerializer):
    disease = serializers.CharField(source="disease.code")

    class Meta:
        model = RuleSet
        fields = ["id", "disease", "kind", "name", "source_document", "valid_from", "values", "notes"]


class RuleVersionCreateView(FormWriteView):
    """A new version of a rule of a disease (never an edit of a past one), from `valid_from`; audited."""

    edit_roles = RULE_EDITORS
    form_class = RuleVersionForm
    extra_fields = {"disease": serializers.SlugField(help_text="mã bệnh / disease code, e.g. covid19")}
    output = RuleSetSerializer

    def perform(self, request, data, target, **kwargs):
        disease = Disease.objects.filter(code=data.pop("disease")).first()
        if disease is None:
            raise Invalid("Không có bệnh này.", "No such disease.", field="disease")
        return services.add_rule_version(by=request.user, disease=disease, **data)


class PackSerializer(serializers.Serializer):
    pack = serializers.FileField(help_text=f"YAML/JSON, tối đa / at most {packs.MAX_PACK_BYTES // 1024 // 1024} MB")


class PackLoadView(FormWriteView):
    """Load a disease pack: all or nothing; a refused pack lists each error with its line, in Vietnamese and English."""

    edit_roles = RULE_EDITORS
    input_serializer = PackSerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        upload = data["pack"]
        if upload.size > packs.MAX_PACK_BYTES:
            raise Invalid("Tệp quá lớn (tối đa 2 MB).", "The file is too large (at most 2 MB).", field="pack")
        try:
            result = packs.load(upload.read(), upload.name, by=request.user)
        except packs.PackRefused as exc:
            return Response({
                "detail": f"{exc.vi} / {exc.en}", "message_vi": exc.vi, "message_en": exc.en,
                "errors": [{"field": e.path or "pack", "line": e.line, "message_vi": e.vi, "message_en": e.en} for e in exc.errors],
            }, status=status.HTTP_400_BAD_REQUEST)
        return {"disease": result.disease.code, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged}
