"""python -m connector.sandbox [--port 5001]: the sandbox marketplaces and bank, with webhooks to the connector."""

import argparse
import os
import signal
import sys

from werkzeug.serving import run_simple

from connector.sandbox import create_sandbox_app
from connector.sandbox.serving import SandboxRequestHandler

parser = argparse.ArgumentParser(prog="python -m connector.sandbox")
parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "5001")))
parser.add_argument("--connector", default=os.environ.get("CONNECTOR_URL", "http://127.0.0.1:5000"))
options = parser.parse_args()
webhooks = {
    "postmart": {"url": f"{options.connector}/api/v1/webhooks/postmart", "secret": "demo-postmart-webhook"},
    "voso": {"url": f"{options.connector}/api/v1/webhooks/voso", "secret": "demo-voso-webhook"},
    "carrier": {"url": f"{options.connector}/api/v1/webhooks/carrier",
                "secret": os.environ.get("CARRIER_WEBHOOK_SECRET", "demo-carrier-webhook")},
    "sms": {"url": f"{options.connector}/api/v1/webhooks/sms",
            "secret": os.environ.get("SMS_WEBHOOK_SECRET", "demo-sms-webhook")},
    "bank": {"url": f"{options.connector}/api/v1/webhooks/payments",
             "secret": os.environ.get("PAYMENTS_WEBHOOK_SECRET", "demo-bank-webhook")},
}


class KeepAliveHandler(SandboxRequestHandler):
    """HTTP/1.1, so that clients keep their connections open as with the real marketplaces (the
    development server speaks HTTP/1.0 by default: a new TCP connection for every call)."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-"):
        # The worker polls the event lists every 15 s: logging each answer would scroll the demo
        # logins of `make run` away. Refused and failed requests are still logged.
        if str(code).isdigit() and int(code) >= 400:
            super().log_request(code, size)


# honcho (`make run`) stops the sandbox with SIGTERM: that is a normal stop, not a crash.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


run_simple("127.0.0.1", options.port, create_sandbox_app({"webhooks": webhooks}), threaded=True,
           request_handler=KeepAliveHandler)
