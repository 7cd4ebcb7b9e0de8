from django.http import HttpResponse
from django.shortcuts import redirect, render

from .models import Article, Order


def article_detail(request, pk):
    article = Article.objects.get(pk=pk)
    return render(request, "article.html", {"article": article})


def article_edit(request, pk):
    article = Article.objects.get(pk=pk)
    if request.method == "POST":
        return redirect("article_detail", pk=article.pk)
    return render(request, "edit.html", {"article": article})


def article_delete(request, pk):
    article = Article.objects.get(pk=pk)
    article.delete()
    return redirect("home")


def order_detail(request, pk):
    order = Order.objects.get(pk=pk)
    return HttpResponse(order.number)


def by_slug(request, author):
    articles = Article.objects.filter(author=author, status="live")
    return render(request, "list.html", {"articles": articles})


def by_author(request, author):
    articles = Order.objects.filter(email=author, state="open")
    return render(request, "list.html", {"articles": articles})


def by_status(request, status):
    articles = Order.objects.filter(state=status).order_by("-placed")
    return render(request, "list.html", {"articles": articles})


def by_number(request, number):
    orders = Order.objects.filter(number=number, placed__gte=request.GET["since"])
    return render(request, "list.html", {"orders": orders})
