import cProfile
import io
import os
import pstats
import time

from django.test import Client

from congvan.documents import blobstore
from congvan.exchange.routing import batch_multipart
from congvan.exchange.tests.test_batch import CS1, HU, signed, stored_bytes
from congvan.lib.pdfgen import simple_pdf


def test_profile(peer):
    pdf = simple_pdf(["Van ban chung " * 50] * 40)
    blobstore.put_bytes(pdf)
    msgs = [signed(peer, str(i), HU if i % 2 else CS1, pdf) for i in range(400)]
    bodies = []
    for i in range(0, 400, 25):
        b = batch_multipart(msgs[i : i + 25])
        bodies.append((stored_bytes(b), b.content_type))
    c = Client()

    def post(data, ct):
        r = c.generic(
            "POST",
            "/exchange/v1/batch",
            data,
            ct,
            headers={"X-Congvan-Node": "XA", "X-Congvan-Answers": "signed-together"},
        )
        assert r.status_code == 200
        return r

    r = post(*bodies[0])
    print(r.json()["answers"][0][:50])
    prof = cProfile.Profile() if os.environ.get("PROF") else None
    t0 = time.process_time()
    w0 = time.perf_counter()
    if prof:
        prof.enable()
    for data, ct in bodies[1:]:
        post(data, ct)
    if prof:
        prof.disable()
    t = time.process_time() - t0
    print(f"\nCPU per message {t / 375 * 1000:.2f} ms, wall {(time.perf_counter() - w0) / 375 * 1000:.2f} ms")
    if prof:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats(os.environ.get("PROF", "tottime")).print_stats(45)
        print(s.getvalue()[:12000])


def test_callers(peer):
    pdf = simple_pdf(["Van ban chung " * 50] * 40)
    blobstore.put_bytes(pdf)
    msgs = [signed(peer, str(i), HU if i % 2 else CS1, pdf) for i in range(100)]
    c = Client()
    prof = cProfile.Profile()
    for i in range(0, 100, 25):
        b = batch_multipart(msgs[i : i + 25])
        data = stored_bytes(b)
        if i:
            prof.enable()
        c.generic(
            "POST",
            "/exchange/v1/batch",
            data,
            b.content_type,
            headers={"X-Congvan-Node": "XA", "X-Congvan-Answers": "signed-together"},
        )
        prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).print_callers("io.open|posix.stat|posix.replace|fsync|posix.unlink")
    print(s.getvalue()[:5000])


def test_upper_bound(peer, monkeypatch):
    import congvan.audit.actions as aa
    import congvan.dispatch.actions as da

    monkeypatch.setattr(aa, "record_many", lambda events, actor: None)
    monkeypatch.setattr(da, "count_receipts", lambda *a, **k: None)
    test_profile(peer)
