"""Export the register (CSV, JSON, XLSX) and import it back: preview every row, then apply all or only the valid."""

import os
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability

from . import queries, transfer

SALT = "rightsloop.risks.import"
KEEP_SECONDS = 3600


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Register file (.csv, .json or .xlsx)"),
                           help_text=gettext_lazy("Use the columns of an export. Nothing is written before you "
                                                  "have seen the preview."))


# Between the preview and the confirmation the upload waits in a private temporary file, named by a random
# token; the page carries the token signed (django.core.signing) with the organisation and user, so no one
# else can apply it, and it expires after an hour.

def _upload_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "rightsloop-risk-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for stale in folder.glob("*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def _keep(request, filename: str, content: bytes) -> str:
    folder = _upload_dir()
    _forget_old_uploads(folder)
    name = secrets.token_urlsafe(24)
    descriptor = os.open(folder / f"{name}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    viewer = request.viewer
    return signing.dumps({"n": name, "f": filename[:200], "o": viewer.organisation.pk, "u": viewer.user.pk},
                         salt=SALT)


def _kept(request, token: str) -> tuple[str, bytes] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:
        return None
    viewer = request.viewer
    if data.get("o") != viewer.organisation.pk or data.get("u") != viewer.user.pk:
        return None
    path = _upload_dir() / f"{data['n']}.upload"
    try:
        return data["f"], path.read_bytes()
    except OSError:
        return None


def _drop(token: str) -> None:
    try:
        name = signing.loads(token, salt=SALT, max_age=KEEP_SECONDS)["n"]
        (_upload_dir() / f"{name}.upload").unlink(missing_ok=True)
    except (signing.BadSignature, KeyError, OSError):
        pass


@requires(Capability.RISKS_VIEW)
@require_GET
def risk_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in transfer.FORMATS:
        return render(request, "risks/transfer/export_error.html", {"formats": transfer.FORMATS}, status=400)
    risks = queries.with_awaiting_reassessment(queries.visible_risks(request.viewer).open().select_related(
        "owner").prefetch_related("rights", "markets").by_priority())
    response = HttpResponse(transfer.export(risks, fmt), content_type=transfer.CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="risks-{request.viewer.organisation.slug}-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _preview(request, *, filename: str, content: bytes, token: str = "", status: int | None = None,
             refused: bool = False):
    try:
        fmt, rows = transfer.read(filename, content)
    except transfer.TransferError as error:
        return render(request, "risks/transfer/import.html", {"form": ImportForm(), "error": str(error)},
                      status=400)
    results = transfer.validate(rows, request.viewer)
    bad = [result for result in results if not result.ok]
    return render(request, "risks/transfer/preview.html", {
        "filename": filename, "format": fmt, "results": results, "bad": bad,
        "good": len(results) - len(bad), "token": token or _keep(request, filename, content),
        "creating": sum(1 for r in results if r.ok and r.risk is None),
        "updating": sum(1 for r in results if r.ok and r.risk is not None and not r.changes_nothing),
        "unchanged": sum(1 for r in results if r.ok and r.changes_nothing),
        "refused": refused,
    }, status=status or (400 if bad else 200))


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def risk_import(request):
    if request.method == "GET":
        return render(request, "risks/transfer/import.html", {"form": ImportForm()})
    token = request.POST.get("token", "")
    if token:
        kept = _kept(request, token)
        if kept is None:
            return render(request, "risks/transfer/import.html", {
                "form": ImportForm(), "error": _("The uploaded file has expired or is not yours: upload it again."),
            }, status=400)
        filename, content = kept
        if request.POST.get("apply") not in ("all", "valid"):
            return _preview(request, filename=filename, content=content, token=token)
        try:
            _fmt, rows = transfer.read(filename, content)
            results = transfer.validate(rows, request.viewer)
            outcome = transfer.apply(results, by=request.viewer, only_valid=request.POST["apply"] == "valid")
        except (transfer.TransferError, transfer.ImportRefused):
            return _preview(request, filename=filename, content=content, token=token, status=400, refused=True)
        _drop(token)
        messages.success(request, _(
            "Import done: %(created)s risk(s) added, %(updated)s changed, %(unchanged)s unchanged, "
            "%(skipped)s row(s) left out.") % vars(outcome))
        return redirect("risks:register")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "risks/transfer/import.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > transfer.MAX_BYTES:
        form.add_error("file", _("The file is larger than 5 MB."))
        return render(request, "risks/transfer/import.html", {"form": form}, status=400)
    return _preview(request, filename=upload.name or "", content=upload.read())
