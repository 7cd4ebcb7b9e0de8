"""BKD330 for Django: a ForeignKey with ``on_delete=models.DO_NOTHING`` to a model a view
deletes: Django leaves the rows that point at it, and the database's constraint refuses the
delete (a real car marketplace's ``Message.car_id`` under a RetrieveUpdateDestroyAPIView of
cars: deleting a listing with chat messages was an IntegrityError, a 500; judged a must).
Reported: DRF's own destroy, a function view's ``get_object_or_404(...).delete()``,
``perform_destroy``'s instance, ``request.user.delete()`` for a key to the user model; the fix
is CASCADE, or SET_NULL for a key that is ``null=True``. Silent twins: ``db_constraint=False``,
a key no migration makes a foreign key, a self-reference, an unmanaged model, a parent no
view deletes, a delete in a try that catches IntegrityError, a view that deletes the children
first, a ``pre_delete`` receiver, a migration's own SQL, and a DRF exception handler of the
project's that answers IntegrityError."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.conf import settings
from django.db import models
from django.db.models import DO_NOTHING


class Listing(models.Model):
    title = models.CharField(max_length=80)


class Store(models.Model):
    name = models.CharField(max_length=80)


class Inquiry(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.DO_NOTHING)
    text = models.TextField()


class Bid(models.Model):
    listing = models.ForeignKey(
        Listing, on_delete=models.DO_NOTHING, null=True, related_name="bids"
    )


class Photo(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.DO_NOTHING, db_constraint=False)


class Review(models.Model):
    store = models.ForeignKey(Store, models.DO_NOTHING)


class Note(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=DO_NOTHING)


class Category(models.Model):
    parent = models.ForeignKey("self", on_delete=models.DO_NOTHING, null=True)


class Legacy(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.DO_NOTHING)

    class Meta:
        managed = False


class Draft(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.DO_NOTHING)
"""

INITIAL = """\
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Listing",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
        ),
        migrations.CreateModel(
            name="Inquiry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("listing", models.ForeignKey(
                    on_delete=django.db.models.deletion.DO_NOTHING, to="shop.listing"
                )),
            ],
        ),
        migrations.CreateModel(
            name="Photo",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("listing", models.ForeignKey(
                    db_constraint=False,
                    on_delete=django.db.models.deletion.DO_NOTHING,
                    to="shop.listing",
                )),
            ],
        ),
        migrations.CreateModel(
            name="Draft",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("listing", models.IntegerField()),
            ],
        ),
    ]
"""

LATER = """\
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Bid",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
        ),
        migrations.AddField(
            model_name="bid",
            name="listing",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="bids",
                to="shop.listing",
            ),
        ),
        migrations.AddField(
            model_name="note",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING, to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING, to="shop.store"
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="parent",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.DO_NOTHING, to="shop.category"
            ),
        ),
        migrations.AddField(
            model_name="legacy",
            name="listing",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING, to="shop.listing"
            ),
        ),
    ]
"""

VIEWS = """\
from django.db import IntegrityError
from django.shortcuts import redirect
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Listing, Store
from .serializers import ListingSerializer


class ListingDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Listing.objects.all()
    serializer_class = ListingSerializer


class StoreView(APIView):
    def delete(self, request, pk):
        try:
            Store.objects.filter(pk=pk).delete()
        except IntegrityError:
            return Response(status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


def close_account(request):
    request.user.delete()
    return redirect("/")
"""


def _project(tmp_path: Path, views: str = VIEWS) -> Path:
    (tmp_path / "manage.py").write_text("import sys\n")
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text('INSTALLED_APPS = ["shop"]\n')
    app = tmp_path / "shop"
    (app / "migrations").mkdir(parents=True)
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text(INITIAL)
    (app / "migrations" / "0002_more.py").write_text(LATER)
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("serializers.py", "from rest_framework import serializers\n"),
        ("views.py", views),
    ]:
        (app / name).write_text(text)
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted((s for s in found if s.code == "BKD330"), key=lambda s: s.span.start.line)


