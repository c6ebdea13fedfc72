"""An SLS (log) trigger ETL handler: reads the shard range it was given and writes enriched logs.

``handler`` writes into ``parameter.target_logstore`` (the trigger's ``functionParameter``);
pointing that at the trigger's own source logstore makes every run produce the data of the
next run: the put_logs loop.
"""

import json

from aliyun.log import LogClient, LogItem, PutLogsRequest


def handler(event, context):
    info = json.loads(event)
    source = info["source"]
    creds = context.credentials
    client = LogClient(
        source["endpoint"], creds.access_key_id, creds.access_key_secret, securityToken=creds.security_token
    )
    res = client.pull_logs(
        source["projectName"],
        source["logstoreName"],
        source["shardId"],
        source["beginCursor"],
        end_cursor=source["endCursor"],
    )
    items = []
    for log in res.get_flatten_logs_json():
        item = LogItem()
        item.set_time(int(log.pop("__time__")))
        item.set_contents([(k, v) for k, v in log.items() if not k.startswith("__")] + [("enriched", "yes")])
        items.append(item)
    target = info["parameter"].get("target_logstore", source["logstoreName"] + "-enriched")
    if items:
        client.put_logs(PutLogsRequest(source["projectName"], target, "", "", items))
    return len(items)
