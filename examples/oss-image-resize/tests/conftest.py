import pytest

from pytest_fctrigger import load_app

APP_VARS = {"region": "cn-hangzhou", "bucket": "photos", "access": "default"}


@pytest.fixture
def fc_app(request):
    """Hook fixture (pytest-django style): the app under test, from this repo's s.yaml.

    With it, ``fc_invoke`` knows every function of the app and reports a write that
    fires another function's trigger back into this one as a cycle.
    """
    return load_app(request.config.rootpath / "s.yaml", vars=APP_VARS)


@pytest.fixture
def resize(fc_app):
    return fc_app.function("resize")


@pytest.fixture
def photos(fc_cloud, resize):
    """The bucket the trigger watches, as a simulated OSS bucket."""
    return fc_cloud.oss.bucket(resize.trigger("on-upload").bucket, region="cn-hangzhou")
