"""FC 3.0 HTTP function: the event is the HTTP trigger's JSON, the return value a dict."""

import base64
import json


def handler(event, context):
    request = json.loads(event)
    method = request["requestContext"]["http"]["method"]
    if method == "POST":
        body = request.get("body") or ""
        if request.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        name = json.loads(body or "{}").get("name", "")
    else:
        name = request.get("queryParameters", {}).get("name", "")
    if not name:
        return {
            "statusCode": 400,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"error": "name is required"}),
        }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "isBase64Encoded": False,
        "body": json.dumps({"greeting": f"hello, {name}"}),
    }
