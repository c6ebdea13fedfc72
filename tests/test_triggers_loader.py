"""load_app: Serverless Devs fc (1.0.0) / fc3 (3.0.0) and Funcraft template.yml.

Data files under tests/data/triggers/ are shaped like the real ones the reference
(section 3 and 9) cites: awesome-fc/code-example app templates with publish.yaml,
devsapp/fc3 __tests__/e2e/trigger/*/s.yaml, alibaba/funcraft examples/*/template.yml.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from pytest_fctrigger.triggers.loader import ConfigWarning, load_app
from pytest_fctrigger.triggers.template import FAKE_ACCOUNT_ID

DATA = Path(__file__).parent / "data" / "triggers"
FC_TEMPLATED = DATA / "fc-templated" / "src" / "s.yaml"
FC3_APP = DATA / "fc3-app" / "s.yaml"
FUNCRAFT = DATA / "funcraft" / "template.yml"


def codes(app):
    return [n.code for n in app.notes]


# --------------------------------------------------------------------------- fc 1.0.0
def test_fc_templated_app_loads_every_service_with_vars_and_publish_defaults():
    app = load_app(FC_TEMPLATED, {"bucketName": "media-in"}, env={}, warn=False)
    assert app.format == "fc"
    assert list(app.functions) == ["resize-dev", "etl", "events", "web"]

    resize = app.function("resize-dev")
    assert (resize.handler, resize.runtime, resize.timeout, resize.memory) == ("index.handler", "python3.9", 60, 512)
    assert resize.code_dir == (FC_TEMPLATED.parent / "code").resolve()
    assert resize.environment == {"OUTPUT_PREFIX": "processed/", "MAX_SIDE": "1024"}  # FC env values are strings
    assert (resize.initializer, resize.initialization_timeout) == ("index.initializer", 10)
    assert resize.service == "media-pipeline"  # service: ${vars.service} -> a whole mapping
    assert resize.region == "cn-hangzhou"  # {{ region }} from publish.yaml default

    [oss] = resize.triggers
    assert oss.bucket == "media-in"  # bucketName from vars= (placeholder without default)
    assert oss.source_arn == f"acs:oss:cn-hangzhou:{FAKE_ACCOUNT_ID}:media-in"
    assert (oss.prefix, oss.suffix) == ("source/", ".png")  # capital Key/Prefix/Suffix normalised
    assert oss.config["filter"] == {"key": {"prefix": "source/", "suffix": ".png"}}
    assert oss.role == f"acs:ram::{FAKE_ACCOUNT_ID}:role/aliyunosseventnotificationrole"
    assert oss.function == "resize-dev"

    [log] = app.function("etl").triggers
    # unquoted {{ maxRetryTime }} rendered before YAML parsing -> an int from the '3' default
    assert (log.trigger_interval, log.max_retry_time) == (60, 3)
    assert (log.project, log.logstore) == ("media-logs", "access-log")
    assert log.function_parameter == {"target": "warehouse"}
    assert log.log_config == {"project": "media-logs", "logstore": "etl-log"}

    timer, mns, ots, cdn = app.function("events").triggers
    assert timer.cron == "CRON_TZ=Asia/Shanghai 0 0 2 * * *" and timer.payload == '{"job": "cleanup"}'
    assert (mns.topic, mns.filter_tag, mns.notify_format) == ("orders", "paid", "JSON")
    assert (ots.instance, ots.table) == ("shop", "orders")
    assert (cdn.cdn_event_name, cdn.domains, cdn.event_version) == ("LogFileCreated", ["static.example.com"], "1.0.0")
    [http] = app.function("web").triggers
    assert (http.auth_type, http.methods) == ("anonymous", ["GET", "POST"])


def test_fc_templated_reports_each_placeholder_default_once_with_its_line():
    app = load_app(FC_TEMPLATED, {"bucketName": "b"}, env={}, warn=False)
    notes = {n.message.split("}}")[0]: n for n in app.notes if n.code == "FCT010"}
    assert set(notes) == {
        "placeholder {{ access ",
        "placeholder {{ region ",
        "placeholder {{ serviceName ",
        "placeholder {{ logProject ",
        "placeholder {{ maxRetryTime ",
        "placeholder {{ triggerInterval ",
    }
    assert notes["placeholder {{ region "].line == 10
    assert "publish.yaml default 'cn-hangzhou'" in notes["placeholder {{ region "].message
    assert "no default" in notes["placeholder {{ access "].message
    assert all(n.file == str(FC_TEMPLATED) for n in app.notes)


def test_vars_fill_placeholders_and_override_file_vars_and_env_defaults():
    app = load_app(FC_TEMPLATED, {"bucketName": "b", "region": "cn-beijing", "stage": "prod"}, env={}, warn=False)
    resize = app.function("resize-prod")  # name: resize-${vars.stage}; vars= overrides the file's vars
    assert resize.region == "cn-beijing"
    assert resize.triggers[0].source_arn.startswith("acs:oss:cn-beijing:")
    assert "placeholder {{ region " not in " ".join(n.message for n in app.notes)


def test_env_function_reads_the_given_environment():
    app = load_app(FC_TEMPLATED, {"bucketName": "b"}, env={"STAGE": "qa"}, warn=False)
    assert "resize-qa" in app.functions


def test_load_app_issues_config_warnings_unless_told_not_to():
    with pytest.warns(ConfigWarning, match="FCT010"):
        load_app(FC_TEMPLATED, {"bucketName": "b"}, env={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_app(FC_TEMPLATED, {"bucketName": "b"}, env={}, warn=False)


def test_account_id_is_fake_by_default_and_can_be_chosen():
    app = load_app(FC_TEMPLATED, {"bucketName": "b"}, env={}, warn=False)
    assert app.account_id == FAKE_ACCOUNT_ID
    chosen = load_app(FC_TEMPLATED, {"bucketName": "b"}, env={}, warn=False, account_id="1999999999999999")
    assert (
        chosen.function("events").trigger("orders").source_arn == "acs:mns:cn-hangzhou:1999999999999999:/topics/orders"
    )


# --------------------------------------------------------------------------- fc3 3.0.0
def test_fc3_app_with_template_extend_nested_vars_and_every_eventbridge_source():
    app = load_app(FC3_APP, env={}, warn=False)
    assert app.format == "fc3"
    # the fc3-domain resource is not a function; the `bus` resource computes its component
    assert list(app.functions) == ["orders-prod-thumbs", "orders-prod-bus", "orders-prod-api"]
    thumbs = app.function("thumbnails")  # resource key works as an alias
    assert thumbs.name == "orders-prod-thumbs" and thumbs.resource == "thumbnails"
    # extend: python-fn template merged under the resource's own props
    assert (thumbs.runtime, thumbs.timeout, thumbs.memory) == ("python3.10", 30, 256)
    assert thumbs.environment == {"APP": "orders-prod"}  # ${vars.full-name} = ${vars.naming.prefix}-...
    assert (thumbs.initializer, thumbs.initialization_timeout) == ("index.init", 15)
    assert thumbs.description == "orders-prod-thumbs makes thumbnails"  # ${this.props.functionName}
    images, docs = thumbs.triggers
    assert images.bucket == docs.bucket == "orders-prod-uploads"
    assert images.region == "cn-shanghai" and images.qualifier == "LATEST"
    assert images.events == ["oss:ObjectCreated:*", "oss:ObjectRemoved:DeleteObject"]

    bus = app.function("orders-prod-bus")
    by_name = {t.name: t for t in bus.triggers}
    assert {n: t.event_source_type for n, t in by_name.items()} == {
        "default-source": "Default",
        "mns-queue": "MNS",
        "rocketmq": "RocketMQ",
        "rabbitmq": "RabbitMQ",
        "kafka": "Kafka",
        "dts": "DTS",
    }
    assert by_name["default-source"].event_rule_pattern == {
        "source": ["acs.oss"],
        "type": ["oss:BucketCreated:PutBucket"],
    }
    assert by_name["mns-queue"].event_source_parameters["QueueName"] == "order-queue"
    assert by_name["rocketmq"].event_source_parameters["GroupID"] == "GID_orders"
    assert by_name["kafka"].delivery_mode == "event-streaming"
    assert by_name["kafka"].config["runOptions"]["batchWindow"] == {"CountBasedWindow": 2, "TimeBasedWindow": 10}
    assert by_name["rocketmq"].delivery_mode == "event-driven"
    assert by_name["dts"].event_source_parameters["Password"] == "not-a-real-password"
    [http] = app.function("api").triggers
    assert (http.auth_type, http.methods) == ("function", ["GET", "POST", "PUT"])
    assert not [n for n in app.notes if n.code != "FCT014"], app.warnings


def test_fc3_lowercase_and_capital_filter_in_one_file_warn_once(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\nname: mixed\nresources:\n"
        "  a:\n    component: fc3\n    props:\n      region: cn-hangzhou\n      functionName: a\n"
        "      runtime: python3.10\n      handler: index.handler\n      code: ./code\n      triggers:\n"
        "        - triggerName: t1\n          triggerType: oss\n"
        "          sourceArn: acs:oss:cn-hangzhou:123:bkt\n"
        "          triggerConfig:\n            events: [oss:ObjectCreated:*]\n"
        "            filter:\n              Key:\n                Prefix: in/\n                Suffix: .csv\n"
        "        - triggerName: t2\n          triggerType: oss\n"
        "          triggerConfig:\n            bucketName: bkt\n            events: [oss:ObjectRemoved:DeleteObject]\n"
        "            filter:\n              prefix: out/\n"
    )
    app = load_app(tmp_path / "s.yaml", warn=False)
    t1, t2 = app.function("a").triggers
    assert (t1.bucket, t1.prefix, t1.suffix) == ("bkt", "in/", ".csv")
    assert (t2.bucket, t2.prefix, t2.suffix) == ("bkt", "out/", "")  # flat filter.prefix lifted under key
    mixed = [n for n in app.notes if n.code == "FCT011"]
    assert len(mixed) == 2, app.warnings
    assert any(
        "Key/Prefix/Suffix ('t1' line 18)" in n.message and "prefix/suffix without key ('t2' line 27)" in n.message
        for n in mixed
    )
    assert any("sourceArn ('t1'" in n.message and "bucketName ('t2'" in n.message for n in mixed)


def test_duplicate_function_names_are_keyed_by_resource(tmp_path):
    # devsapp/fc3 __tests__/e2e/trigger/other/s.yaml: two resources, one functionName, two regions
    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\nname: dup\nresources:\n"
        + "".join(
            f"  {key}:\n    component: fc3\n    props:\n      region: {region}\n"
            "      functionName: nodejs18-ci\n      runtime: python3.10\n      handler: index.handler\n"
            for key, region in (("fcDemo", "cn-huhehaote"), ("fcDemo2", "cn-shenzhen"))
        )
    )
    app = load_app(tmp_path / "s.yaml", warn=False)
    assert sorted(app.functions) == ["fcDemo", "fcDemo2"]
    assert app.function("fcDemo2").region == "cn-shenzhen"
    [note] = [n for n in app.notes if n.code == "FCT016"]
    assert "'nodejs18-ci' is declared 2 times" in note.message
    with pytest.raises(KeyError, match="functions: fcDemo, fcDemo2"):
        app.function("nodejs18-ci")


# --------------------------------------------------------------------------- Funcraft
def test_funcraft_template_pascal_case_properties_and_every_event_type():
    app = load_app(FUNCRAFT, warn=False)
    assert app.format == "funcraft"
    assert list(app.functions) == ["unzip", "sls-processor", "web"]
    unzip = app.function("media-service/unzip")
    assert unzip is app.function("unzip")
    assert (unzip.service, unzip.timeout, unzip.memory) == ("media-service", 600, 1024)
    assert unzip.code_dir == (FUNCRAFT.parent / "functions" / "unzip").resolve()
    assert unzip.environment == {"PROCESSED_DIR": "dst/"}
    oss, timer = unzip.triggers
    assert (oss.bucket, oss.prefix, oss.suffix) == ("media-bucket", "src/", ".zip")
    assert oss.events[-1] == "oss:ObjectCreated:PutSymlink"
    assert (timer.cron, timer.payload, timer.enabled) == ("0 0 8 * * *", "awesome-fc", True)

    log, mns, ots, cdn = app.function("sls-processor").triggers  # the RDS event is skipped
    assert (log.project, log.logstore, log.trigger_interval, log.max_retry_time) == ("log-com-m", "log-com-m", 30, 1)
    assert log.role == "acs:ram::1234567890123456:role/aliyunlogetlrole"  # InvocationRole taken out of config
    assert "InvocationRole" not in log.config
    assert (mns.topic, mns.region, mns.notify_format, mns.notify_strategy, mns.filter_tag) == (
        "test-topic",
        "cn-shanghai",
        "JSON",
        "EXPONENTIAL_DECAY_RETRY",
        "testTag",
    )
    assert (ots.instance, ots.table) == ("fc-test-inst", "fc_test_tbl")
    assert (cdn.cdn_event_name, cdn.domains) == ("CachedObjectsRefreshed", ["www.taobao.com"])
    [http] = app.function("web").triggers
    assert (http.auth_type, http.methods) == ("anonymous", ["GET", "POST", "PUT"])  # ANONYMOUS normalised
    assert codes(app) == ["FCT015"]  # PascalCase is Funcraft's own spelling: no casing warnings
    assert "RDS trigger 'mysql-binlog'" in app.notes[0].message


def test_funcraft_lowercase_properties_as_in_its_own_examples(tmp_path):
    # alibaba/funcraft examples/oss-trigger/template.yml writes bucketName/events/filter.key.prefix
    (tmp_path / "template.yml").write_text(
        "ROSTemplateFormatVersion: '2015-09-01'\nTransform: 'Aliyun::Serverless-2018-04-03'\nResources:\n"
        "  oss-test-service:\n    Type: 'Aliyun::Serverless::Service'\n"
        "    oss-test-function:\n      Type: 'Aliyun::Serverless::Function'\n      Properties:\n"
        "        Handler: index.handler\n        Runtime: python2.7\n        CodeUri: './'\n      Events:\n"
        "        oss-trigger-name:\n          Type: OSS\n          Properties:\n"
        "            bucketName: coco-superme\n            events:\n"
        "              - oss:ObjectCreated:InitiateMultipartUpload\n"
        "            filter:\n              key:\n                prefix: source/\n                suffix: .png\n"
    )
    [trigger] = load_app(tmp_path / "template.yml", warn=False).function("oss-test-function").triggers
    assert (trigger.bucket, trigger.events, trigger.prefix, trigger.suffix) == (
        "coco-superme",
        ["oss:ObjectCreated:InitiateMultipartUpload"],
        "source/",
        ".png",
    )


# --------------------------------------------------------------------------- templating details
def test_multiline_placeholder_value_keeps_yaml_line_numbers(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\n"
        "name: {{ description }}\n"  # line 2: the value spans 2 lines once rendered
        "resources:\n"
        "  f:\n    component: fc3\n    props:\n      functionName: f\n      runtime: python3.10\n"
        "      handler: index.handler\n"
        "      timeout: soon\n"  # line 10: a bad value
    )
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_app(tmp_path / "s.yaml", {"description": "multi\n  # a second line"}, warn=False)
    assert info.value.line == 10
    assert "timeout must be a positive integer, got 'soon'" in str(info.value)


def test_vars_cycle_and_undefined_var_are_config_errors(tmp_path):
    from pytest_fctrigger.errors import ConfigError

    body = (
        "edition: 3.0.0\nname: x\nvars:\n  a: ${vars.b}\n  b: ${vars.a}\nresources:\n  f:\n"
        "    component: fc3\n    props:\n      functionName: ${vars.%s}\n      runtime: python3.10\n"
        "      handler: index.handler\n"
    )
    (tmp_path / "cycle.yaml").write_text(body % "a")
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        load_app(tmp_path / "cycle.yaml", warn=False)
    (tmp_path / "undefined.yaml").write_text(body % "nope")
    with pytest.raises(ConfigError, match=r"\$\{vars.nope\} is not defined; defined vars: a, b") as info:
        load_app(tmp_path / "undefined.yaml", warn=False)
    assert info.value.line == 10


def test_unset_env_without_default_is_a_warning_and_empty(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\nname: x\nresources:\n  f:\n    component: fc3\n    props:\n"
        "      functionName: f\n      runtime: python3.10\n      handler: index.handler\n"
        "      environmentVariables:\n        TOKEN: ${env(API_TOKEN)}\n"
    )
    app = load_app(tmp_path / "s.yaml", env={}, warn=False)
    assert app.function("f").environment == {"TOKEN": ""}
    [note] = app.notes
    assert (note.code, note.line) == ("FCT013", 11)


# ---------------------------------------------- every loader: templated, both casings, several functions
FC_BOTH_CASINGS = """\
edition: 1.0.0
name: {{ appName }}
access: default
services:
  resize:
    component: devsapp/fc
    props:
      region: {{ region }}
      service: {name: media}
      function: {name: resize, runtime: python3.9, handler: index.handler, codeUri: ./code, timeout: {{ timeout }}}
      triggers:
        - name: uploads
          type: oss
          config:
            bucketName: {{ bucket }}
            events: [oss:ObjectCreated:PutObject]
            filter:
              Key:
                Prefix: src/
                Suffix: .png
  archive:
    component: fc
    props:
      region: {{ region }}
      service: {name: media}
      function: {name: archive, runtime: python3.9, handler: index.archive, codeUri: ./code}
      triggers:
        - name: deletes
          type: oss
          sourceArn: acs:oss:{{ region }}:${config(AccountID)}:{{ bucket }}
          config:
            events: [oss:ObjectRemoved:DeleteObject]
            filter:
              key:
                prefix: src/
