"""Plugin options: ``fc`` marker merged closest-wins over command line and ini."""

import pytest


def test_fc_marker_closest_wins(pytester: pytest.Pytester):
    pytester.makeini(
        """
        [pytest]
        fc_loop = warn
        fc_runtime = python3.9
        """
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.fc(loop="allow", region="cn-shanghai")

        def test_ini_and_module(fc_settings):
            assert fc_settings.loop == "allow"          # module marker beats ini
            assert fc_settings.region == "cn-shanghai"
            assert fc_settings.runtime == "python3.9"   # from ini

        @pytest.mark.fc(loop="fail", loop_depth=3)
        class TestClass:
            def test_class(self, fc_settings):
                assert (fc_settings.loop, fc_settings.loop_depth) == ("fail", 3)

            @pytest.mark.fc(loop_depth=1, runtime="python3.12")
            def test_function(self, fc_settings):
                assert (fc_settings.loop, fc_settings.loop_depth) == ("fail", 1)
                assert fc_settings.runtime == "python3.12"
                assert fc_settings.region == "cn-shanghai"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_command_line_beats_ini_and_marker_beats_command_line(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nfc_loop = warn\n")
    pytester.makepyfile(
        """
        import pytest

        def test_cli(fc_settings):
            assert fc_settings.loop == "allow"
            assert fc_settings.seed == 7

        @pytest.mark.fc(seed=11, loop="fail")
        def test_marker(fc_settings, fc_seed):
            assert fc_settings.loop == "fail"
            assert fc_seed == 11
        """
    )
    pytester.runpytest("--fc-loop", "allow", "--fc-seed", "7").assert_outcomes(passed=2)


def test_unknown_marker_option_is_one_clear_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc(lop="warn")
        def test_typo(fc_settings):
            pass
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*unknown @pytest.mark.fc option(s) lop; valid options: seed, region*"])
    assert result.ret != 0


def test_default_seed_is_per_test_and_stable(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_a(fc_seed):
            print("SEED-A", fc_seed)

        def test_b(fc_seed):
            print("SEED-B", fc_seed)
        """
    )
    first = pytester.runpytest("-rP").stdout.str()
    second = pytester.runpytest("-rP").stdout.str()

    def seeds(text):
        return sorted(line for line in text.splitlines() if line.startswith(("SEED-A", "SEED-B")))

    assert seeds(first) == seeds(second)
    a, b = seeds(first)
    assert a.split()[1] != b.split()[1]


def test_report_header_only_names_settings_that_differ_from_defaults_and_where_from(
    pytester: pytest.Pytester, monkeypatch
):
    # issue 8: like pytest-django, the header is silent with default settings (CI sets a
    # real Redis in FC_TEST_REDIS_URL, which is a setting: not for the silent case)
    monkeypatch.delenv("FC_TEST_REDIS_URL", raising=False)
    pytester.makepyfile("def test_x():\n    pass\n")
    assert "fctrigger:" not in pytester.runpytest().stdout.str()
    pytester.makeini("[pytest]\nfc_loop = warn\n")
    monkeypatch.setenv("FC_TEST_REDIS_URL", "redis://user:secret@127.0.0.1:6379/0")
    result = pytester.runpytest("--fc-seed", "42")
    result.stdout.fnmatch_lines(
        [
            "fctrigger: seed=42 (--fc-seed), loop=warn (ini fc_loop), redis_url=redis://***@127.0.0.1:6379/0 "
            "(env FC_TEST_REDIS_URL)"
        ]
    )
    assert "secret" not in result.stdout.str()


@pytest.mark.parametrize(
    "marker, fixture, message",
    [
        ('fc(seed="abc")', "fc_seed", "fc seed must be an integer, got 'abc'"),
        ("fc(region=5)", "oss_event", "fc region must be a region id like 'cn-hangzhou', got 5"),
        ('fc(runtime="python3.11")', "fc_context", "unknown FC runtime 'python3.11'; valid runtimes: python3, "),
        ('fc(timeout="slow")', "fc_invoke", "fc timeout must be a number of seconds > 0, got 'slow'"),
        ("fc(timeout=0)", "fc_invoke", "fc timeout must be a number of seconds > 0, got 0"),
        ('fc(loop="stop")', "fc_settings", "loop mode 'stop' is not one of fail, warn, allow"),
        ('fc("x")', "fc_settings", "@pytest.mark.fc takes keyword options only"),
    ],
)
def test_bad_options_are_one_line_setup_errors(pytester: pytest.Pytester, marker, fixture, message):
    pytester.makepyfile(f"""
import pytest

@pytest.mark.{marker}
def test_it({fixture}):
    pass
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"test_*.py::test_it: {message}*"])
    assert "plugin.py" not in result.stdout.str()  # no traceback through the plugin


@pytest.mark.parametrize("fixture", ["fc_context", "fc_invoke"])
def test_a_misspelt_context_default_is_named_at_setup(pytester: pytest.Pytester, fixture):
    pytester.makeconftest("""
import pytest

@pytest.fixture
def fc_context_defaults():
    return {"memory_size": 512}
""")
    pytester.makepyfile(f"def test_it({fixture}):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fc_context_defaults*unknown field(s) 'memory_size'. Valid fields: *memory*"])
    assert "plugin.py" not in result.stdout.str()


