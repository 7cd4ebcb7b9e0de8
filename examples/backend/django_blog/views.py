import json

from django.http import JsonResponse

from .models import Post


def post_detail(request, slug):
    post = Post.objects.get(slug=slug)
    return JsonResponse({"title": post.slug})


def published(request):
    posts = Post.objects.filter(status="published").order_by("-published_at")
    limit = int(request.GET.get("limit", 20))
    return JsonResponse({"slugs": [p.slug for p in posts[:limit]]})


def search(request):
    term = request.GET["q"]
    return JsonResponse({"q": term})


def create_post(request):
    data = json.loads(request.body)
    return JsonResponse({"slug": data.get("slug")}, status=201)
