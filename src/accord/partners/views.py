from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Send each person to their face: vendor staff to the console, partner people to the portal."""
    return redirect("console:dashboard" if request.user.is_vendor else "portal:dashboard")
