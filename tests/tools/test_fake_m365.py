#!/usr/bin/env python3
"""Smoke test of fake_m365.py: start it, walk every endpoint the way `secscore collect` must, meet each
fault once, and check its stats. Plain asserts; run as `python3 tests/tools/test_fake_m365.py`."""
import base64
import datetime as dt
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_m365.py")
NOW = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
PUB = "46b472a7-c68e-4adf-8ade-3db49497518e"
CTS = ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General"]


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def call(method, url, token=None, data=None, form=None):
    """One request; returns Resp, or raises ConnectionError when the server cut the connection."""
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif data is not None:
        data = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())
    except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionResetError) as e:
        raise ConnectionError(str(e))


def with_pub(url):
    q = urllib.parse.urlsplit(url).query
    if "publisheridentifier=" in q.lower():
        return url
    return url + ("&" if q else "?") + "PublisherIdentifier=" + PUB


class Client:
    """What the C client must do: retry 429 / AF429 (403) / 5xx / AF50000 / dropped connections,
    honouring Retry-After; follow nextLink / NextPageUri verbatim."""

    def __init__(self, seen):
        self.seen = seen  # fault kinds met

    def get(self, url, token, method="GET"):
        for _ in range(6):
            try:
                r = call(method, url, token)
            except ConnectionError:
                self.seen.add("drop")
                continue
            code = None
            if r.status >= 400 and r.body.startswith(b"{"):
                code = (r.json().get("error") or {}).get("code") if isinstance(r.json().get("error"), dict) else None
            if r.status == 429 or code == "AF429":
                self.seen.add("AF429" if r.status == 403 else "429")
                ra = r.headers.get("Retry-After")
                if r.status == 429:
                    assert ra == "1", "429 without Retry-After: 1"
                time.sleep(float(ra) if ra else 0.2)
                continue
            if r.status >= 500:
                self.seen.add(str(r.status))
                if code:
                    self.seen.add(code)
                if r.headers.get("Retry-After"):
                    time.sleep(float(r.headers["Retry-After"]))
                continue
            return r
        raise AssertionError("gave up on " + url)


def main():
    tmp = tempfile.mkdtemp(prefix="fake_m365_test.")
    log = os.path.join(tmp, "requests.jsonl")
    state = os.path.join(tmp, "state")
    proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--generate", "12", "--records-per-blob", "6",
                             "--seed", "7", "--now", "2026-11-20T00:00:00Z", "--log", log, "--state", state],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("READY http://127.0.0.1:"), line
        base = line.split()[1]
        run(base, tmp, log)
        # shutdown through the control endpoint; the process ends
        assert call("POST", base + "/_control/shutdown").status == 200
        assert proc.wait(timeout=10) == 0
        # restart from --state: subscriptions, counters and stats survive
        proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--state", state], stdout=subprocess.PIPE, text=True)
        base = proc.stdout.readline().split()[1]
        st = call("GET", base + "/_control/stats").json()
        assert set(st["subscriptions"]) == set(CTS), st["subscriptions"]
        assert st["blobs_served"] > 0
        with open(os.path.join(state, "url")) as f:
            assert f.read().strip() == base
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("fake_m365 smoke test: ok")


