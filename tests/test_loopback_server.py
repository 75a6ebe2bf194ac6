import httpx

from tests.loopback import LoopbackServer, Reply


def test_loopback_server_serves_routes_and_records_requests():
    with LoopbackServer() as srv:
        srv.route("/hello", Reply(200, "hi", headers={"ETag": '"x"'}))
        r = httpx.get(srv.url("/hello"), headers={"If-None-Match": '"y"'})
        assert r.status_code == 200 and r.text == "hi" and r.headers["etag"] == '"x"'
        assert httpx.get(srv.url("/missing")).status_code == 404
        assert srv.requests[0].headers["if-none-match"] == '"y"'
