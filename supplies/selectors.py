def dashboard_tiles(request):
    return []
