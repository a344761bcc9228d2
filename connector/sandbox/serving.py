"""How the sandbox is served: werkzeug's request handler, keeping headers whose names hold an
underscore. Werkzeug drops those (as nginx and gunicorn do by default, against header spoofing), but
Zalo's API takes its token in an `access_token` header, so the sandbox must see it."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class SandboxRequestHandler(WSGIRequestHandler):
    def make_environ(self):
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ.setdefault("HTTP_" + key.upper().replace("-", "_"), value)
        return environ