"""

FC3_BOTH_CASINGS = """\
edition: 3.0.0
name: {{ appName }}
access: default
vars:
  region: "{{ region }}"
resources:
  thumbs:
    component: fc3
    props:
      region: ${vars.region}
      functionName: "{{ prefix }}-thumbs"
      runtime: python3.10
      handler: index.handler
      code: ./code
      triggers:
        - triggerName: images
          triggerType: oss
          sourceArn: acs:oss:${vars.region}:${config(AccountID)}:{{ bucket }}
          triggerConfig:
            events: [oss:ObjectCreated:*]
            filter:
              key:
                prefix: in/
                suffix: .jpg
  docs:
    component: fc3
    props:
      region: ${vars.region}
      functionName: "{{ prefix }}-docs"
      runtime: python3.10
      handler: index.handler
      code: ./code
      triggers:
        - triggerName: pdfs
          triggerType: oss
          triggerConfig:
            bucketName: {{ bucket }}
            events: [oss:ObjectCreated:PutObject]
            filter:
              Key:
                Prefix: docs/
                Suffix: .pdf
        - triggerName: hourly
          triggerType: timer
          triggerConfig: {cronExpression: 'CRON_TZ=Asia/Shanghai 0 0 * * * *', payload: '{{ payload }}'}
"""

FUNCRAFT_BOTH_CASINGS = """\
ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
  {{ serviceName }}:
    Type: 'Aliyun::Serverless::Service'
    Properties:
      Description: image pipeline
    resize:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Handler: index.handler
        Runtime: python3.9
        CodeUri: './resize'
        Timeout: {{ timeout }}
      Events:
        upload:
          Type: OSS
          Properties:
            BucketName: {{ bucket }}
            Events: ['oss:ObjectCreated:*']
            Filter:
              Key:
                Prefix: src/
                Suffix: .png
    archive:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Handler: index.archive
        Runtime: python3.9
        CodeUri: './archive'
      Events:
        removed:
          Type: OSS
          Properties:
            bucketName: {{ bucket }}
            events: ['oss:ObjectRemoved:DeleteObject']
            filter:
              key:
                prefix: src/
        nightly:
          Type: Timer
          Properties:
            CronExpression: '0 0 {{ hour }} * * *'
            Enable: true
