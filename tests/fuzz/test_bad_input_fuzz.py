"""Fuzz every spec, URL and document entry point a user (or a lock, or an index) feeds pyvouch.

The property everywhere: a result, or the module's own error (a `PyvouchError` at the CLI's
edge; `PageParseError`, `FetchError` or `StatementError` inside, which their callers turn into
a status or a `PyvouchError`), with a one-line message. Never another exception, never a
credential in a message.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyvouch import jsontext
from pyvouch.errors import ConfigError, InputError, PublisherSpecError, PyvouchError, UsageError
from pyvouch.index.client import resolve_index_url
from pyvouch.index.simple import PageParseError, parse_page
from pyvouch.index.transport import FetchError, _check_url, credentials_for, origin
from pyvouch.model import Publisher
from pyvouch.policy.config import parse_config
from pyvouch.policy.overrides import parse_pin_flag
from pyvouch.policy.pins import parse_pin_data
from pyvouch.policy.schema import Policy
from pyvouch.policy_files.config_file import load_config
from pyvouch.sources.base import filename_from_url
from pyvouch.urls import (
    http_url_problem,
    join_url,
    split_url,
    strip_credentials,
    url_problem,
)
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.verify.signed_content import StatementError, read_statement
from pyvouch.workflows.model import parse_workflow_text

EXAMPLES = int(os.environ.get("PYVOUCH_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECRET = "S3cr3tPw"


def one_line(err: BaseException) -> None:
    text = str(err)
    assert text and "\n" not in text and "\r" not in text, repr(text)
    assert SECRET not in text


# -- JSON-ish values of every type, for fields that expect strings ----------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["GitHub", "GitLab", "Google", "CircleCI", "octo/repo", "a.yml", ""]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
SPEC_FIELDS = [
    "kind",
    "repository",
    "workflow",
    "workflow_filepath",
    "environment",
    "email",
    "project_id",
    "pipeline_definition_id",
]


@st.composite
def json_specs(draw: st.DrawFn) -> str:
    obj: dict[str, Any] = draw(
        st.dictionaries(st.sampled_from(SPEC_FIELDS), json_values, min_size=1, max_size=5)
    )
    if draw(st.booleans()):
        obj["kind"] = draw(st.sampled_from(["GitHub", "GitLab", "Google", "CircleCI"]))
    text = json.dumps(obj)
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    return text if draw(st.booleans()) else text[:cut]


@st.composite
def shorthand_specs(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["github", "gitlab", "google", "circleci", "GitHub", "x", ""]))
    parts = draw(st.lists(st.text(max_size=15), min_size=0, max_size=4))
    seps = draw(st.lists(st.sampled_from([":", "/", "@", ""]), min_size=len(parts)))
    return kind + ":" + "".join(p + s for p, s in zip(parts, seps, strict=False))


specs = st.one_of(json_specs(), shorthand_specs(), st.text(max_size=60))


@FUZZ
@given(spec=specs)
def test_publisher_specs_parse_or_say_why(spec: str) -> None:
    try:
        publisher = parse_publisher_spec(spec)
    except PublisherSpecError as err:
        one_line(err)
        return
    assert isinstance(publisher, Publisher)
    for value in (publisher.repository, publisher.workflow, publisher.environment):
        assert value is None or (isinstance(value, str) and value.isprintable())
    publisher.to_spec().encode("utf-8")  # every accepted spec can be printed


@FUZZ
@given(name=st.text(max_size=12), spec=specs)
def test_pin_flags_parse_or_say_why(name: str, spec: str) -> None:
    try:
        parse_pin_flag(f"{name}={spec}")
    except UsageError as err:
        one_line(err)


# -- the policy and pin files -----------------------------------------------------------------

toml_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(),
        st.text(max_size=20),
        st.dates(),
        st.sampled_from(["github:pypa/pip", '{"kind": ["x"]}', "http://[::1", "enforce"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
POLICY_KEYS = ["mode", "index-url", "tiers", "publishers", "exceptions"]


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = draw(
        st.dictionaries(st.sampled_from(POLICY_KEYS), toml_values, max_size=4)
    )
    if draw(st.booleans()):
        data["publishers"] = draw(
            st.dictionaries(st.sampled_from(["pip", "requests", "a*"]), toml_values, max_size=2)
        )
    if draw(st.booleans()):
        data["index-url"] = draw(
            st.one_of(urls(), st.text(max_size=20).map(lambda s: "http://" + s))
        )
    return data


@FUZZ
@given(data=st.deferred(lambda: policies()))
def test_policy_tables_parse_or_say_why(data: dict[str, Any]) -> None:
    try:
        policy = parse_config(data, Path("pyvouch.toml"))
    except ConfigError as err:
        one_line(err)
        assert str(err).startswith("pyvouch.toml")
        return
    assert isinstance(policy, Policy)
    if policy.index_url is not None:
        assert url_problem(policy.index_url) is None


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.builds(
            lambda n, body: "[tools]\n" * 0 + "a = " + "[" * n + body + "]" * n,
            st.integers(0, 3000),
            st.sampled_from(["1", '"x"', "{b = 1}"]),
        ),
        st.builds(lambda s: f'index-url = "{s}"\n', st.text(max_size=30)),
    )
)
def test_policy_files_load_or_say_why(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyvouch.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_config(path)
        except ConfigError as err:
            one_line(err)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"lock-version": st.sampled_from(["1", 1, None])},
        optional={
            "packages": st.one_of(
                toml_values,
                st.lists(
                    st.fixed_dictionaries(
                        {"name": st.sampled_from(["pip", "", 3])},
                        optional={"attestation-identities": st.lists(toml_values, max_size=2)},
                    ),
                    max_size=2,
                ),
            )
        },
    )
)
def test_pin_files_parse_or_say_why(data: dict[str, Any]) -> None:
    try:
        parse_pin_data(data, "pyvouch.lock.toml")
    except ConfigError as err:
        one_line(err)


# -- URLs -------------------------------------------------------------------------------------

URL_CHARS = string.ascii_letters + string.digits + "[]:@/?#%.-_~!$&'()*+,;=\\ \t\n\uff03\u2100"


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "file", "ftp", "HTTP", ""]))
    user = draw(st.sampled_from(["", "user:" + SECRET + "@", SECRET + "@", "u:" + SECRET + "@"]))
    host = draw(
        st.one_of(
            st.sampled_from(["[::1", "[::1]", "::1", "[x]", "[v1.a]", "127.0.0.1", "h\u2100"]),
            st.text(alphabet=URL_CHARS, max_size=12),
        )
    )
    port = draw(st.sampled_from(["", ":80", ":99999", ":-1", ":port", ":"]))
    rest = draw(st.text(alphabet=URL_CHARS, max_size=20))
    return f"{scheme}://{user}{host}{port}/{rest}"


any_url = st.one_of(urls(), st.text(alphabet=URL_CHARS, max_size=40))


def _authority_secret(url: str) -> bool:
    """The URL has a scheme and holds SECRET in its userinfo (right after its '//')."""
    scheme, sep, rest = url.partition("://")
    userinfo = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[0]
    return bool(sep and scheme.isalpha() and SECRET in userinfo)


@FUZZ
@given(url=any_url)
def test_url_helpers_never_raise_nor_show_credentials(url: str) -> None:
    stripped = strip_credentials(url)
    if _authority_secret(url):
        assert SECRET not in stripped
    for problem in (url_problem(url), http_url_problem(url, "--index-url")):
        assert problem is None or ("\n" not in problem and SECRET not in problem)
    join_url("https://idx.example/simple/demo/", url)
    join_url(url, "../files/x.tar.gz")
    origin(url)
    credentials_for(url)
    filename_from_url(url)
    if url_problem(url) is None and http_url_problem(url) is None:
        _check_url(url)  # a URL the helpers pass is one the transport accepts


@FUZZ
@given(url=any_url)
def test_index_urls_resolve_or_say_why(url: str) -> None:
    try:
        resolved = resolve_index_url(url, "--index-url")
    except UsageError as err:
        one_line(err)
        return
    assert resolved.endswith("/") and url_problem(resolved) is None
    try:
        _check_url(resolved)
    except FetchError as err:  # pragma: no cover - resolve_index_url checked the same
        raise AssertionError(f"resolved index URL refused by the transport: {err}") from None


@FUZZ
@given(url=any_url)
def test_transport_refuses_with_a_reason(url: str) -> None:
    try:
        _check_url(url)
    except FetchError as err:
        one_line(err)


@FUZZ
@given(base=any_url, href=any_url)
def test_html_pages_with_hostile_base_and_links(base: str, href: str) -> None:
    body = (
        f'<html><head><base href="{base}"></head><body>'
        f'<a href="{href}#sha256={"a" * 64}">demo-1.0.tar.gz</a></body></html>'
    ).encode("utf-8", errors="surrogatepass")
    try:
        page = parse_page(body, "text/html", "https://idx.example/simple/demo/", project="demo")
    except PageParseError as err:
        assert "\n" not in str(err)
        return
    for f in page.files:  # credentials never survive into a file's URL
        parts = split_url(f.url)
        assert parts is not None and "@" not in parts.netloc, f.url


# -- documents --------------------------------------------------------------------------------


@st.composite
def nested_yaml(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=0, max_value=600))  # past the recursion limit
    style = draw(st.sampled_from(["list", "map", "block", "unclosed", "mixed"]))
    if style == "list":
        value = "[" * depth + "x" + "]" * depth
    elif style == "map":
        value = "{a: " * depth + "1" + "}" * depth
    elif style == "unclosed":
        value = "[" * depth
    elif style == "mixed":
        value = "".join(
            draw(st.lists(st.sampled_from(["[", "{a: ", "]", "}", ","]), max_size=depth))
        )
    else:
        return "on: push\njobs:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(depth))
    where = draw(st.sampled_from(["with", "env", "on", "permissions"]))
    if where == "on":
        return f"on: {value}\njobs: {{}}\n"
    if where == "permissions":
        return f"on: push\npermissions: {value}\njobs: {{}}\n"
    return (
        "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n"
        f"        {where}: {value}\n"
    )


@settings(FUZZ, max_examples=max(10, EXAMPLES // 3))  # ruamel.yaml is slow on deep input
@given(text=st.one_of(nested_yaml(), st.text(max_size=300)))
def test_workflows_parse_or_say_why(text: str) -> None:
    try:
        parse_workflow_text(text, Path("w.yml"))
    except InputError as err:
        one_line(err)


@FUZZ
@given(
    payload_type=st.sampled_from(["application/vnd.in-toto+json", "text/plain", ""]),
    payload=st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda subject, ptype, extra: json.dumps(
                {
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": subject,
                    "predicateType": ptype,
                    **extra,
                }
            ).encode(),
            json_values,
            json_values,
            st.dictionaries(st.text(max_size=5), json_values, max_size=2),
        ),
        st.binary(max_size=60),
        st.integers(0, 5000).map(lambda n: b"[" * n),
    ),
)
def test_statements_read_or_say_why(payload_type: str, payload: bytes) -> None:
    try:
        content = read_statement(payload_type, payload, "a" * 64)
    except StatementError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert isinstance(content.predicate_type, str) and content.predicate_type


def test_errors_are_pyvouch_errors() -> None:
    """What reaches the CLI is in the one hierarchy (and so gets one line and exit 2)."""
    for error in (PublisherSpecError, UsageError, ConfigError, InputError):
        assert issubclass(error, PyvouchError)


@FUZZ
@given(
    value=json_values,
    escape=st.one_of(st.integers(0xD800, 0xDFFF), st.integers(0x20, 0xFFFF)),
    where=st.integers(0, 50),
)
def test_json_text_is_printable_or_refused(value: Any, escape: int, where: int) -> None:
    text = json.dumps(value)
    cut = min(where, len(text))
    if '"' in text[:cut]:  # put the escape inside the first string, if there is one
        start = text.index('"') + 1
        text = text[:start] + f"\\u{escape:04x}" + text[start:]
    try:
        obj = jsontext.loads(text)
    except json.JSONDecodeError as err:
        assert "\n" not in err.msg
        return
    json.dumps(obj, ensure_ascii=False).encode("utf-8")  # what was accepted can be printed
