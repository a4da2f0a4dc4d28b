"""Deployment-wide rule tables (recruitment intervals, meeting requirements, parameters …) edited on pages by
root administrators: one generic list + edit view; each app supplies its service, which validates and audits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from .scoping import is_root_admin
from .views import form_errors_from


class RootAdminRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not is_root_admin(request.user):
            raise PermissionDenied(_("只有系统管理员（市级及以上）可以修改全局规则表。"))
        return super().dispatch(request, *args, **kwargs)


class RootTableListView(RootAdminRequiredMixin, TemplateView):
    """Rows of one table, each with the value, its source, and a link to edit it."""

    template_name = "core/root_table_list.html"
    model: type[models.Model]
    title: Any = ""
    #: (header, attribute or callable)
    columns: list[tuple[Any, Any]] = []
    source: Callable[[Any], str] = staticmethod(lambda row: "")  # type: ignore[assignment]
    edit_url_name = ""

    def rows(self) -> Any:
        return self.model._default_manager.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        table = []
        for row in self.rows():
            cells = []
            for _header, attr in self.columns:
                value = attr(row) if callable(attr) else getattr(row, attr)
                if isinstance(value, bool):
                    value = _("是") if value else _("否")
                cells.append("—" if value in (None, "") else value)
            table.append({"pk": row.pk, "cells": cells, "source": self.source(row)})
        ctx.update(
            title=self.title,
            headers=[h for h, _a in self.columns],
            table=table,
            edit_url_name=self.edit_url_name,
        )
        return ctx


class RootTableEditView(RootAdminRequiredMixin, FormView):
    template_name = "core/root_table_form.html"
    model: type[models.Model]
    fields: list[str] = []
    title: Any = ""
    list_url_name = ""
    service: Callable[..., Any]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.object = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> type[forms.Form]:
        return forms.modelform_factory(self.model, fields=self.fields)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model._default_manager.get(pk=self.object.pk)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.urls import reverse

        return super().get_context_data(
            title=self.title, object=self.object, cancel_url=reverse(self.list_url_name), **kwargs
        )

    def form_valid(self, form: Any) -> Any:
        from django.urls import reverse

        data = {name: form.cleaned_data[name] for name in self.fields}
        try:
            type(self).service(acting_user=self.request.user, obj=self.object, data=data)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return HttpResponseRedirect(reverse(self.list_url_name))
