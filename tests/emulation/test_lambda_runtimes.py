"""Runtimes are real: a function runs on the Python its ``Runtime`` names, with AWS's import path."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest
from botocore.exceptions import ClientError

from harness.cloud.awslambda.interpreters import (
    HARNESS_LAYER_MARKER,
    InterpreterNotFound,
    interpreter_for,
)
from tests.lambda_code import invoke_json, zip_source

pytestmark = pytest.mark.emulation

REPORT = """
import sys

def handler(event, context):
    return {"version": list(sys.version_info[:2]), "path": sys.path}
"""


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


def _needs(runtime: str) -> None:
    try:
        interpreter_for(runtime)
    except InterpreterNotFound as exc:
        pytest.skip(str(exc))


def _create(lam, role: str, name: str, runtime: str, code: bytes) -> dict:
    return lam.create_function(
        FunctionName=name, Runtime=runtime, Role=role, Handler="handler.handler", Code={"ZipFile": code}, Timeout=30
    )


@pytest.mark.parametrize("runtime,version", [("python3.12", [3, 12]), ("python3.9", [3, 9]), ("python3.13", [3, 13])])
def test_function_runs_on_the_interpreter_its_runtime_names(lam, lambda_role, runtime, version):
    """Each managed runtime is its own Python: a python3.12 function sees sys.version_info (3, 12), python3.9 (3, 9)."""
    _needs(runtime)
    name = f"v{version[0]}{version[1]}"
    _create(lam, lambda_role, name, runtime, zip_source(REPORT))
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == runtime
    response, body = invoke_json(lam, name)
    assert "FunctionError" not in response, body
    assert body["version"] == version


def test_only_the_functions_code_and_the_runtimes_boto3_are_importable(lam, lambda_role):
    """On AWS sys.path is the function's code (/var/task) then the runtime's (/var/runtime: boto3); a
    dependency the zip does not bundle fails the init with Runtime.ImportModuleError."""
    _needs("python3.12")
    uses_boto3 = "import boto3\n\ndef handler(event, context):\n    return boto3.__name__\n"
    _create(lam, lambda_role, "with-boto3", "python3.12", zip_source(uses_boto3))
    assert invoke_json(lam, "with-boto3")[1] == "boto3"
    uses_pydantic = "import pydantic\n\ndef handler(event, context):\n    return 1\n"  # in the harness venv, not on AWS
    _create(lam, lambda_role, "with-pydantic", "python3.12", zip_source(uses_pydantic))
    response, body = invoke_json(lam, "with-pydantic")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Unable to import module 'handler': No module named 'pydantic'"


def test_bundled_local_code_runs_on_the_harness_interpreter(lam, lambda_role):
    """Local code (a zip with the harness-layer marker, as the bundled stack deploys) keeps the harness's
    interpreter and venv as its layer: a local-cloud convention, not an AWS behaviour."""
    source = "import sys, pydantic\n\ndef handler(event, context):\n    return [sys.executable, pydantic.__name__]\n"
    code = zip_source(source, **{HARNESS_LAYER_MARKER: ""})
    _create(lam, lambda_role, "local-code", "python3.12", code)
    response, body = invoke_json(lam, "local-code")
    assert "FunctionError" not in response, body
    assert body == [sys.executable, "pydantic"]


@pytest.mark.parametrize("runtime", ["python3.99", "cobol"])
def test_create_function_refuses_a_runtime_outside_the_enum(lam, lambda_role, runtime):
    """CreateFunction validates Runtime against the API's enum: ValidationException "... at 'runtime' failed
    to satisfy constraint: Member must satisfy enum value set: [...]"."""
    with pytest.raises(ClientError) as caught:
        _create(lam, lambda_role, "bad-runtime", runtime, zip_source(REPORT))
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert f"Value '{runtime}' at 'runtime' failed to satisfy constraint" in error["Message"]
    assert "bad-runtime" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]


def test_create_and_update_refuse_a_blocked_deprecated_runtime(lam, lambda_role):
    """A deprecated runtime past its block date (python3.8) is refused on CreateFunction and on
    UpdateFunctionConfiguration with InvalidParameterValueException "... is no longer supported ..."."""
    with pytest.raises(ClientError) as caught:
        _create(lam, lambda_role, "old", "python3.8", zip_source(REPORT))
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "The runtime parameter of python3.8 is no longer supported" in caught.value.response["Error"]["Message"]
    _create(lam, lambda_role, "current", "python3.12", zip_source(REPORT))
    with pytest.raises(ClientError) as caught:
        lam.update_function_configuration(FunctionName="current", Runtime="python3.8")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert lam.get_function_configuration(FunctionName="current")["Runtime"] == "python3.12"


def test_a_runtime_without_an_interpreter_fails_the_invoke_saying_what_to_install(lam, lambda_role):
    """Local-cloud limit, not AWS: a valid runtime with no interpreter on this machine (python3.15 here)
    fails each invoke with Runtime.InvalidRuntime naming the install command."""
    try:
        interpreter_for("python3.15")
        pytest.skip("this machine has a Python 3.15")
    except InterpreterNotFound:
        pass
    _create(lam, lambda_role, "future", "python3.15", zip_source(REPORT))
    response, body = invoke_json(lam, "future")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.InvalidRuntime"
    assert "uv python install 3.15" in body["errorMessage"]


def test_zip_with_a_binary_for_another_python_fails_as_on_aws(lam, lambda_role):
    """A package whose extension module is built for another CPython (cp311 under python3.12) cannot be
    imported: the handler's init fails with Runtime.ImportModuleError, as upstream's mispackaged zips do on AWS."""
    _needs("python3.12")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "import native\n\ndef handler(event, context):\n    return 1\n")
        archive.writestr("native/__init__.py", "from native._impl import x\n")
        archive.writestr("native/_impl.cpython-311-x86_64-linux-gnu.so", b"\x7fELF not really")
    _create(lam, lambda_role, "cp311", "python3.12", buffer.getvalue())
    body = invoke_json(lam, "cp311")[1]
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert "native._impl" in body["errorMessage"]
