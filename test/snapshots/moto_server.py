"""
A moto server for the snapshot workflows' moto tests (moto_share.py and the scripts of
snapshot-region-copy.moto.test.ts and snapshot-region-copy-schedule.moto.test.ts): on a free local
port, with moto's Step Functions executing definitions. moto's Step Functions reaches the services at
localhost:$MOTO_PORT, so MOTO_PORT is set to that port. Test-side only; see VERIFY.md for moto's quirks.
"""
import os
import socket

import requests
from moto.server import ThreadedMotoServer


def start_moto():
    """Starts the server; returns (server, url). Stop it with server.stop()."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    free = sock.getsockname()[1]
    sock.close()
    os.environ["MOTO_PORT"] = str(free)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{free}"
    requests.post(f"{url}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}})
    return server, url


def client_args(url, region=None):
    """boto3.client keyword arguments for the server (and a Region, when given)."""
    args = dict(endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing")
    if region:
        args["region_name"] = region
    return args