"""


def _casing_note(app):
    [note] = [n for n in app.notes if n.code == "FCT011" and "spells the OSS filter in 2 ways" in n.message]
    return note


def test_fc_templated_file_with_both_casings_and_several_functions(tmp_path):
    (tmp_path / "s.yaml").write_text(FC_BOTH_CASINGS)
    app = load_app(
        tmp_path / "s.yaml",
        {"appName": "media", "region": "cn-beijing", "timeout": "90", "bucket": "photos"},
        env={},
        warn=False,
    )
    assert app.format == "fc" and list(app.functions) == ["resize", "archive"]
    assert app.function("resize").timeout == 90  # unquoted {{ timeout }} becomes a YAML int
    [uploads] = app.function("resize").triggers
    [deletes] = app.function("archive").triggers
    # bucketName gets its ARN from the service's region, as the fc component builds it
    assert uploads.source_arn == deletes.source_arn == f"acs:oss:cn-beijing:{FAKE_ACCOUNT_ID}:photos"
    assert (uploads.bucket, uploads.region, uploads.prefix, uploads.suffix) == ("photos", "cn-beijing", "src/", ".png")
    assert (deletes.bucket, deletes.region, deletes.prefix, deletes.suffix) == ("photos", "cn-beijing", "src/", "")
    assert uploads.config["filter"] == {"key": {"prefix": "src/", "suffix": ".png"}}
    note = _casing_note(app)
    # lines of each trigger's filter mapping
    assert "Key/Prefix/Suffix ('uploads' line 17)" in note.message
    assert "key/prefix/suffix ('deletes' line 33)" in note.message
    assert "spells the OSS bucket in 2 ways: bucketName ('uploads' line 12); sourceArn ('deletes' line 28)" in " ".join(
        n.message for n in app.notes
    )
    assert not [n for n in app.notes if n.code == "FCT010"]  # every placeholder had a value


def test_fc3_templated_file_with_both_casings_and_several_functions(tmp_path):
    (tmp_path / "s.yaml").write_text(FC3_BOTH_CASINGS)
    app = load_app(
        tmp_path / "s.yaml",
        {"appName": "media", "region": "cn-shenzhen", "prefix": "prod", "bucket": "uploads"},
        env={},
        warn=False,
    )
    assert app.format == "fc3" and list(app.functions) == ["prod-thumbs", "prod-docs"]
    [images] = app.function("thumbs").triggers
    pdfs, hourly = app.function("docs").triggers
    assert (images.bucket, images.region, images.prefix, images.suffix) == ("uploads", "cn-shenzhen", "in/", ".jpg")
    assert (pdfs.bucket, pdfs.prefix, pdfs.suffix) == ("uploads", "docs/", ".pdf")
    assert pdfs.config["filter"] == {"key": {"prefix": "docs/", "suffix": ".pdf"}}
    assert hourly.payload == "payload"  # {{ payload }} without a value: its own name, with a warning
    [default] = [n for n in app.notes if n.code == "FCT010"]
    assert "{{ payload }}" in default.message and default.line == 45
    note = _casing_note(app)
    assert "key/prefix/suffix ('images' line 21)" in note.message
    assert "Key/Prefix/Suffix ('pdfs' line 39)" in note.message
    assert "spells the OSS bucket in 2 ways: sourceArn ('images' line 16); bucketName ('pdfs' line 34)" in " ".join(
        n.message for n in app.notes
    )


def test_funcraft_templated_file_with_both_casings_and_several_functions(tmp_path):
    (tmp_path / "template.yml").write_text(FUNCRAFT_BOTH_CASINGS)
    app = load_app(
        tmp_path / "template.yml",
        {"serviceName": "media", "timeout": "120", "bucket": "photos", "hour": "3"},
        warn=False,
    )
    assert app.format == "funcraft" and list(app.functions) == ["resize", "archive"]
    resize, archive = app.function("media/resize"), app.function("media/archive")
    assert (resize.service, resize.timeout, archive.timeout) == ("media", 120, 3)
    [upload] = resize.triggers
    removed, nightly = archive.triggers
    assert (upload.bucket, upload.events, upload.prefix, upload.suffix) == (
        "photos",
        ["oss:ObjectCreated:*"],
        "src/",
        ".png",
    )
    assert (removed.bucket, removed.events, removed.prefix, removed.suffix) == (
        "photos",
        ["oss:ObjectRemoved:DeleteObject"],
        "src/",
        "",
    )
    assert (nightly.cron, nightly.enabled) == ("0 0 3 * * *", True)
    note = _casing_note(app)
    assert "Key/Prefix/Suffix ('upload' line 21)" in note.message
    assert "key/prefix/suffix ('removed' line 37)" in note.message
    assert [n.code for n in app.notes] == ["FCT011"]  # PascalCase itself is Funcraft's own spelling


FUNCRAFT_ROS = """\
ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Parameters:
  Bucket:
    Type: String
    Default: media-bucket
  Prefix:
    Type: String
