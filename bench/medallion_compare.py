"""The medallion reference TAXII server (memory backend, no filtering), for scale.

Runs in its own virtualenv (``make bench-medallion`` creates ``.venv-medallion``): medallion is not
a dependency of Allied. Ingests N indicator objects of about 1 KB in envelopes of 500 through its
Flask app, then reads pages of 100 for at most ``READ_SECONDS`` and reports objects per second.
Usage: ``.venv-medallion/bin/python bench/medallion_compare.py [N]``.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
import uuid

READ_SECONDS = 60
API = "api1"
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


def config(path: str) -> dict:
    data = {
        "/discovery": {
            "title": "bench",
            "default": f"http://localhost/{API}/",
            "api_roots": [f"http://localhost/{API}/"],
        },
        API: {
            "information": {
                "title": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    with open(path, "w") as handle:
        json.dump(data, handle)
    return {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": path,
        },
        "users": {"user": "pass"},
        "taxii": {"max_page_size": 100},
    }


def indicator(i: int) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": "2026-11-01T00:00:00.000Z",
        "name": f"Benchmark indicator {i} (fictional)",
        "description": "x" * 700,
        "pattern": f"[ipv4-addr:value = '198.51.{i % 250}.{i % 200}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
    }


def main(n: int) -> None:
    import medallion
    from medallion import application_instance, register_blueprints, set_config

    with tempfile.TemporaryDirectory() as tmp:
        conf = config(f"{tmp}/data.json")
        for key in ("users", "taxii", "backend"):
            set_config(application_instance, key, conf)
        register_blueprints(application_instance)
        client = application_instance.test_client()
        auth = {
            "Authorization": "Basic " + base64.b64encode(b"user:pass").decode(),
            "Accept": "application/taxii+json;version=2.1",
            "Content-Type": "application/taxii+json;version=2.1",
        }
        url = f"/{API}/collections/{COLLECTION}/objects/"
        start = time.perf_counter()
        for offset in range(0, n, 500):
            body = json.dumps(
                {"objects": [indicator(i) for i in range(offset, min(n, offset + 500))]}
            )
            response = client.post(url, data=body, headers=auth)
            assert response.status_code == 202, response.data[:200]
        ingest = time.perf_counter() - start
        read, token, start = 0, None, time.perf_counter()
        while time.perf_counter() - start < READ_SECONDS:  # checked between pages
            query = f"?limit=100{'&next=' + token if token else ''}"
            page = json.loads(client.get(url + query, headers=auth).data)
            read += len(page.get("objects", []))
            if not page.get("more"):
                break
            token = page["next"]
        elapsed = time.perf_counter() - start
        print(
            f"  medallion {medallion.__version__}, {n:,} objects: ingest {n / ingest:,.0f}/s "
            f"({ingest:.1f} s); read {read:,} objects in {elapsed:.1f} s = "
            f"{read / elapsed:,.1f}/s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
