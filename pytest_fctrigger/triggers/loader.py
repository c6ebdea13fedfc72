"""``load_app(path, vars=None)``: read ``s.yaml`` (fc / fc3) or Funcraft ``template.yml``.

Formats (Serverless Devs ``fc``/``fc3`` component docs and sources, the Funcraft spec):

* Serverless Devs ``edition: 1.0.0``: ``services.<key>`` with ``component: fc`` (or
  ``devsapp/fc``); ``props.service``, ``props.function``, ``props.triggers`` (``name``,
  ``type``, ``config``, ``role``, ``sourceArn``, ``qualifier``).
* Serverless Devs ``edition: 3.0.0``: ``resources.<key>`` with ``component: fc3``;
  ``props.functionName`` ... ``props.triggers`` (``triggerName``, ``triggerType``,
  ``triggerConfig``, ``invocationRole``, ``sourceArn``, ``qualifier``); ``extend`` of a
  top-level ``template`` is merged in.
* Funcraft ``template.yml`` (``ROSTemplateFormatVersion`` / ``Transform:
  Aliyun::Serverless-2018-04-03``): functions nested in ``Aliyun::Serverless::Service``
  resources, triggers under ``Events.<name>.{Type, Properties}``; ROS ``!Ref`` / ``{Ref: }``
  resolved from ``Parameters`` (``vars=`` first), other ROS functions kept and reported.

Keys match case-insensitively; every trigger config is normalised to the FC API spelling
(``normalize.py``). Problems that make the file unusable raise ONE ``ConfigError`` naming
the file and line; everything else becomes a warning (``App.notes`` / ``App.warnings``,
also issued as ``ConfigWarning``).
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ..errors import ConfigError
from ._yaml import RosTag, YDict, YList, load_yaml, read_config_bytes
from .model import App, Finding, FunctionSpec, TriggerSpec
from .normalize import Canonical, build_trigger
from .rules import RULES
from .template import FAKE_ACCOUNT_ID, Evaluator, apply_var_overrides, publish_defaults, render_placeholders

# Funcraft event types that exist but are not FC trigger types the plugin models.
_UNMODELLED = {"rds": "RDS", "datahub": "Datahub"}
_FORMATS_HELP = (
    "supported formats: Serverless Devs s.yaml with `edition: 1.0.0` (services + fc "
    "component) or `edition: 3.0.0` (resources + fc3 component), and Funcraft "
    "template.yml (ROSTemplateFormatVersion + Aliyun::Serverless resources)"
)


class ConfigWarning(UserWarning):
    """A config file was loaded, but something in it deserves attention (see App.notes)."""


def load_app(
    path: Union[str, os.PathLike[str]],
    vars: Optional[Mapping[str, Any]] = None,
    *,
    env: Optional[Mapping[str, str]] = None,
    account_id: Optional[str] = None,
    warn: bool = True,
) -> App:
    """Load every function and trigger an ``s.yaml`` / ``template.yml`` declares.

    ``vars`` fills ``{{ placeholders }}`` and overrides the file's ``vars`` (``"a.b"``
    keys set nested values). ``env`` replaces ``os.environ`` for ``${env(X)}``;
    ``account_id`` is what ``${config(AccountID)}`` renders (a fake one by default).
    ``warn=False`` keeps the notes in ``App.notes`` without issuing ``ConfigWarning``.
    """
    loader = _Loader(path, vars or {}, env if env is not None else os.environ, account_id or FAKE_ACCOUNT_ID)
    app = loader.load()
    if warn:
        for note in app.notes:
            warnings.warn(ConfigWarning(str(note)), stacklevel=2)
    return app


def _ci(mapping: Any) -> Dict[str, Any]:
    """Lower-cased key -> actual key of a mapping."""
    if not isinstance(mapping, dict):
        return {}
    return {str(k).lower(): k for k in mapping}


class _Loader:
    def __init__(self, path: Any, variables: Mapping[str, Any], env: Mapping[str, str], account_id: str):
        self.path = Path(path)
        self.file = str(path)
        self.base_dir = str(self.path.parent) or "."
        self.variables = dict(variables)
        self.env = env
        self.account_id = account_id
        self.notes: List[Finding] = []
        self.triggers: List[Tuple[TriggerSpec, Canonical, bool]] = []  # (spec, canonical, had sourceArn)
        self.evaluator: Optional[Evaluator] = None
        self.format = ""

    # --- notes ---------------------------------------------------------------------
    def note(
        self,
        code: str,
        message: str,
        line: Optional[int],
        fix: str = "",
        function: Optional[str] = None,
        trigger: Optional[str] = None,
    ) -> None:
        self.notes.append(
            Finding(
                code=code,
                severity=RULES[code].severity,
                rule=RULES[code].name,
                message=message,
                fix=fix,
                file=self.file,
                line=line,
                function=function,
                trigger=trigger,
            )
        )

    def _drain_evaluator_notes(self, function: Optional[str] = None) -> None:
        if self.evaluator is None:
            return
        seen = {(n.code, n.message, n.line) for n in self.notes}
        for code, message, line, fix in self.evaluator.notes:
            if (code, message, line) not in seen:
                self.note(code, message, line, fix=fix, function=function)
                seen.add((code, message, line))
        self.evaluator.notes.clear()

    # --- top level -----------------------------------------------------------------
    def load(self) -> App:
        try:
            return self._load()
        except RecursionError:
            # a safety net: the YAML and ${} limits stop deep input before this
            raise ConfigError("the file nests too deeply to read", self.file) from None

    def _load(self) -> App:
        try:
            raw_bytes = read_config_bytes(self.path)
        except FileNotFoundError:
            raise ConfigError("no such file", self.file) from None
        except OSError as exc:
            raise ConfigError(f"cannot read the file: {exc.strerror or exc}", self.file) from None
        try:
            text = raw_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw_bytes[: exc.start].count(b"\n") + 1
            raise ConfigError("the file is not UTF-8 text", self.file, line) from None
        substituted: List[Tuple[int, str, str]] = []
        text, line_map, notes = render_placeholders(
            text, self.variables, lambda: publish_defaults(self.base_dir), substituted
        )
        for code, message, note_line, fix in notes:
            self.note(code, message, note_line, fix=fix)
        try:
            top = load_yaml(text, self.file, line_map)
        except ConfigError as exc:
            culprits = [f"{{{{ {name} }}}} -> {value!r}" for line, name, value in substituted if line == exc.line]
            if not culprits or exc.line is None:
                raise
            # the YAML was broken by a substitution: say which, and what went in
            raise ConfigError(
                f"{exc.reason}, after substituting {', '.join(culprits)} on this line; "
                "give the placeholder a value that keeps the YAML valid (vars= / --vars) or quote it",
                self.file,
                exc.line,
            ) from None
        if not isinstance(top, dict):
            raise ConfigError(
                "expected a mapping at the top of the file; " + _FORMATS_HELP, self.file, getattr(top, "line", 1)
            )
        keys = _ci(top)
        self.evaluator = Evaluator(
            self.file,
            apply_var_overrides(top.get(keys.get("vars")), self.variables),
            env=self.env,
            account_id=self.account_id,
            roots={"resources": top.get(keys.get("resources")), "services": top.get(keys.get("services"))},
            base_dir=self.base_dir,
        )
        functions: List[FunctionSpec]
        if (
            "rostemplateformatversion" in keys
            or "aliyun::serverless" in str(top.get(keys.get("transform"), "")).lower()
        ):
            self.format = "funcraft"
            functions = list(self._funcraft(top, keys))
        elif "edition" in keys or "services" in keys or "resources" in keys:
            edition = str(top.get(keys.get("edition"), "")).strip()
            if edition.startswith("3") or (not edition and "resources" in keys):
                self.format = "fc3"
                functions = list(self._fc3(top, keys))
            elif edition.startswith("1") or (not edition and "services" in keys):
                self.format = "fc"
                functions = list(self._fc(top, keys))
            else:
                raise ConfigError(
                    f"unsupported edition {edition!r}; " + _FORMATS_HELP, self.file, _line(top, keys.get("edition"))
                )
        else:
            raise ConfigError(
                "not a Serverless Devs s.yaml or Funcraft template.yml; " + _FORMATS_HELP,
                self.file,
                getattr(top, "line", 1),
            )
        self._drain_evaluator_notes()
        self._casing_notes()
        app = App(
            path=self.path,
            format=self.format,
            account_id=self.account_id,
            vars=self.evaluator.resolved_vars() if keys.get("vars") in top else dict(self.variables),
        )
        app.functions = self._keyed(functions)
        app.notes = self.notes
        app.warnings = [str(n) for n in self.notes]
        return app

    # --- fc (edition 1.0.0) --------------------------------------------------------------
    # The YAML mappings below are typed Mapping[Any, Any]: their keys are as written (any
    # YAML scalar), and a lookup through _ci(...).get(name) passes None for a missing key.
    def _components(
        self, top: Mapping[Any, Any], keys: Mapping[str, str], section: str
    ) -> Iterable[Tuple[str, Any, Dict[str, Any], str, Optional[int]]]:
        """(key, entry, its lower-cased keys, component name, line) of each services/resources entry."""
        block = top.get(keys.get(section))
        if block is None:
            return
        if not isinstance(block, dict):
            raise ConfigError(
                f"{section} must be a mapping of {section[:-1]} keys", self.file, _line(top, keys.get(section))
            )
        assert self.evaluator is not None
        for key, entry in block.items():
            if isinstance(entry, dict):
                ekeys = _ci(entry)
                component = self.evaluator.resolve(
                    entry.get(ekeys.get("component")), _line(entry, ekeys.get("component"))
                )
                yield str(key), entry, ekeys, _component_name(component), _line(block, key)

    def _props(self, raw_props: Any, key: str, line: Optional[int], what: str) -> Dict[Any, Any]:
        assert self.evaluator is not None
        props = self.evaluator.resolve(raw_props, line)
        self._drain_evaluator_notes()
        if not isinstance(props, dict):
            raise ConfigError(f"{what} {key!r} has no props mapping", self.file, line)
        return props

    def _fc(self, top: Mapping[Any, Any], keys: Mapping[str, str]) -> Iterable[FunctionSpec]:
        assert self.evaluator is not None
        for key, entry, ekeys, component, line in self._components(top, keys, "services"):
            raw_props = entry.get(ekeys.get("props"))
            has_function = isinstance(raw_props, dict) and "function" in _ci(raw_props)
            if component != "fc" and not has_function:
                continue
            self.evaluator.this = entry
            props = self._props(raw_props, key, line, "service")
            pkeys = _ci(props)
            function = props.get(pkeys.get("function"))
            if not isinstance(function, dict):
                raise ConfigError(
                    f"service {key!r}: missing required key 'props.function' (the function "
                    "name, runtime, handler, codeUri ...)",
                    self.file,
                    _line(props, pkeys.get("function")) or line,
                )
            service = props.get(pkeys.get("service"))
            service_name = None
            if isinstance(service, dict):
                service_name = _str(service.get(_ci(service).get("name")))
            elif isinstance(service, str):
                service_name = service
            region = _str(props.get(pkeys.get("region")))
            spec = self._function(
                function,
                resource=key,
                service=service_name,
                region=region,
                names=("name",),
                code_keys=("codeUri",),
                memory_keys=("memorySize",),
                env_keys=("environmentVariables",),
                line=_line(props, pkeys.get("function")),
            )
            spec.triggers = self._triggers(
                props.get(pkeys.get("triggers")), _line(props, pkeys.get("triggers")), spec, region
            )
            yield spec

    # --- fc3 (edition 3.0.0) -------------------------------------------------------------
    def _fc3(self, top: Mapping[Any, Any], keys: Mapping[str, str]) -> Iterable[FunctionSpec]:
        templates = top.get(keys.get("template"))
        assert self.evaluator is not None
        for key, entry, ekeys, component, line in self._components(top, keys, "resources"):
            raw_props = entry.get(ekeys.get("props"))
            extend = entry.get(ekeys.get("extend"))
            if isinstance(extend, dict) and isinstance(templates, dict):
                base = templates.get(extend.get("name"))
                if base is None:
                    raise ConfigError(
                        f"resource {key!r} extends template {extend.get('name')!r}, which "
                        f"is not defined; templates: {', '.join(map(str, templates))}",
                        self.file,
                        _line(entry, ekeys.get("extend")),
                    )
                raw_props = _deep_merge(base, raw_props if isinstance(raw_props, dict) else {})
            has_function = isinstance(raw_props, dict) and "functionname" in _ci(raw_props)
            # real files compute the component (``${env('fc_component_version', ...)}``): a
            # resource with a functionName is a function whatever its component string says
            if component != "fc3" and not has_function:
                continue
            self.evaluator.this = {"name": key, "props": raw_props}
            props = self._props(raw_props, key, line, "resource")
            pkeys = _ci(props)
            region = _str(props.get(pkeys.get("region")))
            spec = self._function(
                props,
                resource=key,
                service=None,
                region=region,
                names=("functionName",),
                code_keys=("code",),
                memory_keys=("memorySize",),
                env_keys=("environmentVariables",),
                line=_line(entry, ekeys.get("props")),
            )
            lifecycle = props.get(pkeys.get("instancelifecycleconfig"))
            if isinstance(lifecycle, dict):
                init = lifecycle.get(_ci(lifecycle).get("initializer"))
                if isinstance(init, dict):
                    ikeys = _ci(init)
                    spec.initializer = _str(init.get(ikeys.get("handler"))) or spec.initializer
                    timeout = _int_value(
                        init.get(ikeys.get("timeout")),
                        "initializer timeout",
                        self.file,
                        _line(init, ikeys.get("timeout")),
                    )
                    spec.initialization_timeout = timeout or spec.initialization_timeout
            spec.triggers = self._triggers(
                props.get(pkeys.get("triggers")), _line(props, pkeys.get("triggers")), spec, region
            )
            yield spec

    # --- Funcraft template.yml -------------------------------------------------------------
    def _funcraft(self, top: Mapping[Any, Any], keys: Mapping[str, str]) -> Iterable[FunctionSpec]:
        resources = top.get(keys.get("resources"))
        if not isinstance(resources, dict):
            raise ConfigError(
                "template.yml has no Resources mapping", self.file, _line(top, keys.get("resources")) or 1
            )
        assert self.evaluator is not None
        resources = self.evaluator.resolve(resources, _line(top, keys.get("resources")))
        self._drain_evaluator_notes()
        parameters = top.get(keys.get("parameters"))
        resources = self._ros_refs(
            resources, parameters if isinstance(parameters, dict) else {}, resources, _line(top, keys.get("resources"))
        )
        for service_key, service in resources.items():
            if (
                not isinstance(service, dict)
                or str(service.get(_ci(service).get("type"), "")).lower() != "aliyun::serverless::service"
            ):
                continue
            for fn_key, fn in service.items():
                if not isinstance(fn, dict):
                    continue
                fkeys = _ci(fn)
                if str(fn.get(fkeys.get("type"), "")).lower() != "aliyun::serverless::function":
                    continue
                props = fn.get(fkeys.get("properties"))
                if not isinstance(props, dict):
                    raise ConfigError(
                        f"function {fn_key!r}: missing required key 'Properties' (Handler, Runtime, CodeUri ...)",
                        self.file,
                        _line(service, fn_key),
                    )
                spec = self._function(
                    props,
                    resource=str(fn_key),
                    service=str(service_key),
                    region=None,
                    names=(),
                    code_keys=("CodeUri",),
                    memory_keys=("MemorySize",),
                    env_keys=("EnvironmentVariables",),
                    fallback_name=str(fn_key),
                    line=_line(fn, fkeys.get("properties")),
                )
                spec.triggers = self._funcraft_events(fn.get(fkeys.get("events")), spec, _line(fn, fkeys.get("events")))
                yield spec

    def _ros_refs(
        self, node: Any, parameters: Mapping[str, Any], resources: Mapping[str, Any], line: Optional[int]
    ) -> Any:
        """A copy of ``node`` with ROS references resolved (Funcraft templates are ROS templates).

        ``!Ref P`` / ``{Ref: P}`` become parameter ``P``'s value: ``vars=`` first, else its
        ``Default``; ``ALIYUN::AccountId`` is the app's (fake) account id; a resource's
        logical id stands for its name. Other intrinsic functions (``!Sub``, ``!GetAtt``,
        ``Fn::Join`` ...) are evaluated by ROS at deploy time: kept as written, FCT014.
        """
        if isinstance(node, RosTag):
            if node.tag == "Ref":
                return self._ros_ref(str(node), parameters, resources, line)
            self.note(
                "FCT014",
                f"!{node.tag} {str(node)!r} is evaluated by ROS at deploy time; kept as written",
                line,
                fix="write the value itself if the tests depend on it",
            )
            return str(node)
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref" and isinstance(value, str):
                return self._ros_ref(value, parameters, resources, _line(node, key))
            if isinstance(key, str) and key.startswith("Fn::"):
                self.note(
                    "FCT014",
                    f"{key} is evaluated by ROS at deploy time; kept as written",
                    _line(node, key),
                    fix="write the value itself if the tests depend on it",
                )
                return node
        if isinstance(node, YDict):
            out = YDict(line=node.line)
            out.key_lines.update(node.key_lines)
            for key, value in node.items():
                out[key] = self._ros_refs(value, parameters, resources, node.line_of(key))
            return out
        if isinstance(node, YList):
            out_list = YList(line=node.line)
            out_list.item_lines = list(node.item_lines)
            out_list.extend(self._ros_refs(v, parameters, resources, node.line_of(i)) for i, v in enumerate(node))
            return out_list
        return node

    def _ros_ref(
        self, name: str, parameters: Mapping[str, Any], resources: Mapping[str, Any], line: Optional[int]
    ) -> Any:
        if name in self.variables:
            return self.variables[name]
        if name in parameters:
            spec = parameters[name]
            if isinstance(spec, dict) and "Default" in spec:
                return spec["Default"]
            self.note(
                "FCT014",
                f"!Ref {name}: parameter {name!r} has no Default and no value in vars; kept as written",
                line,
                fix=f"pass vars={{{name!r}: ...}} or give it a Default",
            )
            return name
        if name == "ALIYUN::AccountId":
            return self.account_id
        if name in resources:
            return name  # Funcraft names services and functions by their logical ids
        if name.startswith("ALIYUN::"):
            self.note("FCT014", f"!Ref {name} is known only at deploy time; kept as written", line)
            return name
        raise ConfigError(
            f"!Ref {name}: no such parameter or resource; Parameters: " + (", ".join(map(str, parameters)) or "none"),
            self.file,
            line,
        )

    def _funcraft_events(self, events: Any, spec: FunctionSpec, line: Optional[int]) -> List[TriggerSpec]:
        if events is None:
            return []
        if not isinstance(events, dict):
            raise ConfigError(f"function {spec.name!r}: Events must be a mapping of trigger names", self.file, line)
        out = []
        for name, event in events.items():
            eline = _line(events, name)
            if not isinstance(event, dict):
                raise ConfigError(
                    f"trigger {name!r} of function {spec.name!r} must be a mapping with Type and Properties",
                    self.file,
                    eline,
                )
            ekeys = _ci(event)
            type_ = event.get(ekeys.get("type"))
            if str(type_).lower() in _UNMODELLED:
                self.note(
                    "FCT015",
                    f"function {spec.name!r}: {_UNMODELLED[str(type_).lower()]} trigger "
                    f"{name!r} is not modelled by pytest-fctrigger; skipped",
                    eline,
                    function=spec.name,
                    trigger=str(name),
                )
                continue
            props = event.get(ekeys.get("properties"))
            config = YDict(line=getattr(props, "line", eline))
            extra: Dict[str, Any] = {}
            if isinstance(props, dict):
                for k, v in props.items():
                    if str(k).lower() in ("invocationrole", "qualifier"):
                        extra[str(k).lower()] = v
                    else:
                        config[k] = v
                        config.key_lines[k] = _line(props, k)
            elif props is not None:
                raise ConfigError(
                    f"trigger {name!r}: Properties must be a mapping", self.file, _line(event, ekeys.get("properties"))
                )
            out.append(
                self._trigger(
                    spec,
                    name=name,
                    type_=type_,
                    config=config,
                    source_arn=None,
                    qualifier=extra.get("qualifier"),
                    role=extra.get("invocationrole"),
                    description=None,
                    line=eline,
                    type_line=_line(event, ekeys.get("type")),
                    arn_line=None,
                    config_line=_line(event, ekeys.get("properties")),
                    region=None,
                )
            )
        return out

    # --- shared ------------------------------------------------------------------------
    def _function(
        self,
        props: Mapping[str, Any],
        *,
        resource: str,
        service: Optional[str],
        region: Optional[str],
        names: Tuple[str, ...],
        code_keys: Tuple[str, ...],
        memory_keys: Tuple[str, ...],
        env_keys: Tuple[str, ...],
        fallback_name: Optional[str] = None,
        line: Optional[int] = None,
    ) -> FunctionSpec:
        keys = _ci(props)
        line = line or getattr(props, "line", None)

        def get(*candidates: str) -> Tuple[Any, Optional[int]]:
            for candidate in candidates:
                actual = keys.get(candidate.lower())
                if actual is not None:
                    return props[actual], _line(props, actual)
            return None, line

        name, name_line = get(*names) if names else (None, line)
        name = _text(name, f"{resource}: {names[0] if names else 'name'}", "the function name", self.file, name_line)
        name = name or fallback_name
        if not name:
            raise ConfigError(
                f"{resource}: missing required key {names[0]!r} (the function name)", self.file, name_line
            )
        runtime, runtime_line = get("runtime")
        runtime = _text(runtime, f"function {name!r}: runtime", "e.g. python3.10", self.file, runtime_line)
        if not runtime:
            raise ConfigError(
                f"function {name!r}: missing required key 'runtime' (e.g. python3.10)", self.file, runtime_line
            )
        handler, handler_line = get("handler")
        handler = _text(handler, f"function {name!r}: handler", "e.g. index.handler", self.file, handler_line)
        if handler and any(ord(c) < 32 or ord(c) == 127 for c in handler):
            raise ConfigError(
                f"function {name!r}: handler {handler!r} contains a control character; "
                "a handler is '<file>.<function>' like 'index.handler'",
                self.file,
                handler_line,
            )
        if not handler and not runtime.startswith("custom"):
            raise ConfigError(
                f"function {name!r}: missing required key 'handler' (e.g. index.handler)", self.file, handler_line
            )
        timeout_raw, timeout_line = get("timeout")
        memory_raw, memory_line = get(*memory_keys)
        env_raw, env_line = get(*env_keys)
        code_raw, code_line = get(*code_keys)
        init_raw, init_line = get("initializer")
        init_timeout_raw, init_timeout_line = get("initializationTimeout")
        description, _ = get("description")
        async_config, _ = get("asyncInvokeConfig", "asyncConfiguration")
        instance_type, instance_type_line = get("instanceType")
        spec = FunctionSpec(name=name, handler=handler or "", runtime=runtime)
        for key, raw, key_line in (
            ("timeout", timeout_raw, timeout_line),
            ("memorySize", memory_raw, memory_line),
            ("instanceType", instance_type, instance_type_line),
        ):
            if raw is not None and key_line is not None:
                spec.lines[key] = key_line
        if instance_type is not None:
            spec.instance_type = _text(
                instance_type,
                f"function {name!r}: instanceType",
                "e1 (elastic) or c1 (performance)",
                self.file,
                instance_type_line,
            )
        timeout = _int_value(timeout_raw, "timeout", self.file, timeout_line, name)
        if timeout is not None:
            spec.timeout = timeout
        memory = _int_value(memory_raw, "memorySize", self.file, memory_line, name)
        if memory is not None:
            spec.memory = memory
        if env_raw is not None:
            if not isinstance(env_raw, dict):
                raise ConfigError(
                    f"function {name!r}: environmentVariables must be a mapping of names to strings, got {env_raw!r}",
                    self.file,
                    env_line,
                )
            spec.environment = {
                str(k): "" if v is None else _scalar_text(v, self.file, _line(env_raw, k), k)
                for k, v in env_raw.items()
            }
        spec.code_dir = self._code_dir(code_raw, name, code_line)
        if init_raw is not None:
            spec.initializer = _str(init_raw)
            del init_line
        spec.initialization_timeout = _int_value(
            init_timeout_raw, "initializationTimeout", self.file, init_timeout_line, name
        )
        spec.service = service
        spec.resource = resource
        spec.region = region
        spec.description = _str(description)
        if isinstance(async_config, dict):
            spec.async_invoke_config = dict(async_config)
        spec.location = (self.file, line)
        return spec

    def _code_dir(self, code: Any, name: str, line: Optional[int]) -> Optional[Path]:
        if code is None:
            return None
        if isinstance(code, dict):
            code = code.get(_ci(code).get("src"))
            if code is None:
                return None  # code in OSS (bucket/object): nothing local to load
        if not isinstance(code, str):
            raise ConfigError(f"function {name!r}: code location must be a path, got {code!r}", self.file, line)
        return Path(os.path.normpath(os.path.join(os.path.abspath(self.base_dir), code)))

    def _triggers(
        self, items: Any, line: Optional[int], spec: FunctionSpec, region: Optional[str]
    ) -> List[TriggerSpec]:
        if items is None:
            return []
        if not isinstance(items, list):
            raise ConfigError(f"function {spec.name!r}: triggers must be a list", self.file, line)
        out = []
        for index, item in enumerate(items):
            iline = items.line_of(index) if isinstance(items, YList) else line
            if not isinstance(item, dict):
                raise ConfigError(f"function {spec.name!r}: trigger #{index + 1} must be a mapping", self.file, iline)
            keys = _ci(item)

            def pick(*candidates: str) -> Any:
                for candidate in candidates:
                    if candidate.lower() in keys:  # noqa: B023 - called within this iteration
                        return keys[candidate.lower()]  # noqa: B023
                return None

            def value(*candidates: str) -> Any:
                actual = pick(*candidates)
                return None if actual is None else item[actual]  # noqa: B023

            _reject_hand_edit_placeholders(item, self.file, getattr(item, "line", iline), spec.name)
            type_key = pick("triggerType", "type")
            arn_key = pick("sourceArn")
            config_key = pick("triggerConfig", "config")
            out.append(
                self._trigger(
                    spec,
                    name=value("triggerName", "name"),
                    type_=value("triggerType", "type"),
                    config=value("triggerConfig", "config"),
                    source_arn=value("sourceArn"),
                    qualifier=value("qualifier"),
                    role=value("invocationRole", "role"),
                    description=value("description"),
                    line=getattr(item, "line", iline),
                    type_line=_line(item, type_key),
                    arn_line=_line(item, arn_key),
                    config_line=_line(item, config_key) if config_key is not None else None,
                    region=region,
                )
            )
        return out

    def _trigger(
        self,
        spec: FunctionSpec,
        *,
        name: Any,
        type_: Any,
        config: Any,
        source_arn: Any,
        qualifier: Any,
        role: Any,
        description: Any,
        line: Optional[int],
        type_line: Optional[int],
        arn_line: Optional[int],
        config_line: Optional[int],
        region: Optional[str],
    ) -> TriggerSpec:
        if isinstance(type_, str) and type_.lower() in _UNMODELLED:
            raise ConfigError(
                f"function {spec.name!r}: trigger type {type_!r} is not modelled; valid "
                "types: oss, log, timer, http, mns_topic, cdn_events, tablestore, "
                "eventbridge",
                self.file,
                type_line or line,
            )
        trigger, canonical = build_trigger(
            name=name,
            type_=type_,
            config=config,
            source_arn=source_arn,
            qualifier=qualifier,
            role=role,
            description=description,
            region=region,
            account_id=self.account_id,
            file=self.file,
            line=line,
            type_line=type_line,
            arn_line=arn_line,
            config_line=config_line,
            function=spec.name,
        )
        for path, key_line in canonical.unknown:
            best = canonical.closest.get(path)  # the kind's schema key closest to the typo
            self.note(
                "FCT012",
                f"function {spec.name!r}, {trigger.type} trigger {trigger.name!r}: unknown "
                f"config key {path!r}" + (f" (did you mean {best!r}?)" if best else "") + "; kept as written",
                key_line,
                fix="check the spelling against the FC trigger docs",
                function=spec.name,
                trigger=trigger.name,
            )
        self.triggers.append((trigger, canonical, source_arn not in (None, "")))
        return trigger

    def _casing_notes(self) -> None:
        filter_styles: Dict[str, List[Tuple[str, Optional[int]]]] = {}
        bucket_styles: Dict[str, List[Tuple[str, Optional[int]]]] = {}
        for trigger, canonical, had_arn in self.triggers:
            if trigger.type == "oss":
                if canonical.filter_style is not None:
                    style, line = canonical.filter_style
                    filter_styles.setdefault(style, []).append((trigger.name, line))
                spelled = [
                    s for s, used in (("sourceArn", had_arn), ("bucketName", "bucketName" in canonical.lines)) if used
                ]
                bucket_styles.setdefault(" + ".join(spelled), []).append((trigger.name, trigger.line_of()))
            for written, path, line in canonical.renamed:
                if trigger.type == "oss" and path.startswith("filter."):
                    continue  # reported by style below
                last_written = written.rpartition(".")[2]
                last = path.rpartition(".")[2]
                if self.format == "funcraft" and last_written == last[:1].upper() + last[1:]:
                    continue  # Funcraft's own PascalCase spelling
                self.note(
                    "FCT011",
                    f"function {trigger.function!r}, {trigger.type} trigger {trigger.name!r}: "
                    f"key {written!r} is spelled {path!r} by FC; normalised",
                    line,
                    fix=f"write {last!r}",
                    function=trigger.function,
                    trigger=trigger.name,
                )
        for style, users in filter_styles.items():
            if style.startswith("mixed"):
                for name, line in users:
                    self.note(
                        "FCT011",
                        f"OSS trigger {name!r} mixes key casings in its filter: {style[7:-1]}; "
                        "normalised to filter.key.prefix/suffix",
                        line,
                        fix="spell the filter one way (fc3 / FC API: key/prefix/suffix)",
                        trigger=name,
                    )
        for what, styles in (("the OSS filter", filter_styles), ("the OSS bucket", bucket_styles)):
            if len(styles) > 1:
                listing = "; ".join(
                    f"{style} ({', '.join(f'{n!r} line {ln}' for n, ln in users)})" for style, users in styles.items()
                )
                first_line = min((ln for users in styles.values() for _, ln in users if ln), default=None)
                self.note(
                    "FCT011",
                    f"this file spells {what} in {len(styles)} ways: {listing}; all are accepted and normalised",
                    first_line,
                    fix="use one spelling in the whole file (fc3 / FC API: sourceArn and filter.key.prefix/suffix)",
                )

    def _keyed(self, functions: List[FunctionSpec]) -> Dict[str, FunctionSpec]:
        by_name: Dict[str, List[FunctionSpec]] = {}
        for spec in functions:
            by_name.setdefault(spec.name, []).append(spec)
        keyed: Dict[str, FunctionSpec] = {}
        for name, specs in by_name.items():
            if len(specs) == 1:
                keyed[name] = specs[0]
                continue
            labels = []
            for spec in specs:
                label = spec.resource if self.format == "fc3" else f"{spec.service or spec.resource}/{spec.name}"
                if self.format == "fc" and spec.service is None:
                    label = spec.resource or name
                keyed[str(label)] = spec
                labels.append(str(label))
            self.note(
                "FCT016",
                f"function name {name!r} is declared {len(specs)} times; addressed as "
                + ", ".join(repr(label) for label in labels),
                specs[1].location[1] if specs[1].location else None,
                fix="give the functions distinct names if they are not the same function in different regions",
            )
        for spec in keyed.values():
            for trigger in spec.triggers:
                trigger.function = spec.name
        return keyed


# --------------------------------------------------------------------------- helpers
def _line(mapping: Any, key: Any) -> Optional[int]:
    if key is None:
        return getattr(mapping, "line", None)
    getter = getattr(mapping, "line_of", None)
    return getter(key) if getter else None


def _str(value: Any) -> Optional[str]:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text if text != "" else None


# ``{TriggerName}`` / ``acs:mns:{Region}:...``: template text meant to be edited by hand.
# Unquoted, ``{TriggerName}`` is a YAML flow mapping {'TriggerName': None}.
_HAND_PLACEHOLDER = re.compile(r"(?<![{$])\{([A-Z][A-Za-z0-9_]*)\}(?!\})")


def _reject_hand_edit_placeholders(node: Any, file: str, line: Optional[int], function: str, depth: int = 0) -> None:
    """One ConfigError naming the file, line and placeholder a template left for hand editing."""
    if depth > 20:
        return
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, value),) = node.items()
            if value is None and isinstance(key, str) and re.fullmatch(r"[A-Z][A-Za-z0-9_]*", key):
                raise ConfigError(
                    f"function {function!r}: placeholder {{{key}}} was left unedited (YAML reads it as a "
                    f"mapping); replace it with the real value",
                    file,
                    line,
                )
        for key, value in node.items():
            _reject_hand_edit_placeholders(value, file, _line(node, key) or line, function, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            sub_line = node.line_of(index) if isinstance(node, YList) else line
            _reject_hand_edit_placeholders(value, file, sub_line, function, depth + 1)
    elif isinstance(node, str):
        match = _HAND_PLACEHOLDER.search(node)
        if match:
            raise ConfigError(
                f"function {function!r}: placeholder {match.group(0)} in {node!r} was left unedited; "
                "replace it with the real value",
                file,
                line,
            )


def _text(value: Any, what: str, example: str, file: str, line: Optional[int]) -> Optional[str]:
    """A key that must be one string: None when absent or empty, an error for a list or mapping."""
    if isinstance(value, (dict, list)):
        kind = "a list" if isinstance(value, list) else "a mapping"
        raise ConfigError(f"{what} must be a string ({example}), got {kind}: {_short(value)}", file, line)
    return _str(value)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scalar_text(value: Any, file: str, line: Optional[int], key: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ConfigError(f"environment variable {key!r} must be a string, got {value!r}", file, line)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int_value(value: Any, what: str, file: str, line: Optional[int], function: str = "") -> Optional[int]:
    if value is None:
        return None
    owner = f"function {function!r}: " if function else ""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, str))
        # ASCII digits only ("²".isdigit() is true, int("²") fails), and a length a
        # setting can have (int() refuses more than 4300 digits)
        or (isinstance(value, str) and not (value.strip().isascii() and value.strip().isdigit()))
        or (isinstance(value, str) and len(value.strip()) > 18)
    ):
        raise ConfigError(f"{owner}{what} must be a positive integer, got {_short(value)}", file, line)
    number = int(value)
    if number < 1:
        raise ConfigError(f"{owner}{what} must be a positive integer, got {value!r}", file, line)
    return number


def _component_name(component: Any) -> str:
    """``devsapp/fc@0.1.2`` -> ``fc``; ``fc3@dev`` -> ``fc3``."""
    if not isinstance(component, str):
        return ""
    name = component.strip().rsplit("/", 1)[-1]
    return name.split("@", 1)[0].lower()


def _deep_merge(base: Any, override: Mapping[str, Any]) -> YDict:
    out = YDict(line=getattr(override, "line", None) or getattr(base, "line", None))
    if isinstance(base, dict):
        out.update(base)
        out.key_lines.update(getattr(base, "key_lines", {}))
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
        line = _line(override, key)
        if line is not None:
            out.key_lines[key] = line
    return out
