"""Response hardening applied to every request."""

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def init_app(app):
    @app.after_request
    def _harden(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        # Do not advertise the server stack.
        response.headers.pop("Server", None)
        return response
