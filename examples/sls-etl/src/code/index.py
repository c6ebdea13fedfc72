"""SLS ETL function, written like the SLS trigger sample of the FC docs.

The event carries no logs, only a cursor range of one shard of the source logstore;
the function pulls the range itself with ``LogClient.pull_logs`` until the next
cursor equals the cursor, keeps the requests whose status is at least
``parameter.minStatus`` and writes them to ``parameter.targetLogstore`` (same project).
A range without data (the extra trigger when the storage system upgrades) is ignored.
"""

import json
import logging

from aliyun.log import LogClient, LogItem, PutLogsRequest

logger = logging.getLogger()


def handler(event, context):
    info = json.loads(event.decode())
    source = info["source"]
    parameter = info.get("parameter") or {}
    creds = context.credentials
    client = LogClient(source["endpoint"], creds.access_key_id, creds.access_key_secret, creds.security_token)

    pulled, kept = 0, []
    min_status = int(parameter.get("minStatus", 400))
    cursor = source["beginCursor"]
    while True:
        res = client.pull_logs(
            source["projectName"], source["logstoreName"], source["shardId"], cursor, 10, source["endCursor"]
        )
        for group in res.get_loggroup_json_list():
            for log in group["logs"]:
                pulled += 1
                if int(log.get("status", "0")) >= min_status:
                    kept.append(log)
        next_cursor = res.get_next_cursor()
        if next_cursor == cursor:
            break
        cursor = next_cursor

    if pulled == 0:
        logger.info("empty trigger for shard %s (storage upgrade): nothing to do", source["shardId"])
        return {"pulled": 0, "written": 0}

    items = []
    for log in kept:
        contents = [(k, v) for k, v in log.items() if not k.startswith("@")]
        contents.append(("etl_task_id", info["taskId"]))
        items.append(LogItem(timestamp=log["@lh_time"], contents=contents))
    if items:
        client.put_logs(PutLogsRequest(source["projectName"], parameter["targetLogstore"], "errors", "", items))
    logger.info("shard %s: pulled %d logs, wrote %d", source["shardId"], pulled, len(items))
    return {"pulled": pulled, "written": len(items)}