Resources:
  media:
    Type: 'Aliyun::Serverless::Service'
    unzip:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Handler: index.handler
        Runtime: python3.9
        CodeUri: './unzip'
        EnvironmentVariables:
          ACCOUNT: {Ref: 'ALIYUN::AccountId'}
          SERVICE: !Ref media
          ROLE: !GetAtt role.Arn
      Events:
        zips:
          Type: OSS
          Properties:
            BucketName: !Ref Bucket
            Events: ['oss:ObjectCreated:*']
            Filter:
              Key:
                Prefix: !Ref Prefix
                Suffix: .zip
"""


def test_funcraft_ros_refs_take_parameter_defaults_or_vars(tmp_path):
    # Funcraft templates are ROS templates: !Ref / {Ref: } name a Parameter (or a resource)
    (tmp_path / "template.yml").write_text(FUNCRAFT_ROS)
    app = load_app(tmp_path / "template.yml", {"Prefix": "src/"}, warn=False)
    [zips] = app.function("unzip").triggers
    assert (zips.bucket, zips.prefix, zips.suffix) == ("media-bucket", "src/", ".zip")  # Default; vars=
    env = app.function("unzip").environment
    assert (env["ACCOUNT"], env["SERVICE"]) == (FAKE_ACCOUNT_ID, "media")
    assert env["ROLE"] == "role.Arn"  # deploy-time: kept as written, and said so
    [note] = app.notes
    assert (note.code, note.line) == ("FCT014", 21) and "!GetAtt 'role.Arn'" in note.message
    overridden = load_app(tmp_path / "template.yml", {"Prefix": "src/", "Bucket": "other"}, warn=False)
    assert overridden.function("unzip").triggers[0].bucket == "other"


def test_funcraft_ref_without_value_warns_and_unknown_ref_is_a_config_error(tmp_path):
    from pytest_fctrigger.errors import ConfigError

    (tmp_path / "template.yml").write_text(FUNCRAFT_ROS)
    app = load_app(tmp_path / "template.yml", warn=False)
    assert app.function("unzip").triggers[0].prefix == "Prefix"
    assert any(
        n.code == "FCT014" and n.line == 30 and "parameter 'Prefix' has no Default" in n.message for n in app.notes
    )
    (tmp_path / "typo.yml").write_text(FUNCRAFT_ROS.replace("!Ref Bucket", "!Ref Bukket"))
    with pytest.raises(
        ConfigError, match=r"!Ref Bukket: no such parameter or resource; Parameters: Bucket, Prefix"
    ) as info:
        load_app(tmp_path / "typo.yml", warn=False)
    assert info.value.line == 26
