"""An LwM2M 1.1 device with a Firmware Update object (Core §E.6) on aiocoap, a CoAP implementation that shares
nothing with the server or its simulator: aiocoap reassembles pushed Block1 bodies, fetches pull URIs with its own
Block2 client, and keeps Observe state itself. Payloads are SenML JSON (the format the server picks for a 1.1
device that announces none).

    object5_device.py --server-port P --endpoint NAME --log FILE [--version 1.0.0] [--protocols 0,3]
                      [--delivery-method 0|1|2]

`/5/0/8` Protocol Support and `/5/0/9` Delivery Method announce what it accepts (default: CoAP, pull and push).
With --block1-by-token the device reassembles pushed blocks itself and, as Zephyr's LwM2M engine does, finds the
transfer a block belongs to by its token: a block 0 opens a transfer under its token, a later block with another
token is answered 4.08 Request Entity Incomplete. With --max-block N as well, a block larger than N bytes is
answered 4.13 with a Block1 option of size N (RFC 7959 §2.9.3).

Writes one JSON line per event to FILE: {"event":"registered"}, {"event":"package","method":"push"|"coap-pull",
"size","sha256","version"}, {"event":"installed","version"}. Runs until killed.
"""

import argparse
import asyncio
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("AIOCOAP_CLIENT_TRANSPORT", "udp6")
os.environ.setdefault("AIOCOAP_SERVER_TRANSPORT", "udp6")

import aiocoap  # noqa: E402
import aiocoap.resource as resource  # noqa: E402
from aiocoap.numbers.codes import Code  # noqa: E402
from aiocoap.optiontypes import BlockOption  # noqa: E402

SENML_JSON = 110
LINK_FORMAT = 40


class Device:
    def __init__(self, args):
        self.args = args
        self.state = 0  # /5/0/3: 0 Idle, 1 Downloading, 2 Downloaded, 3 Updating
        self.result = 0  # /5/0/5
        self.version = args.version  # /3/0/3
        self.package_version = ""  # /5/0/7
        self.package = None
        self.context = None
        self.observed = {}
        self.log_file = open(args.log, "a", buffering=1)

    def log(self, **event):
        event["at"] = time.time()
        self.log_file.write(json.dumps(event) + "\n")

    def changed(self):
        for path in ("/5/0/3", "/5/0/5"):
            if path in self.observed:
                self.observed[path].updated_state()

    def set_state(self, state, result=None):
        self.state = state
        if result is not None:
            self.result = result
        self.changed()

    def received(self, body, method):
        self.package = bytes(body)
        first = self.package.split(b"\n", 1)[0].decode("utf-8", "replace")
        version = first[len("LWM2M-SIM-FW "):] if first.startswith("LWM2M-SIM-FW ") else ""
        self.log(event="package", method=method, size=len(self.package),
                 sha256=hashlib.sha256(self.package).hexdigest(), version=version)
        self.package_version = version
        self.set_state(2)

    async def download(self, uri):
        try:
            response = await self.context.request(aiocoap.Message(code=Code.GET, uri=uri)).response
        except Exception as error:  # noqa: BLE001 - any transport failure is "connection lost"
            self.log(event="download-failed", error=str(error))
            self.set_state(0, result=4)
            return
        if not response.code.is_successful():
            self.log(event="download-failed", code=str(response.code))
            self.set_state(0, result=7)
            return
        self.received(response.payload, "coap-pull")

    async def install(self):
        await asyncio.sleep(0.3)
        self.version = self.package_version or self.version
        self.log(event="installed", version=self.version)
        self.set_state(0, result=1)
        await self.register()

    async def register(self):
        query = [f"ep={self.args.endpoint}", "lt=120", "lwm2m=1.1", "b=U"]
        request = aiocoap.Message(
            code=Code.POST, uri=f"coap://127.0.0.1:{self.args.server_port}/rd?" + "&".join(query),
            content_format=LINK_FORMAT, payload=b"</1/0>,</3/0>,</5/0>")
        response = await self.context.request(request).response
        self.log(event="registered", code=str(response.code))


def senml(path, value):
    record = {"bn": path}
    if isinstance(value, str):
        record["vs"] = value
    else:
        record["v"] = value
    return aiocoap.Message(code=Code.CONTENT, content_format=SENML_JSON, payload=json.dumps([record]).encode())


def written_string(request):
    """The string value of a Write: SenML JSON (`vs`) or plain text."""
    if request.opt.content_format == SENML_JSON:
        records = json.loads(request.payload.decode())
        return records[0].get("vs", "") if records else ""
    return request.payload.decode()