def run(base, tmp, log):
    seen = set()
    cl = Client(seen)
    sc = call("GET", base + "/_control/scenario").json()
    tenant, cid, secret = sc["tenant"]["id"], sc["client"]["client_id"], sc["client"]["client_secret"]
    token_url = "%s/%s/oauth2/v2.0/token" % (base, tenant)

    # ---- token: client secret
    form = {"grant_type": "client_credentials", "client_id": cid, "scope": "https://graph.microsoft.com/.default"}
    r = call("POST", token_url, form=dict(form, client_secret="wrong"))
    assert r.status == 401 and r.json()["error"] == "invalid_client" and "AADSTS7000215" in r.json()["error_description"]
    r = call("POST", token_url, form=dict(form, client_id=str(uuid.uuid4()), client_secret=secret))
    assert r.status == 400 and r.json()["error"] == "unauthorized_client"
    r = call("POST", token_url, form=dict(form, client_secret=secret, scope="https://graph.microsoft.com/User.Read"))
    assert r.status == 400 and r.json()["error"] == "invalid_scope"
    r = call("POST", token_url, form=dict(form, client_secret=secret))
    assert r.status == 200, r.body
    tok = r.json()
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3599 and tok["access_token"]
    graph_tok = tok["access_token"]
    r = call("POST", token_url, form=dict(form, client_secret=secret, scope="https://manage.office.com/.default"))
    manage_tok = r.json()["access_token"]
    assert manage_tok != graph_tok
    # v1 endpoint with resource=
    r = call("POST", "%s/%s/oauth2/token" % (base, tenant),
             form={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret,
                   "resource": "https://manage.office.com"})
    assert r.status == 200 and r.json()["expires_in"] == "3599"

    # ---- token: certificate (JWT client assertion, RS256), when openssl is there
    if shutil.which("openssl"):
        assertion_checks(base, tmp, token_url, cid, sc)

    # ---- Graph: auth, paging, $select, faults (users: 429 on call 2; directoryRoles: 503; subscribedSkus: drop)
    r = call("GET", base + "/v1.0/users")
    assert r.status == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert call("GET", base + "/v1.0/users", manage_tok).status == 401  # wrong audience
    r = call("GET", base + "/v1.0/users?$select=id,nosuchProperty", graph_tok)
    assert r.status == 400
    url = base + "/v1.0/users?$select=id,userPrincipalName,accountEnabled,signInActivity&$top=999"
    users, pages = [], 0
    while url:
        r = cl.get(url, graph_tok)
        assert r.status == 200, r.body
        page = r.json()
        users += page["value"]
        pages += 1
        url = page.get("@odata.nextLink")
        if url:
            assert url.startswith(base + "/v1.0/users?") and "$skiptoken=" in url
    assert len(users) == 25 and pages == 3, (len(users), pages)
    assert set(users[0]) == {"id", "userPrincipalName", "accountEnabled", "signInActivity"}
    assert len({u["id"] for u in users}) == 25
    r = cl.get(base + "/v1.0/directoryRoles?$expand=members", graph_tok)
    roles = r.json()["value"]
    admins = {m["userPrincipalName"] for ro in roles for m in ro["members"]}
    assert len(admins) == 2, admins
    r = cl.get(base + "/v1.0/subscribedSkus", graph_tok)
    assert r.json()["value"][0]["skuPartNumber"] == "SPE_E3"
    r = cl.get(base + "/v1.0/policies/authorizationPolicy", graph_tok)
    assert r.json()["id"] == "authorizationPolicy"
    for res in ("organization", "reports/authenticationMethods/userRegistrationDetails",
                "identity/conditionalAccess/policies", "policies/identitySecurityDefaultsEnforcementPolicy",
                "domains", "servicePrincipals", "oauth2PermissionGrants", "deviceManagement/deviceCompliancePolicies"):
        assert cl.get(base + "/v1.0/" + res, graph_tok).status == 200, res
    assert {"429", "503", "drop"} <= seen, seen

    # ---- Management Activity API: auth and PublisherIdentifier
    root = "%s/api/v1.0/%s/activity/feed/" % (base, tenant)
    assert call("GET", root + "subscriptions/list?PublisherIdentifier=" + PUB).status == 401
    assert call("GET", root + "subscriptions/list?PublisherIdentifier=" + PUB, graph_tok).status == 401
    assert call("GET", root + "subscriptions/list", manage_tok).status == 401
    r = call("GET", "%s/api/v1.0/%s/activity/feed/subscriptions/list?PublisherIdentifier=%s" % (base, uuid.uuid4(), PUB), manage_tok)
    assert r.status == 401 and r.json()["error"]["code"] == "AF20010"
    r = cl.get(with_pub(root + "subscriptions/list"), manage_tok)
    assert r.status == 200 and r.json() == []
    r = call("GET", with_pub(root + "subscriptions/content?contentType=Audit.Exchange"), manage_tok)
    assert r.status == 400 and r.json()["error"]["code"] == "AF20022"
    for ct in CTS:
        r = cl.get(with_pub(root + "subscriptions/start?contentType=" + ct), manage_tok, "POST")
        assert r.status == 200 and r.json() == {"contentType": ct, "status": "enabled", "webhook": None}
    assert cl.get(with_pub(root + "subscriptions/start?contentType=" + CTS[0]), manage_tok, "POST").status == 200
    r = call("POST", with_pub(root + "subscriptions/start?contentType=Audit.Nope"), manage_tok)
    assert r.status == 400 and r.json()["error"]["code"] == "AF20020"
    assert {s["contentType"] for s in cl.get(with_pub(root + "subscriptions/list"), manage_tok).json()} == set(CTS)

    # ---- the listing rules (AF20030)
    def content(ct, start=None, end=None):
        u = root + "subscriptions/content?contentType=" + ct
        if start:
            u += "&startTime=" + start
        if end:
            u += "&endTime=" + end
        return u
    fmt = "%Y-%m-%dT%H:%M:%S"
    for u in (content(CTS[0], "2026-11-19T00:00:00"),
              content(CTS[0], "2026-11-18T00:00:00", "2026-11-19T00:00:01"),
              content(CTS[0], (NOW - dt.timedelta(days=7, seconds=1)).strftime(fmt),
                      (NOW - dt.timedelta(days=6)).strftime(fmt)),
              content(CTS[0], "2026-11-19T00:00:00", "2026-11-18T00:00:00")):
        r = cl.get(with_pub(u), manage_tok)
        assert r.status == 400 and r.json()["error"]["code"] == "AF20030", (u, r.status, r.body)

    # ---- list 7 windows of 24 hours per content type, following NextPageUri verbatim
    listed, next_pages = {}, 0
    for ct in CTS:
        for i in range(7):
            s = NOW - dt.timedelta(days=7) + dt.timedelta(days=i)
            url = with_pub(content(ct, s.strftime(fmt), (s + dt.timedelta(days=1)).strftime(fmt)))
            while url:
                r = cl.get(url, manage_tok)
                assert r.status == 200, r.body
                for it in r.json():
                    assert it["contentType"] == ct
                    created = dt.datetime.strptime(it["contentCreated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
                    assert s <= created < s + dt.timedelta(days=1)
                    assert it["contentId"] not in listed
                    listed[it["contentId"]] = it
                url = r.headers.get("NextPageUri")
                if url:
                    next_pages += 1
                    assert url.startswith(base + "/api/v1/") and "nextPage=" in url, url
                    assert call("GET", url, manage_tok).status == 401  # no PublisherIdentifier in it
                    url = with_pub(url)
    assert next_pages >= 1
    assert {"AF429", "AF50000"} <= seen, seen
    st = call("GET", base + "/_control/stats").json()
    assert len(listed) == st["expected"]["listable_blobs"], (len(listed), st["expected"]["listable_blobs"])

    # ---- blobs: 500, 429, drop, AF20051 (expired), and PublisherIdentifier required
    some = next(iter(listed.values()))
    assert some["contentUri"].startswith(base + "/_blobs/")
    assert call("GET", some["contentUri"], manage_tok).status == 401
    records, lost = {}, []
    for it in listed.values():
        r = cl.get(with_pub(it["contentUri"]), manage_tok)
        if r.status == 400 and r.json()["error"]["code"] == "AF20051":
            seen.add("AF20051")
            lost.append(it["contentId"])
            continue
        assert r.status == 200, r.body
        for rec in r.json():
            records.setdefault(rec["Id"], rec)
    assert {"500", "AF20051"} <= seen, seen

    # ---- stats
    st = call("GET", base + "/_control/stats").json()
    exp = st["expected"]
    assert sorted(records) == exp["record_ids"], "exactly-once set differs"
    assert lost == exp["expired_blobs"]
    assert exp["lost_record_ids"] and not set(exp["lost_record_ids"]) & set(records)
    assert len(st["record_ids_served"]) > st["distinct_record_count"], "no duplicates served"
    assert st["distinct_record_count"] == len(records)
    assert st["blobs_served"] == len(listed) - len(lost)
    for f in ("429", "503", "drop", "AF429", "AF50000", "500", "expired"):
        assert st["faults_by_type"].get(f, 0) >= 1, (f, st["faults_by_type"])
    assert st["faults_by_type"]["drop"] == 2  # subscribedSkus and one blob
    assert st["publisher_identifiers"] == [PUB]
    assert st["missing_publisher"] >= 2 and st["unauthorized"] >= 4
    assert st["calls"]["subscriptions/content"] >= 28 + next_pages

    # ---- late blob: its events are days older than the blob
    late = [b for b in sc["blobs"] if "late" in b.get("note", "")]
    assert late and all(b["contentId"] in listed for b in late)

    # ---- runtime control: faults by call count, token expiry, new blobs
    assert call("POST", base + "/_control/faults", data=[{"match": "subscriptions/list", "calls": [1], "type": "reset"},
                                                          {"match": "subscriptions/list", "calls": [2], "type": "status",
                                                           "status": 502, "body": "bad gateway"}]).status == 200
    try:
        call("GET", with_pub(root + "subscriptions/list"), manage_tok)
        raise AssertionError("reset fault did not reset")
    except ConnectionError:
        pass
    assert call("GET", with_pub(root + "subscriptions/list"), manage_tok).status == 502
    assert call("GET", with_pub(root + "subscriptions/list"), manage_tok).status == 200
    assert call("POST", base + "/_control/expire-tokens").status == 200
    r = call("GET", base + "/v1.0/organization", graph_tok)
    assert r.status == 401 and "expired" in r.json()["error"]["message"]
    new = {"contentType": "Audit.General", "contentCreated": "-30m",
           "records": [{"Id": str(uuid.uuid4()), "CreationTime": "2026-11-19T23:00:00", "Operation": "MemberAdded",
                        "RecordType": 25, "Workload": "MicrosoftTeams", "UserId": "x@contoso.com"}]}
    assert call("POST", base + "/_control/blobs", data=[new]).status == 200
    r = call("POST", token_url, form=dict(form, client_secret=secret, scope="https://manage.office.com/.default"))
    manage_tok = r.json()["access_token"]
    r = cl.get(with_pub(content("Audit.General", "2026-11-19T12:00", "2026-11-20T00:00")), manage_tok)
    assert any(it["contentCreated"] == "2026-11-19T23:30:00.000Z" for it in r.json()), r.body

    # ---- the log: one JSON line per request, never a secret or a token
    with open(log) as f:
        text = f.read()
    lines = [json.loads(x) for x in text.splitlines()]
    assert len(lines) > 50 and all("status" in x or x.get("dropped") for x in lines if x.get("key") != "control")
    assert secret not in text and graph_tok not in text and manage_tok not in text
    assert any(x.get("publisher") == PUB for x in lines)


def assertion_checks(base, tmp, token_url, cid, sc):
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=secscore-test"], check=True, capture_output=True)
    with open(cert) as f:
        pem = f.read()
    client = dict(sc["client"], certificate_pem=pem)
    assert call("POST", base + "/_control/scenario?merge=1", data={"client": client}).status == 200
    der = base64.b64decode("".join(pem.split("-----")[2].split()))
    import hashlib
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()

    def b64(o):
        return base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()

    def jwt(claims, header=None):
        h = header or {"alg": "RS256", "typ": "JWT", "x5t": x5t}
        signing = (b64(h) + "." + b64(claims)).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing, check=True,
                             capture_output=True).stdout
        return signing.decode() + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()

    now = int(time.time())
    good = {"aud": token_url, "iss": cid, "sub": cid, "jti": str(uuid.uuid4()), "nbf": now, "exp": now + 600}
    form = {"grant_type": "client_credentials", "client_id": cid, "scope": "https://manage.office.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    r = call("POST", token_url, form=dict(form, client_assertion=jwt(good)))
    assert r.status == 200, r.body
    bad_sig = jwt(good)[:-6] + "AAAAAA"
    cases = [(bad_sig, "AADSTS700027"),
             (jwt(dict(good, exp=now - 10)), "AADSTS700024"),
             (jwt(dict(good, aud="https://login.microsoftonline.com/x/oauth2/v2.0/token")), "AADSTS700212"),
             (jwt(dict(good, sub="someone-else")), "AADSTS700021"),
             (jwt({k: v for k, v in good.items() if k != "jti"}), "AADSTS50027"),
             (jwt(good, {"alg": "RS256", "typ": "JWT"}), "AADSTS700027"),
             (jwt(good, {"alg": "RS256", "typ": "JWT", "x5t": "AAAA"}), "AADSTS700027")]
    for assertion, code in cases:
        r = call("POST", token_url, form=dict(form, client_assertion=assertion))
        assert r.status == 401 and code in r.json()["error_description"], (code, r.status, r.body)


if __name__ == "__main__":
    main()
