from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.CharField(max_length=200)
    author = models.CharField(max_length=100)
    status = models.CharField(max_length=20)


class Order(models.Model):
    number = models.CharField(max_length=40)
    email = models.CharField(max_length=200)
    state = models.CharField(max_length=20)
    placed = models.DateTimeField()
