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


def test_report_header_names_the_seed_mode(pytester: pytest.Pytester):
    pytester.makepyfile("def test_x():\n    pass\n")
    pytester.runpytest().stdout.fnmatch_lines(["fctrigger: seed per test, from the node id"])
    pytester.runpytest("--fc-seed", "42").stdout.fnmatch_lines(["fctrigger: seed --fc-seed 42"])


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


def test_runtime_option_is_checked(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it(fc_context):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--fc-runtime", "python2.7")
    result.stdout.fnmatch_lines(["*unknown FC runtime 'python2.7'; valid runtimes: *python3.12*"])


def test_a_broken_fc_app_file_is_one_line_naming_the_ini_key(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nfc_app = s.yaml\n")
    pytester.path.joinpath("s.yaml").write_text("edition: 3.0.0\nresources:\n  f: [unclosed\n")
    pytester.makepyfile("def test_uses_app(fc_app):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ini fc_app = s.yaml: *s.yaml:*"])
    assert "Traceback" not in result.stdout.str()
    assert "load_app(" not in result.stdout.str()
