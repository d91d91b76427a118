"""A bare Flask JSON endpoint: the floor the API's figures are compared with (same server, same client)."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify({"ok": True})
