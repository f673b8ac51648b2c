"""Scrapes a node's /_outpost/metrics and parses it with the Prometheus project's own Python client
parser (prometheus_client.parser, Debian's python3-prometheus-client), so the tests read what a
Prometheus server reads.

Usage: /usr/bin/python3 scrape_metrics.py URL
Prints one line: METRICS {"contentType": ..., "families": [{"name", "type", "documentation",
"samples": [{"name", "labels", "value"}]}]}. Exits 1, saying why, if the scrape fails or does not
parse (the parser raises on any malformed line).
"""

import json
import math
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    if len(sys.argv) != 2:
        print("usage: scrape_metrics.py URL", file=sys.stderr)
        return 2
    url = sys.argv[1]
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            content_type = response.headers.get("Content-Type")
            text = response.read().decode("utf-8")
    except Exception as e:  # noqa: BLE001 - any failure to scrape is the answer
        print(f"GET {url} failed: {e}", file=sys.stderr)
        return 1
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "documentation": family.documentation,
                "samples": [
                    {
                        "name": s.name,
                        "labels": s.labels,
                        # JSON has no NaN or infinities: they become strings.
                        "value": s.value if math.isfinite(s.value) else str(s.value),
                    }
                    for s in family.samples
                ],
            }
            for family in text_string_to_metric_families(text)
        ]
    except Exception as e:  # noqa: BLE001
        print(f"the scrape of {url} does not parse: {e}", file=sys.stderr)
        return 1
    print("METRICS " + json.dumps({"contentType": content_type, "families": families}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
