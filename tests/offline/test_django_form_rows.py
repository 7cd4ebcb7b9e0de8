"""Django lookups whose 404 was judged noise: a form's ``clean`` methods (the form answers a
missing row with its ValidationError, and when it does not yet, the fix raises one), ids the
app keeps in its own session, a form wizard's cleaned data of a ModelChoiceField, and a
syndication feed's ``get_object`` (the feed turns DoesNotExist into a 404 itself). A lookup
by a form field declared as plain text that nothing of the form checks is still reported."""

from __future__ import annotations

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Cart(models.Model):
    owner = models.CharField(max_length=40)


class Coupon(models.Model):
    code = models.CharField(max_length=20, unique=True)
    percent = models.IntegerField()


class Product(models.Model):
    sku = models.CharField(max_length=20, unique=True)
    price = models.IntegerField()
"""

FORMS = """\
from django import forms

from .models import Coupon, Product


class RequestMixin:
    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)


class CouponForm(RequestMixin, forms.Form):
    code = forms.CharField()
    sku = forms.CharField()

    def clean_code(self):
        coupon = Coupon.objects.filter(code=self.cleaned_data["code"]).first()
        if coupon is None:
            raise forms.ValidationError("No such coupon.")
        return coupon

    def clean_sku(self):
        try:
            return Product.objects.get(sku=self.cleaned_data["sku"])
        except Product.DoesNotExist:
            raise forms.ValidationError("No such product.") from None

    def clean(self):
        data = super().clean()
        gift = Product.objects.get(sku=self.request.POST["gift"])
        extra = Coupon.objects.filter(code=data.get("extra")).first()
        data["total"] = gift.price - extra.percent
        return data


class PickForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.all())


class CodeForm(forms.Form):
    code = forms.CharField()


class CheckedCodeForm(forms.Form):
    code = forms.CharField()

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not Coupon.objects.filter(code=code).exists():
            raise forms.ValidationError("No such coupon.")
        return code


class ReassignForm(forms.Form):
    product = forms.ChoiceField()
    sku = forms.CharField(disabled=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.id, p.sku) for p in Product.objects.all()]

    def clean_product(self):
        product = self.cleaned_data["product"]
        product = Product.objects.get(id=product)
        return product

    def clean_sku(self):
        return Product.objects.get(sku=self.cleaned_data.get("sku", ""))
"""

VIEWS = """\
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from formtools.wizard.views import SessionWizardView

from .forms import CheckedCodeForm, CodeForm, PickForm
from .models import Cart, Coupon, Product


def cart_detail(request):
    cart = Cart.objects.get(id=request.session["cart_id"])
    return JsonResponse({"owner": cart.owner})


def cart_owner(request):
    cart_id = request.session.get("cart_id")
    cart = Cart.objects.filter(id=cart_id).first()
    return JsonResponse({"owner": cart.owner})


def redeem(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        coupon = Coupon.objects.get(code=form.cleaned_data["code"])
        return JsonResponse({"percent": coupon.percent})
    return JsonResponse({"errors": form.errors}, status=400)


def redeem_checked(request):
    form = CheckedCodeForm(request.POST)
    if form.is_valid():
        coupon = Coupon.objects.get(code=form.cleaned_data["code"])
        return JsonResponse({"percent": coupon.percent})
    return JsonResponse({"errors": form.errors}, status=400)


class OrderWizard(SessionWizardView):
    form_list = [("pick", PickForm)]

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        data = self.get_cleaned_data_for_step("pick")
        if data:
            product = Product.objects.filter(pk=data["product"].pk).first()
            context["price"] = product.price
        context["lang"] = self.request.LANGUAGE_CODE
        return context

    def done(self, form_list, **kwargs):
        forms = [form.cleaned_data for form in form_list]
        product = Product.objects.get(pk=forms[0]["product"].pk)
        again = Product.objects.filter(pk=self.get_all_cleaned_data()["product"].id).first()
        self.request.session["ordered"] = product.pk
        return JsonResponse({"price": product.price + again.price})


class ProductFeed(Feed):
    def get_object(self, request, sku):
        return Product.objects.get(sku=sku)

    def items(self, obj):
        return Product.objects.filter(price=obj.price)
"""


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> list[Suggestion]:
    root = tmp_path_factory.mktemp("django_form_rows")
    files = {
        "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["django", "django-formtools"]\n',
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
        "shop/forms.py": FORMS,
        "shop/views.py": VIEWS,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return [
        s
        for s in collect([str(root)], ["error-handling"])
        if s.code in ("BKD304", "BKD306", "BKD312")
    ]


def _at(found: list[Suggestion], name: str) -> dict[int, Suggestion]:
    return {s.span.start.line + 1: s for s in found if s.path.endswith(name)}


def test_a_forms_clean_raises_validation_error_never_404(found: list[Suggestion]) -> None:
    forms = _at(found, "forms.py")
    # clean_code's checked .first() and clean_sku's converted DoesNotExist: nothing, nor
    # ReassignForm's lookups by a choice (filled from the rows) or a disabled field; clean's
    # unchecked .get() by the posted gift and .first() by the cleaned extra: a form error
    assert sorted((line, s.code) for line, s in forms.items()) == [(30, "BKD304"), (31, "BKD306")]
    for s in forms.values():
        text = "".join(e.new_text for e in s.edits)
        assert 'raise forms.ValidationError("No such ' in text
        assert "404" not in text
        assert s.title.startswith("Raise ValidationError")
    assert "except Product.DoesNotExist:" in forms[30].edits[-1].new_text
    assert "if extra is None:" in forms[31].edits[-1].new_text


def test_session_wizard_and_feed_lookups_are_left_alone(found: list[Suggestion]) -> None:
    views = _at(found, "views.py")
    # the session's cart id (lines 10, 16), the wizard's chosen product (41, 48, 49) and the
    # feed's get_object (57) give nothing; the plain CharField nothing checks is reported
    assert sorted(views) == [23]
    assert views[23].code == "BKD304"
    assert "get_object_or_404(Coupon" in views[23].edits[-1].new_text
