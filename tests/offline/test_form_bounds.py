"""BKD211 on form and serializer fields (Django forms, DRF serializers, WTForms): a number field
named for a count or a price, with no bound and no check of the form's own. Each true positive
has a clean twin; the real shape of a signed adjustment form (judged noise) stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

DJANGO_FORMS = (
    "from django import forms\n\n\n"
    "class StayForm(forms.Form):\n"
    '    nights = forms.IntegerField(label="Nights")\n'
    "    unit_price = forms.DecimalField(max_digits=8, decimal_places=2)\n"
    "    page = forms.IntegerField()\n"
)
DRF = (
    "from rest_framework import serializers\n\n\n"
    "class RentalSerializer(serializers.Serializer):\n"
    "    quantity = serializers.IntegerField()\n"
)
WTFORMS = (
    "from flask_wtf import FlaskForm\n"
    "from wtforms import IntegerField, StringField\n"
    "from wtforms.validators import DataRequired\n\n\n"
    "class HireForm(FlaskForm):\n"
    '    name = StringField("Name", validators=[DataRequired()])\n'
    '    seats = IntegerField("Seats", validators=[DataRequired()])\n'
)


def _project(root: Path, deps: str, files: dict[str, str]) -> Path:
    pyproject = f'[project]\nname = "shop"\ndependencies = [{deps}]\n'
    for rel, text in {"pyproject.toml": pyproject, "shop/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD211"]


def test_a_django_form_count_and_price_get_their_least_value(tmp_path: Path) -> None:
    root = _project(tmp_path, '"django"', {"shop/forms.py": DJANGO_FORMS})
    found = _found(root)
    assert [s.title for s in found] == [
        "Bound StayForm.nights to more than zero",
        "Bound StayForm.unit_price to zero or more",
    ]
    new = apply_suggestion(found[0])[str(root / "shop" / "forms.py")]
    ast.parse(new)
    assert '    nights = forms.IntegerField(label="Nights", min_value=1)\n' in new
    new = apply_suggestion(_found(root)[0])[str(root / "shop" / "forms.py")]
    assert "forms.DecimalField(max_digits=8, decimal_places=2, min_value=0)" in new
    assert _found(root) == []


def test_a_drf_serializer_count_is_bounded(tmp_path: Path) -> None:
    root = _project(tmp_path, '"djangorestframework"', {"shop/serializers.py": DRF})
    (found,) = _found(root)
    assert found.title == "Bound RentalSerializer.quantity to more than zero"
    new = apply_suggestion(found)[str(root / "shop" / "serializers.py")]
    assert "    quantity = serializers.IntegerField(min_value=1)\n" in new
    assert _found(root) == []


def test_a_wtforms_range_joins_the_fields_validators(tmp_path: Path) -> None:
    root = _project(tmp_path, '"flask-wtf"', {"shop/forms.py": WTFORMS})
    (found,) = _found(root)
    assert found.title == "Bound HireForm.seats to more than zero"
    new = apply_suggestion(found)[str(root / "shop" / "forms.py")]
    ast.parse(new)
    assert "from wtforms.validators import DataRequired, NumberRange\n" in new
    assert 'IntegerField("Seats", validators=[DataRequired(), NumberRange(min=1)])' in new
    assert _found(root) == []


def test_a_wtforms_field_without_validators_gets_a_list(tmp_path: Path) -> None:
    text = WTFORMS.replace('IntegerField("Seats", validators=[DataRequired()])', "IntegerField()")
    root = _project(tmp_path, '"flask-wtf"', {"shop/forms.py": text})
    (found,) = _found(root)
    new = apply_suggestion(found)[str(root / "shop" / "forms.py")]
    assert "    seats = IntegerField(validators=[NumberRange(min=1)])\n" in new


@pytest.mark.parametrize(
    "clean",
    [
        # bounded already
        '    nights = forms.IntegerField(label="Nights", min_value=1)\n',
        "    nights = forms.IntegerField(validators=[MinValueValidator(1)])\n",
        # the form checks the field itself
        "    nights = forms.IntegerField()\n\n"
        "    def clean_nights(self):\n"
        '        return max(self.cleaned_data["nights"], 1)\n',
        "    nights = forms.IntegerField()\n\n"
        "    def clean(self):\n"
        "        data = super().clean()\n"
        '        if data.get("nights", 0) < 1:\n'
        '            raise forms.ValidationError("at least one night")\n'
        "        return data\n",
    ],
)
def test_a_bounded_or_checked_field_is_left_alone(tmp_path: Path, clean: str) -> None:
    text = (
        "from django import forms\n"
        "from django.core.validators import MinValueValidator\n\n\n"
        f"class StayForm(forms.Form):\n{clean}"
    )
    root = _project(tmp_path, '"django"', {"shop/forms.py": text})
    assert _found(root) == []


def test_an_adjustment_amount_may_be_negative(tmp_path: Path) -> None:
    # "Add or subtract amount to/from balance": the sign is the point (a real app's form).
    text = (
        "from django import forms\n\n\n"
        "class AccountAdjustmentForm(forms.Form):\n"
        "    memo = forms.CharField(required=False)\n"
        "    amount = forms.DecimalField(decimal_places=2)\n"
    )
    root = _project(tmp_path, '"django"', {"shop/forms.py": text})
    assert _found(root) == []


def test_a_wtforms_field_with_a_range_is_left_alone(tmp_path: Path) -> None:
    text = WTFORMS.replace(
        "validators=[DataRequired()])\n", "validators=[DataRequired(), NumberRange(min=1)])\n"
    ).replace("import DataRequired", "import DataRequired, NumberRange")
    root = _project(tmp_path, '"flask-wtf"', {"shop/forms.py": text})
    assert _found(root) == []
