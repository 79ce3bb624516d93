# Overload probe: N concurrent POST /v1/images/generations against a running ./ldm4j serve on PORT; prints the
# status counts, how many 429s had Retry-After and a JSON body, and how many requests got no answer.
# Usage: python3 app/bench/overload-probe.py PORT N
import json, sys, threading, http.client, collections, time
host, port, n = "127.0.0.1", int(sys.argv[1]), int(sys.argv[2])
codes = collections.Counter(); errors = []; retry_after = collections.Counter(); bodies_ok = collections.Counter()
lock = threading.Lock()
def one(i):
    try:
        c = http.client.HTTPConnection(host, port, timeout=600)
        body = json.dumps({"prompt": "a red circle", "size": "64x64", "response_format": "b64_json",
                           "steps": 20, "seed": i} if False else {"prompt": "a red circle", "response_format": "b64_json"})
        c.request("POST", "/v1/images/generations", body, {"Content-Type": "application/json"})
        r = c.getresponse(); data = r.read()
        with lock:
            codes[r.status] += 1
            if r.getheader("Retry-After"): retry_after[r.status] += 1
            try:
                j = json.loads(data)
                bodies_ok[(r.status, "data" in j or "error" in j)] += 1
            except Exception:
                bodies_ok[(r.status, False)] += 1
    except Exception as e:
        with lock: errors.append(repr(e))
t0 = time.time()
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps({"sent": n, "status": dict(codes), "retry_after": dict(retry_after),
                  "json_body": {f"{k[0]}:{k[1]}": v for k, v in bodies_ok.items()},
                  "no_response": len(errors), "errors": errors[:3], "seconds": round(time.time() - t0, 1)}))
