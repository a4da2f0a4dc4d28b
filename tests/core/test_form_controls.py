"""Every form field rendered through ``includes/form_field.html`` looks like a Bootstrap control: the settings
forms (三函规则, 组织生活日, 工作日历, 党费交纳标准 …) are bare ModelForms and rendered as browser-default boxes with
the label beside them; a list of check boxes or radios is laid out as a row of options under its label
(it was squeezed into a ``form-control`` box with the label underneath)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string

from apps.organizations.forms import StyledFormMixin


class PlainForm(forms.Form):
    name = forms.CharField(label="名称")
    day = forms.IntegerField(label="日期")
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲"), ("b", "乙")])
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    active = forms.BooleanField(label="启用", required=False)
    rule = forms.ChoiceField(
        label="规则", choices=[("x", "每月第几个星期几"), ("y", "每月固定日期")], widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label="组织类别", choices=[("p", "党委"), ("b", "党支部")], required=False, widget=forms.CheckboxSelectMultiple
    )
    own = forms.CharField(label="自带样式", widget=forms.TextInput(attrs={"class": "form-control-sm picker"}))


class StyledForm(StyledFormMixin, PlainForm):
    pass


def _render(form: forms.Form) -> str:
    return render_to_string("includes/form_fields.html", {"form": form})


def _tag(html: str, name: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


@pytest.mark.parametrize("form_class", [PlainForm, StyledForm])
def test_each_kind_of_field_gets_bootstrap_s_class(form_class):
    html = _render(form_class())
    assert 'class="form-control"' in _tag(html, "name") and 'class="form-control"' in _tag(html, "day")
    assert 'class="form-select"' in _tag(html, "kind")
    assert 'class="form-control"' in _tag(html, "note")
    assert 'class="form-check-input"' in _tag(html, "active")
    assert 'class="form-control-sm picker"' in _tag(html, "own")  # a form's own class is kept


@pytest.mark.parametrize("form_class", [PlainForm, StyledForm])
def test_radios_and_check_box_lists_are_a_row_of_options_under_their_label(form_class):
    html = _render(form_class())
    for name, label in (("rule", "规则"), ("kinds", "组织类别")):
        group = re.search(
            rf'<div class="choice-group"[^>]*aria-labelledby="id_{name}_label">(.*?)</div>\s*</div>', html, re.S
        )
        assert group, name
        assert f'id="id_{name}_label">{label}' in html
        assert "form-control" not in group.group(1)  # no box around the options
        assert "form-check-input" not in group.group(1)  # nor a tiny check box's style on the list itself


def test_an_error_keeps_the_class_and_marks_the_field_invalid():
    form = PlainForm(data={"day": "x", "kind": "a", "rule": "x", "own": "1"})
    html = _render(form)
    assert 'class="form-control is-invalid"' in _tag(html, "name")
    assert 'aria-invalid="true"' in _tag(html, "day")


def test_the_letter_rule_and_life_day_settings_render_styled_controls(users, client_for):
    client = client_for(users.admin)
    html = client.get("/supervision/settings/letter-rule/").content.decode()
    assert re.search(r'<input type="number" name="reminder_day"[^>]*class="form-control"', html)
    assert re.search(r'<input type="checkbox" name="is_active"[^>]*class="form-check-input"', html)
    html = client.get("/responsibility/settings/life-day/").content.decode()
    assert re.search(r'<select name="weekday"[^>]*class="form-select"', html)
    assert 'class="choice-group"' in html