@pytest.mark.parametrize(
    "args, ini, message",
    [
        (
            ["--fc-runtime", "python2.7"],
            "",
            "--fc-runtime=python2.7: unknown FC runtime 'python2.7'; valid runtimes: *",
        ),
        (["--fc-loop-depth=-1"], "", "--fc-loop-depth=-1: the loop depth must be a whole number of hops >= 0*"),
        ([], "fc_loop = stop", "ini fc_loop = stop: the loop mode must be one of fail, warn, allow"),
        ([], "fc_loop_depth = two", "ini fc_loop_depth = two: the loop depth must be *"),
        ([], "fc_region = Hangzhou", "ini fc_region = Hangzhou: a region id is lower case, like cn-hangzhou*"),
        ([], "fc_runtime = python3.11", "ini fc_runtime = python3.11: unknown FC runtime*"),
        ([], "fc_redis_url = localhost:6379", "ini fc_redis_url = localhost:6379: a Redis URL starts with redis://*"),
        ([], "fc_app = missing.yaml", "ini fc_app = missing.yaml: no such file *missing.yaml*"),
    ],
)
def test_bad_options_and_ini_values_are_one_usage_error_at_start(pytester: pytest.Pytester, args, ini, message):
    # checked once at configure time, not once per test
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_a(fc_context):\n    pass\n\ndef test_b(fc_context):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest-fctrigger: {message}"])
    assert result.stderr.str().count("pytest-fctrigger:") == 1
    assert "Traceback" not in result.stderr.str()


def test_good_options_are_accepted(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nfc_region = ap-southeast-1\nfc_loop_depth = 2\n")
    pytester.makepyfile(
        "def test_a(fc_settings):\n    assert (fc_settings.region, fc_settings.loop_depth) == ('ap-southeast-1', 2)\n"
    )
    pytester.runpytest("-p", "no:cacheprovider", "--fc-runtime", "python3.12").assert_outcomes(passed=1)


@pytest.mark.parametrize("marker", ['fc_trigger("oss", bucket="b", events=["oss:ObjectCreated:*"])', "fc(seed=1)"])
def test_a_marker_on_a_test_that_uses_no_fc_fixture_is_a_collection_error(pytester: pytest.Pytester, marker):
    pytester.makepyfile(f"""
import pytest

@pytest.mark.{marker}
def test_forgot_the_fixture():
    assert True

def test_plain():
    pass
""")
    result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(errors=1)
    name = marker.split("(")[0]
    result.stdout.fnmatch_lines(
        [f"*test_forgot_the_fixture: @pytest.mark.{name} on test_forgot_the_fixture() does nothing*"]
    )


def test_a_broken_fc_app_file_is_one_line_naming_the_ini_key(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nfc_app = s.yaml\n")
    pytester.path.joinpath("s.yaml").write_text("edition: 3.0.0\nresources:\n  f: [unclosed\n")
    pytester.makepyfile("def test_uses_app(fc_app):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ini fc_app = s.yaml: *s.yaml:*"])
    assert "Traceback" not in result.stdout.str()
    assert "load_app(" not in result.stdout.str()
