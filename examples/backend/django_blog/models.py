from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    slug = models.SlugField(max_length=200)
    status = models.CharField(max_length=10, default="draft")
    published_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-published_at"]