def test_do_nothing_keys_to_a_model_a_view_deletes(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("models.py", 15, "Delete Inquiry rows with their Listing"),
        ("models.py", 21, "Clear Bid.listing when its Listing is deleted"),
        ("models.py", 34, "Delete Note rows with their User"),
    ]
    inquiry, bid, note = ours
    assert (
        "`Inquiry.listing` is a ForeignKey to Listing with `on_delete=models.DO_NOTHING`, and "
        "`ListingDetail` (shop/views.py:11, DRF's destroy) deletes Listing rows"
    ) in inquiry.rationale
    assert "IntegrityError" in inquiry.rationale and "a 500" in inquiry.rationale
    assert "`makemigrations`" in inquiry.rationale
    assert "`on_delete=models.SET_NULL` (the key is `null=True` already)" in bid.rationale
    assert "`close_account` (shop/views.py:26, `request.user.delete()`)" in note.rationale
    models = app / "models.py"
    text = apply_suggestion(inquiry)[str(models)]
    assert "    listing = models.ForeignKey(Listing, on_delete=models.CASCADE)\n" in text
    compile(text, "models.py", "exec")
    models.write_text(MODELS)
    text = apply_suggestion(bid)[str(models)]
    assert "        Listing, on_delete=models.SET_NULL, null=True, related_name=" in text
    models.write_text(MODELS)
    text = apply_suggestion(note)[str(models)]
    assert "from django.db.models import CASCADE, DO_NOTHING\n" in text
    assert "author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=CASCADE)\n" in text
    compile(text, "models.py", "exec")


def test_a_view_that_deletes_a_row_it_fetched(tmp_path: Path) -> None:
    _project(
        tmp_path,
        "from django.shortcuts import get_object_or_404, redirect\n"
        "from rest_framework import viewsets\n\n"
        "from .models import Listing\n\n\n"
        "def remove_listing(request, pk):\n"
        "    listing = get_object_or_404(Listing, pk=pk)\n"
        "    listing.delete()\n"
        '    return redirect("/")\n\n\n'
        "class ListingViewSet(viewsets.ModelViewSet):\n"
        "    queryset = Listing.objects.all()\n\n"
        "    def perform_destroy(self, instance):\n"
        "        instance.delete()\n",
    )
    ours = [s for s in _ours(tmp_path) if "Listing" in s.title]
    assert [s.title for s in ours] == [
        "Delete Inquiry rows with their Listing",
        "Clear Bid.listing when its Listing is deleted",
    ]
    assert (
        "`remove_listing` (shop/views.py:9, `listing.delete()`) and "
        "`ListingViewSet.perform_destroy` (shop/views.py:17, `instance.delete()`) delete "
        "Listing rows"
    ) in ours[0].rationale


def test_silent_when_the_view_deletes_the_children_first(tmp_path: Path) -> None:
    _project(
        tmp_path,
        "from django.shortcuts import redirect\n\n"
        "from .models import Inquiry, Listing\n\n\n"
        "def remove_listing(request, pk):\n"
        "    listing = Listing.objects.get(pk=pk)\n"
        "    Inquiry.objects.filter(listing=listing).delete()\n"
        "    listing.bids.all().delete()\n"
        "    listing.delete()\n"
        '    return redirect("/")\n',
    )
    assert _ours(tmp_path) == []


def test_silent_when_a_pre_delete_receiver_names_the_parent(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "signals.py").write_text(
        "from django.db.models.signals import pre_delete\n"
        "from django.dispatch import receiver\n\n"
        "from .models import Inquiry, Listing\n\n\n"
        "@receiver(pre_delete, sender=Listing)\n"
        "def drop_inquiries(sender, instance, **kwargs):\n"
        "    Inquiry.objects.filter(listing=instance).delete()\n"
    )
    assert [s.title for s in _ours(tmp_path)] == ["Delete Note rows with their User"]


def test_silent_when_a_migration_runs_its_own_sql_on_the_table(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "migrations" / "0003_cascade.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0002_more")]\n\n'
        "    operations = [\n"
        "        migrations.RunSQL(\n"
        '            "ALTER TABLE shop_inquiry ADD CONSTRAINT inquiry_listing FOREIGN KEY '
        '(listing_id) REFERENCES shop_listing (id) ON DELETE CASCADE"\n'
        "        ),\n"
        "    ]\n"
    )
    titles = [s.title for s in _ours(tmp_path)]
    assert "Delete Inquiry rows with their Listing" not in titles
    assert len(titles) == 2


def test_silent_when_the_projects_exception_handler_answers_it(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "config" / "settings.py").write_text(
        'INSTALLED_APPS = ["shop"]\n'
        'REST_FRAMEWORK = {"EXCEPTION_HANDLER": "config.errors.handler"}\n'
    )
    (tmp_path / "config" / "errors.py").write_text(
        "from django.db import IntegrityError\n"
        "from rest_framework.response import Response\n"
        "from rest_framework.views import exception_handler\n\n\n"
        "def handler(exc, context):\n"
        "    if isinstance(exc, IntegrityError):\n"
        "        return Response(status=409)\n"
        "    return exception_handler(exc, context)\n"
    )
    assert _ours(tmp_path) == []


def test_silent_with_no_migrations_to_read(tmp_path: Path) -> None:
    app = _project(tmp_path)
    for path in (app / "migrations").iterdir():
        path.unlink()
    (app / "migrations").rmdir()
    assert _ours(tmp_path) == []
