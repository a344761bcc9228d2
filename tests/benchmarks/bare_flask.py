"""The yardstick of the load benchmark (tests/benchmarks/load.py): a Flask app with one route that
returns a short text, served by the same gunicorn command as the connector (the Procfile's `web`).
A page's throughput divided by this one's is the page's cost in units of Flask's own."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Xin chào"
