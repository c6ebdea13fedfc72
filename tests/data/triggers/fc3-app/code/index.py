def init(context):
    pass


def handler(event, context):
    return "ok"
