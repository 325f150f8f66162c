"""The shared HTTP policy against a real local HTTP server that misbehaves on purpose."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from migration_pipeline.destinations.http import ConfigError, DataError, HttpClient, HttpPolicy, Pacer, TransientError


class Script:
    """Responses to serve in order; the last one repeats."""

    def __init__(self):
        self.responses = []
        self.seen = []


@pytest.fixture
def server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._answer()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer()

        def _answer(self):
            script.seen.append((time.monotonic(), self.path, self.headers.get("Authorization")))
            status, body, headers = script.responses.pop(0) if len(script.responses) > 1 else script.responses[0]
            payload = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()


FAST = HttpPolicy(requests_per_minute=0, max_attempts=4, backoff_initial_seconds=0.01, backoff_max_seconds=0.05)


def client(url, policy=FAST):
    return HttpClient(url, {"Authorization": "Bearer secret-key-123"}, policy)


def test_retries_transient_failures_then_succeeds(server):
    url, script = server
    script.responses = [(503, {"error": "down"}, {}), (502, {}, {}), (200, {"data": {"ok": True}}, {})]
    assert client(url).request("GET", "/rest/companies") == {"data": {"ok": True}}
    assert len(script.seen) == 3


def test_honours_retry_after(server):
    url, script = server
    script.responses = [(429, {"messages": ["slow down"]}, {"Retry-After": "1"}), (200, {"ok": 1}, {})]
    started = time.monotonic()
    client(url).request("GET", "/rest/companies")
    assert time.monotonic() - started >= 0.95
    assert script.seen[1][0] - script.seen[0][0] >= 0.95


def test_gives_up_after_the_cap_with_a_transient_error(server):
    url, script = server
    script.responses = [(503, {"messages": ["still down"]}, {})]
    with pytest.raises(TransientError, match="HTTP 503: still down"):
        client(url).request("GET", "/rest/companies")
    assert len(script.seen) == FAST.max_attempts


def test_graphql_rate_limit_in_a_200_is_retried(server):
    url, script = server
    script.responses = [(200, {"errors": [{"message": "Too many requests."}]}, {}), (200, {"data": {"uploadFile": {}}}, {})]
    assert client(url).request("POST", "/graphql", json={}) == {"data": {"uploadFile": {}}}
    assert len(script.seen) == 2


@pytest.mark.parametrize("body", [
    {"statusCode": 500, "error": "InternalServerErrorException", "messages": ["insert or update on table \"person\" violates foreign key constraint"]},
    {"statusCode": 500, "error": "InternalServerErrorException", "messages": ["Data validation error."]},
])
def test_a_dangling_relation_is_a_data_error_not_retried(server, body):
    url, script = server
    script.responses = [(500, body, {})]
    with pytest.raises(DataError):
        client(url).request("POST", "/rest/people", json={})
    assert len(script.seen) == 1


def test_validation_errors_are_data_errors_and_auth_errors_are_config_errors(server):
    url, script = server
    script.responses = [(400, {"statusCode": 400, "error": "BadRequestException", "messages": ["A duplicate entry was detected"]}, {})]
    with pytest.raises(DataError, match="A duplicate entry was detected"):
        client(url).request("POST", "/rest/people", json={})
    script.responses = [(401, {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]}, {})]
    with pytest.raises(ConfigError, match="check the API key") as raised:
        client(url).request("GET", "/rest/people")
    assert "secret-key-123" not in str(raised.value)


def test_an_unknown_field_stops_the_run_as_a_config_error(server):
    url, script = server
    script.responses = [(400, {"statusCode": 400, "error": "BadRequestException", "messages": ['Object company doesn\'t have any "x" field.']}, {})]
    with pytest.raises(ConfigError, match="schema does not match the mapping"):
        client(url).request("POST", "/rest/companies", json={})


def test_connection_failures_are_transient(server):
    with pytest.raises(TransientError, match="ConnectError"):
        client("http://127.0.0.1:9").request("GET", "/rest/companies")


def test_pacing_spreads_calls_evenly(server):
    url, script = server
    script.responses = [(200, {}, {})]
    paced = client(url, HttpPolicy(requests_per_minute=600, pacing_margin=0.0))  # one call every 0.1 s
    paced.request("GET", "/rest/companies", paced=False)  # open the connection: its set-up is not pacing
    script.seen.clear()
    for _ in range(6):
        paced.request("GET", "/rest/companies")
    gaps = [b[0] - a[0] for a, b in zip(script.seen, script.seen[1:])]
    # Arrival times carry the machine's scheduling jitter; a burst would show gaps near zero.
    assert min(gaps) >= 0.07 and sum(gaps) >= 0.45


def test_pacer_arithmetic_without_sleeping():
    now = [100.0]
    slept = []
    pacer = Pacer(120, clock=lambda: now[0], sleep=slept.append)  # 0.5 s apart
    for _ in range(3):
        pacer.wait()
    assert slept == [0.5, 1.0]