def senml_multiple(path, values):
    records = [{"bn": path + "/", "n": str(index), "v": value} if index == 0 else {"n": str(index), "v": value}
               for index, value in enumerate(values)]
    return aiocoap.Message(code=Code.CONTENT, content_format=SENML_JSON, payload=json.dumps(records).encode())


class Multiple(resource.Resource):
    def __init__(self, path, values):
        super().__init__()
        self.path, self.values = path, values

    async def render_get(self, request):
        return senml_multiple(self.path, self.values)


class Value(resource.ObservableResource):
    def __init__(self, device, path, read):
        super().__init__()
        self.path, self.read = path, read
        device.observed[path] = self

    async def render_get(self, request):
        return senml(self.path, self.read())


class Package(resource.Resource):  # /5/0/0, write-only
    def __init__(self, device, by_token, max_block):
        super().__init__()
        self.device = device
        self.by_token = by_token
        self.max_block = max_block
        self.transfers = {}  # token -> bytes so far

    async def needs_blockwise_assembly(self, request):
        return not self.by_token

    async def render_put(self, request):
        block = request.opt.block1
        if not self.by_token or block is None:
            self.device.received(request.payload, "push")
            return aiocoap.Message(code=Code.CHANGED)
        token = bytes(request.token)
        if self.max_block and block.size > self.max_block:
            self.device.log(event="block-too-large", size=block.size)
            exponent = self.max_block.bit_length() - 5  # 16 << exponent == max_block
            return aiocoap.Message(code=Code.REQUEST_ENTITY_TOO_LARGE,
                                   block1=BlockOption.BlockwiseTuple(0, False, exponent))
        if block.block_number == 0:
            self.transfers = {token: b""}
        body = self.transfers.get(token)
        if body is None or block.start != len(body):
            self.device.log(event="block-refused", token=token.hex(), number=block.block_number)
            return aiocoap.Message(code=Code.REQUEST_ENTITY_INCOMPLETE)
        body += request.payload
        if block.more:
            self.transfers[token] = body
            return aiocoap.Message(code=Code.CONTINUE, block1=BlockOption.BlockwiseTuple(block.block_number, True, block.size_exponent))
        del self.transfers[token]
        self.device.received(body, "push")
        return aiocoap.Message(code=Code.CHANGED, block1=BlockOption.BlockwiseTuple(block.block_number, False, block.size_exponent))


class PackageURI(resource.Resource):  # /5/0/1
    def __init__(self, device):
        super().__init__()
        self.device = device

    async def render_get(self, request):
        return senml("/5/0/1", "")

    async def render_put(self, request):
        uri = written_string(request)
        if not uri:
            self.device.set_state(0, result=0)
        else:
            self.device.set_state(1, result=0)
            asyncio.get_running_loop().create_task(self.device.download(uri))
        return aiocoap.Message(code=Code.CHANGED)


class Update(resource.Resource):  # /5/0/2
    def __init__(self, device):
        super().__init__()
        self.device = device

    async def render_post(self, request):
        if self.device.state != 2:
            return aiocoap.Message(code=Code.METHOD_NOT_ALLOWED)
        self.device.set_state(3)
        asyncio.get_running_loop().create_task(self.device.install())
        return aiocoap.Message(code=Code.CHANGED)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-port", type=int, required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--protocols", default="0")
    parser.add_argument("--delivery-method", type=int, default=2)
    parser.add_argument("--block1-by-token", action="store_true")
    parser.add_argument("--max-block", type=int, default=0)
    args = parser.parse_args()
    device = Device(args)
    site = resource.Site()
    site.add_resource(["5", "0", "0"], Package(device, args.block1_by_token, args.max_block))
    site.add_resource(["5", "0", "1"], PackageURI(device))
    site.add_resource(["5", "0", "2"], Update(device))
    site.add_resource(["5", "0", "3"], Value(device, "/5/0/3", lambda: device.state))
    site.add_resource(["5", "0", "5"], Value(device, "/5/0/5", lambda: device.result))
    site.add_resource(["5", "0", "7"], Value(device, "/5/0/7", lambda: device.package_version))
    site.add_resource(["5", "0", "8"], Multiple("/5/0/8", [int(p) for p in args.protocols.split(",")]))
    site.add_resource(["5", "0", "9"], Value(device, "/5/0/9", lambda: args.delivery_method))
    site.add_resource(["3", "0", "3"], Value(device, "/3/0/3", lambda: device.version))
    # One socket for both roles: the server sends its requests to the address the registration came from.
    device.context = await aiocoap.Context.create_server_context(site, bind=("::", 0))
    await device.register()
    await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
