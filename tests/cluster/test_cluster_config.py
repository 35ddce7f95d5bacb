"""The Varnish configuration the deployment docs show is the one the cluster in a box runs."""

import re
from pathlib import Path

from scripts.cluster import VCL, cluster_vcl

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_the_documented_vcl_is_the_file_the_cluster_uses():
    section = DOCS.read_text().split("\n## Cluster in a box\n", 1)[1]
    shown = re.search(r"```vcl\n(.*?)```", section, re.DOTALL)
    assert shown, "docs/deployment.md, 'Cluster in a box', shows no VCL"
    assert shown.group(1) == VCL.read_text()


def test_the_cluster_changes_only_the_app_servers_ports():
    written = cluster_vcl(41001, 41002)
    assert written == VCL.read_text().replace('"8001"', '"41001"').replace('"8002"', '"41002"')
    assert 'include "ukiyo.vcl";' in written
