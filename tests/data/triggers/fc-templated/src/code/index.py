import json


def initializer(context):
    pass


def handler(event, context):
    return json.loads(event)["events"][0]["oss"]["object"]["key"]


def etl(event, context):
    return json.loads(event)["source"]["shardId"]


def events(event, context):
    return len(event)


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
