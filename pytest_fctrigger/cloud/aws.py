"""``fc_aws``: moto's ``mock_aws`` for handlers that also call AWS, with real credentials hidden.

moto (the optional extra ``aws``) serves every AWS API in-process at botocore's
``before-send`` hook; nothing reaches the network. While an ``AwsMock`` is active:

* every ``AWS_*`` variable of the real environment is removed (keys, session tokens,
  ``AWS_PROFILE``, role and web-identity settings, container credential URLs), and
  visibly fake ones take their place, so neither the handler nor any credential
  provider of botocore can find a real identity;
* ``AWS_SHARED_CREDENTIALS_FILE`` / ``AWS_CONFIG_FILE`` point at empty temporary files
  (``~/.aws`` is never read) and the EC2 metadata endpoint is disabled;
* ``AWS_DEFAULT_REGION`` is the mock's region (``us-east-1`` unless told otherwise).

Leaving it restores the environment exactly. It composes with ``fc_cloud`` in either
order: Alibaba hosts stay with the simulated services, AWS hosts go to moto, and the
AWS writes a handler makes are journaled (``InvokeResult.writes``, ``Write.cloud ==
"aws"``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Dict, Optional

from ..errors import FCTriggerError

__all__ = ["AwsMock", "AwsExtraMissing", "FAKE_AWS_ACCESS_KEY_ID", "FAKE_AWS_SECRET_ACCESS_KEY"]

FAKE_AWS_ACCESS_KEY_ID = "FCTESTFAKEAWSKEYID00"  # 20 characters like a real id, visibly fake
FAKE_AWS_SECRET_ACCESS_KEY = "FCTEST/fake/aws/secret/access/key/000000"
_HIDDEN_PREFIXES = ("AWS_",)


class AwsExtraMissing(FCTriggerError, ImportError):
    """moto (or boto3) is not installed: ``fc_aws`` needs the ``aws`` extra."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"fc_aws needs {missing}, which is not installed: install the extra with "
            "pip install 'pytest-fctrigger[aws]' (moto and boto3)"
        )


def _import_moto() -> Any:
    try:
        import boto3  # noqa: F401  (the handler's SDK; moto needs it too)
    except ImportError:
        raise AwsExtraMissing("boto3") from None
    try:
        from moto import mock_aws
    except ImportError:
        raise AwsExtraMissing("moto") from None
    return mock_aws


class AwsMock:
    """Context manager: moto's ``mock_aws`` with fake AWS credentials and a clean AWS environment."""

    def __init__(self, *, region: str = "us-east-1", config: Optional[Dict[str, Any]] = None) -> None:
        if not isinstance(region, str) or not region:
            raise FCTriggerError(f"fc_aws: region must be a non-empty str, got {region!r}")
        self.region = region
        self._config = config
        self._mock: Any = None
        self._saved: Dict[str, Optional[str]] = {}
        self._tmp: Optional[str] = None

    @property
    def access_key_id(self) -> str:
        return os.environ.get("AWS_ACCESS_KEY_ID", FAKE_AWS_ACCESS_KEY_ID)

    def client(self, service_name: str, **kwargs: Any) -> Any:
        """``boto3.client(service_name)`` in the mock's region (keyword arguments as boto3's)."""
        import boto3

        kwargs.setdefault("region_name", self.region)
        return boto3.client(service_name, **kwargs)

    def resource(self, service_name: str, **kwargs: Any) -> Any:
        import boto3

        kwargs.setdefault("region_name", self.region)
        return boto3.resource(service_name, **kwargs)

    def writes(self, journal: Any) -> list:
        """The AWS writes journaled in ``journal`` (e.g. ``fc_cloud.journal``)."""
        return [w for w in journal if w.cloud == "aws"]

    # --- activation -------------------------------------------------------------------
    def __enter__(self) -> AwsMock:
        mock_aws = _import_moto()
        self._hide_environment()
        try:
            self._mock = mock_aws(config=self._config) if self._config else mock_aws()
            self._mock.start()
        except BaseException:
            self._restore_environment()
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
        finally:
            self._restore_environment()

    def _hide_environment(self) -> None:
        env = os.environ
        self._saved = {k: env[k] for k in list(env) if k.startswith(_HIDDEN_PREFIXES)}
        for key in self._saved:
            del env[key]
        self._tmp = tempfile.mkdtemp(prefix="fc-aws-")
        credentials = os.path.join(self._tmp, "credentials")
        config = os.path.join(self._tmp, "config")
        for path in (credentials, config):
            with open(path, "w", encoding="utf-8"):
                pass
        fake = {
            "AWS_ACCESS_KEY_ID": FAKE_AWS_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_AWS_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_CONFIG_FILE": config,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        for key, value in fake.items():
            self._saved.setdefault(key, None)
            env[key] = value

    def _restore_environment(self) -> None:
        env = os.environ
        for key in [k for k in env if k.startswith(_HIDDEN_PREFIXES)]:
            del env[key]
        for key, value in self._saved.items():
            if value is not None:
                env[key] = value
        self._saved = {}
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
