"""The fc_context fixture: runtime from --fc-runtime / the fc marker, fc_context_defaults."""


def test_fc_context_fixture_shapes(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def fc_context_defaults():
            return {"function_name": "resize", "memory": 512}
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_default(fc_context, fc_random):
            assert fc_context.credentials.access_key_id.startswith("STS.FCTEST")
            assert (fc_context.function.name, fc_context.function.memory) == ("resize", 512)
            assert fc_context.account_id == fc_random.account_id

        @pytest.mark.fc(runtime="python3.12", region="eu-central-1")
        def test_marker(fc_context):
            assert not hasattr(fc_context, "credentials")
            assert fc_context.region == "eu-central-1"
            assert fc_context.function.qualifier == "LATEST"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_fc_runtime_option(pytester):
    pytester.makepyfile(
        """
        def test_it(fc_context):
            assert type(fc_context).__name__ == "FCContext312"
        """
    )
    pytester.runpytest("--fc-runtime", "python3.12", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_same_seed_same_context_across_runs(pytester):
    pytester.makepyfile(
        """
        def test_it(fc_context):
            print("CTX", fc_context.to_json())
        """
    )
    outs = []
    for _ in range(2):
        result = pytester.runpytest("-s", "--fc-seed", "42", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        outs.append([line for line in result.outlines if "CTX" in line])
    assert outs[0] == outs[1] and outs[0]
