"""The account pages: thin views over `services`, `identity` and `queries`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cqs.accounts import queries, services
from cqs.accounts.forms import (
    AccountEditForm,
    PasswordChangeThroughServiceForm,
    PasswordResetRequestForm,
    RegisterForm,
    SetPasswordThroughServiceForm,
    SignInForm,
)
from cqs.accounts.identity import InvalidCredentials, SignInLocked, sign_in
from cqs.accounts.models import UserKind
from cqs.accounts.throttling import throttle_email, throttle_registration
from cqs.core.errors import ValidationFailed
from cqs.core.ratelimit import RateLimited


def _safe_next(request: HttpRequest) -> str:
    """Where to go after signing in: `next` when it stays on this site, otherwise "" (the signed-in
    account's home: see `_home`)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _home(user: Any) -> str:
    """Where an account starts: officials at their worklist, everyone else on the portal."""
    return reverse("office:worklist") if getattr(user, "kind", "") == UserKind.OFFICIAL else "/"


def _kind(request: HttpRequest) -> str:
    value = request.POST.get("kind") or request.GET.get("kind")
    return UserKind.ENTERPRISE if value == UserKind.ENTERPRISE else UserKind.CITIZEN


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    form = RegisterForm(request.POST or None, kind=kind)
    status = 200
    if request.method == "POST":
        form.is_valid()  # the form's own checks (the password typed twice); the service does the rest
        values = {
            "kind": kind,
            "email": form.cleaned_data.get("email") or "",
            "phone": form.cleaned_data.get("phone") or "",
            "password": form.cleaned_data.get("password") or "",
            "profile": form.profile_values(),
        }
        try:
            if form.errors:
                # Show the service's problems too, all at once, but write nothing.
                form.add_problems(services.registration_problems(**values))
            else:
                throttle_registration(request)
                user = services.account_register(**values)
                login(request, user, backend="cqs.accounts.backends.EmailOrPhoneBackend")
                if user.email:
                    messages.success(
                        request,
                        _("Đăng ký thành công. Chúng tôi đã gửi liên kết xác thực tới %(email)s.")
                        % {"email": user.email},
                    )
                else:
                    messages.success(request, _("Đăng ký thành công."))
                return redirect("accounts:account")
        except ValidationFailed as exc:
            form.add_problems(exc.details)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        status = status if status != 200 else 400
    return render(request, "accounts/register.html", {"form": form, "kind": kind}, status=status)


@sensitive_post_parameters("password")
@never_cache
def sign_in_page(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sign_in(request, credentials=form.cleaned_data)
        except InvalidCredentials:
            form.add_error(None, _("Thông tin đăng nhập hoặc mật khẩu không đúng."))
            status = 401
        except SignInLocked as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            return HttpResponseRedirect(next_url or _home(request.user))
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation (signing out by following a link would be forgeable); POST signs out."""
    if request.method == "POST":
        logout(request)
        messages.info(request, _("Bạn đã đăng xuất."))
        return redirect("/")
    return render(request, "accounts/sign_out.html")


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_verify(token=token)
    except ValidationFailed as exc:
        return render(request, "accounts/verify_email.html", {"ok": False, "message": exc.message}, status=400)
    return render(request, "accounts/verify_email.html", {"ok": True, "email": user.email})


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    try:
        throttle_email(request, "verify")
        services.email_verification_send(user=request.user)
    except (ValidationFailed, RateLimited) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi lại liên kết xác thực tới %(email)s.") % {"email": request.user.email})
    return redirect("accounts:account")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {"account": user, "profile": queries.profile_of(user), "kind": user.kind},
    )


def _initial(user: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"email": user.email, "phone": user.phone, "full_name": user.full_name}
    profile = queries.profile_as_dict(queries.profile_of(user)) or {}
    initial.update({k: v for k, v in profile.items() if v is not None})
    return initial


@login_required
@never_cache
def account_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountEditForm(request.POST or None, kind=user.kind, initial=_initial(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_update(
                actor=user,
                user=user,
                email=data.get("email") or "",
                phone=data.get("phone") or "",
                profile=form.profile_values() or None,
                full_name=data.get("full_name") if user.kind == UserKind.OFFICIAL else None,
            )
        except ValidationFailed as exc:
            form.add_problems(exc.details)
        else:
            messages.success(request, _("Đã lưu thông tin tài khoản."))
            return redirect("accounts:account")
    status = 400 if form.errors else 200
    return render(request, "accounts/account_edit.html", {"form": form, "kind": user.kind}, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeThroughServiceForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationFailed as exc:
            form.add_problems(exc.details)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("accounts:account")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            throttle_email(request, "password_reset")
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        services.password_reset_request(email=form.cleaned_data["email"])
        # The same answer whether or not an account has this address.
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view (it hides the token from the page's address), saving through our service."""

    form_class = SetPasswordThroughServiceForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    title = gettext_lazy("Đặt mật khẩu mới")

    def form_valid(self, form: SetPasswordThroughServiceForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationFailed as exc:
            form.add_problems(exc.details)
            return self.form_invalid(form)


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html", {"sign_in_url": reverse("accounts:sign_in")})
