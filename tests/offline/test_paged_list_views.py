"""A Django or DRF list view pages its queryset without a paginator written in its code: DRF's
generic list views by the settings' ``DEFAULT_PAGINATION_CLASS`` and ``PAGE_SIZE`` (or the
view's ``pagination_class``), Django's ``ListView`` by ``paginate_by``. Sorted by the model's
``Meta.ordering`` (or the view's own ``ordering``), the list is ``ORDER BY created_on DESC LIMIT
10``, which wants an index on ``created_on`` -- led by the foreign key the view's
``filterset_fields`` filters by (two real DRF apps' feeds and comment lists were missed so).
Silent: unpaged lists, a bare ``ListCreateAPIView`` of a whole table, rows that only link two
others (likes), sorts after an aggregate ``annotate()`` (a GROUP BY), small lookup tables,
detail views, and views under tests/."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

SETTINGS = """\
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 10,
}
"""
UNSIZED = """\
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
}
"""

MODELS = """\
from django.contrib.auth.models import User
from django.db import models


class Article(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on"]


class Note(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    body = models.TextField()
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on"]


class Star(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on"]
        unique_together = ["owner", "article"]


class Topic(models.Model):
    name = models.CharField(max_length=50)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on"]


class Feedback(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    reason = models.CharField(max_length=50)
    sent_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on"]


class Category(models.Model):
    name = models.CharField(max_length=50)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on"]


class Story(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    published = models.DateTimeField()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["title"], name="story_title")]


class Entry(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    posted = models.DateTimeField()

    class Meta:
        ordering = ["-posted"]


class Draft(models.Model):
    written = models.DateTimeField()

    class Meta:
        ordering = ["-written"]
"""

VIEWS = """\
from django.db.models import Count
from django.views.generic import ListView
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, generics, viewsets

from .models import Article, Category, Draft, Entry, Feedback, Note, Star, Story, Topic


class ArticleList(generics.ListCreateAPIView):
    queryset = Article.objects.all()
    filter_backends = [filters.SearchFilter]
    search_fields = ["title"]


class ArticleDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Article.objects.all()


class NoteList(generics.ListCreateAPIView):
    queryset = Note.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["article"]


class StarList(generics.ListCreateAPIView):
    queryset = Star.objects.all()
    filter_backends = [filters.SearchFilter]
    search_fields = ["article__title"]


class TopicList(generics.ListAPIView):
    queryset = Topic.objects.annotate(articles=Count("article")).order_by("-created_on")


class FeedbackList(generics.ListCreateAPIView):
    queryset = Feedback.objects.all()


class MyFeedback(generics.ListCreateAPIView):
    def get_queryset(self):
        return Feedback.objects.filter(owner=self.request.user)


class CategoryList(generics.ListAPIView):
    queryset = Category.objects.all()


class StoryViewSet(viewsets.ModelViewSet):
    queryset = Story.objects.all()
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["title", "published"]
    ordering = ["-published"]


class EntryPages(ListView):
    model = Entry
    paginate_by = 20


class DraftPages(ListView):
    model = Draft


class CategoryEntries(generics.ListAPIView):
    pagination_class = None

    def get_queryset(self):
        return Draft.objects.all()
"""

TEST_VIEWS = """\
from rest_framework import generics

from blog.models import Draft


class DraftList(generics.ListAPIView):
    queryset = Draft.objects.all()
"""


def _app(root: Path, settings: str = SETTINGS) -> Path:
    files = {
        "manage.py": "",
        "requirements.txt": "django==4.2\ndjangorestframework\ndjango-filter\n",
        "site/__init__.py": "",
        "site/settings.py": settings,
        "blog/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/views.py": VIEWS,
        "tests/__init__.py": "",
        "tests/test_views.py": TEST_VIEWS,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _line(text: str, needle: str) -> int:
    """The 1-based line of ``needle`` in ``text``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_paged_list_views_want_their_sort_indexed(tmp_path: Path) -> None:
    found = {s.title: s for s in _indexes(_app(tmp_path))}
    assert sorted((t, s.span.start.line + 1) for t, s in found.items()) == sorted(
        [
            # the settings page a list with a search box, sorted by Meta.ordering
            ("Add an index on article (created_on)", _line(VIEWS, "Article.objects.all()")),
            # ?article=3: one article's notes a page at a time, the parent and then the sort
            ("Add an index on note (article, created_on)", _line(VIEWS, "Note.objects.all()")),
            # a user's own feedback, a page at a time
            ("Add an index on feedback (owner, sent_on)", _line(VIEWS, "Feedback.objects.filter")),
            # the view's own ordering replaces the model's (OrderingFilter's default)
            ("Add an index on story (published)", _line(VIEWS, "Story.objects.all()")),
            # ListView.model, paged by paginate_by: no call is written for its query
            ("Add an index on entry (posted)", _line(VIEWS, "model = Entry")),
        ]
    )
    article = found["Add an index on article (created_on)"]
    assert article.proven
    before, after = article.rationale.split("Plan after:")
    assert "USE TEMP B-TREE FOR ORDER BY" in before.split("Plan before:")[1]
    assert "TEMP B-TREE" not in after and "USING INDEX proposed_index" in after
    assert "PAGE_SIZE = 10" in article.rationale
    assert "makemigrations" in article.rationale
    (edit,) = article.edits
    assert edit.path.endswith("blog/models.py")
    assert edit.span.start.line + 1 == _line(MODELS, "created_on = models.DateTimeField")
    assert edit.new_text == ", db_index=True"

    # a composite goes in Meta.indexes, the app's idiom for one
    (note,) = found["Add an index on note (article, created_on)"].edits
    assert 'models.Index(fields=["article", "created_on"], name="ix_note_article_created_on")' in (
        note.new_text
    )
    assert "filterset_fields" in found["Add an index on note (article, created_on)"].rationale
    # a model that lists its indexes in Meta.indexes gets the new one there, not db_index
    (story,) = found["Add an index on story (published)"].edits
    assert 'models.Index(fields=["published"], name="ix_story_published")' in story.new_text
    assert 'models.Index(fields=["title"], name="story_title")' in story.new_text
    (entry,) = found["Add an index on entry (posted)"].edits
    assert entry.new_text == "db_index=True"


def test_silent_for_lists_no_index_serves_or_nobody_pages(tmp_path: Path) -> None:
    titles = {s.title for s in _indexes(_app(tmp_path))}
    for table in ("star", "topic", "category", "draft"):
        # a like's rows link two others; a sort after Count() sorts groups; categories stay
        # few; an unpaged ListView, a view with pagination_class = None and one under tests/
        assert not any(f"on {table} " in t for t in titles), (table, titles)
    # the bare ListCreateAPIView of every feedback: the create endpoint's list
    assert "Add an index on feedback (sent_on)" not in titles


def test_drf_pages_nothing_without_a_page_size(tmp_path: Path) -> None:
    # DRF's PageNumberPagination with no PAGE_SIZE returns every row: nothing is paged
    titles = {s.title for s in _indexes(_app(tmp_path, UNSIZED))}
    assert titles == {"Add an index on entry (posted)"}  # (Django's ListView pages alone)


GROUPED_VIEWS = """\
from django.db.models import Count, F
from rest_framework import generics

from .models import Article, Topic


class TopicByName(generics.ListAPIView):
    def get_queryset(self):
        name = self.kwargs["name"]
        return Topic.objects.annotate(n=Count("article")).filter(name=name).order_by("-created_on")


class Renamed(generics.ListAPIView):
    queryset = Article.objects.annotate(heading=F("title")).order_by("-created_on")
"""


def test_an_aggregate_annotation_keeps_the_sort_but_not_the_search(tmp_path: Path) -> None:
    root = _app(tmp_path)
    (root / "blog/views.py").write_text(GROUPED_VIEWS, encoding="utf-8")
    found = {s.title: s for s in _indexes(root)}
    # GROUP BY id: the WHERE still narrows before the groups are made (a SCAN becomes a
    # SEARCH), the sort of the groups stays; an F() annotation groups nothing
    assert set(found) == {
        "Add an index on topic (name)",
        "Add an index on article (created_on)",
    }
    assert "GROUP BY" not in found["Add an index on article (created_on)"].rationale


def test_a_lookup_on_the_way_in_get_queryset_is_not_the_list(tmp_path: Path) -> None:
    """Only the queryset ``get_queryset`` returns is paged with the view's ordering: a row
    looked up first (``Article.objects.filter(title=...).first()``) is no list."""
    views = VIEWS + (
        "\n\nclass ByTitle(generics.ListAPIView):\n"
        "    def get_queryset(self):\n"
        '        first = Article.objects.filter(title=self.kwargs["title"]).first()\n'
        "        notes = Note.objects.filter(article=first)\n"
        "        return notes\n"
    )
    root = _app(tmp_path)
    (root / "blog/views.py").write_text(views, encoding="utf-8")
    found = {s.title: s for s in _indexes(root)}
    # the lookup keeps its own reading (``first()`` under Meta.ordering), not the view's pages
    lookup = found["Add an index on article (title, created_on)"]
    assert "first()" in lookup.rationale and "PAGE_SIZE" not in lookup.rationale
    # the list it returns, narrowed by its parent, is still read as the view's
    assert "Add an index on note (article, created_on)" in found
