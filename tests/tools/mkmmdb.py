#!/usr/bin/env python3
"""mkmmdb.py - writes a small MaxMind DB (.mmdb) file from CIDR=CC pairs, for tests.

Usage:
    mkmmdb.py -o OUT.mmdb [--shape maxmind|ipld] [--record-size 24|28|32]
              [--json FILE] [CIDR=CC ...]

Networks come from argv (CIDR=CC, IPv4 or IPv6) and/or a JSON file holding
either an object {"CIDR": VALUE, ...} or a list of [CIDR, VALUE] pairs. A
string VALUE is a country code, written in the chosen shape:

    maxmind (default)   {"country": {"iso_code": CC}}       (GeoLite2-Country)
    ipld                {"country_code": CC}                 (@ip-location-db)

Any other JSON VALUE (object, number, ...) is written as-is, so a test can
build records such as {"registered_country": {"iso_code": "DE"}} or
{"location": {"latitude": 48.85, "longitude": 2.35}}. JSON numbers with a
fraction become doubles, non-negative integers uint32/uint64, negative ones
int32.

The file follows the MaxMind DB format 2.0: a binary search tree over the
128 bits of an IPv6 address (ip_version 6), a 16-byte zero separator, the
data section, then "\\xab\\xcd\\xefMaxMind.com" and the metadata map. IPv4
networks live under ::/96 (where readers start an IPv4 lookup); like
MaxMind's own databases, ::ffff:0:0/96 (IPv4-mapped) points at the same
subtree. A more specific network overrides a less specific one whatever the
order they are given in. Standard library only.
"""

import argparse
import ipaddress
import json
import struct
import sys
import time

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"

# Data section type numbers (spec: "Output Data Section").
T_POINTER, T_UTF8, T_DOUBLE, T_BYTES, T_UINT16, T_UINT32, T_MAP = 1, 2, 3, 4, 5, 6, 7
T_INT32, T_UINT64, T_UINT128, T_ARRAY, T_BOOL = 8, 9, 10, 11, 14


class Node:
    """A search tree node: two children, each None (no data), a Node, or a Leaf."""

    __slots__ = ("child",)

    def __init__(self, left=None, right=None):
        self.child = [left, right]


class Leaf:
    """A data record: the index of its encoded value in the data section."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# ---------------------------------------------------------------- data section


def control(kind, size):
    """The control byte(s) of a value of type kind holding size (bytes or entries)."""
    if size < 29:
        first, ext = size, b""
    elif size < 29 + 256:
        first, ext = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, ext = 30, struct.pack(">H", size - 285)
    elif size < 65821 + (1 << 24):
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    else:
        raise ValueError("value too large for the mmdb format")
    if kind <= 7:
        return bytes([(kind << 5) | first]) + ext
    # Extended types: type bits 0, then a byte holding kind - 7, then the size bytes.
    return bytes([first, kind - 7]) + ext


def uint_bytes(n, width):
    """n big-endian in the fewest bytes (0 bytes for zero), at most width bytes."""
    raw = n.to_bytes(width, "big").lstrip(b"\x00")
    return raw


def encode(value, kind=None):
    """Encodes a Python value (dict, list, str, int, float, bool, bytes)."""
    if isinstance(value, bool):
        return control(T_BOOL, 1 if value else 0)
    if isinstance(value, dict):
        out = bytearray(control(T_MAP, len(value)))
        for key, item in value.items():
            out += encode(str(key))
            out += encode(item, metadata_kind(key))
        return bytes(out)
    if isinstance(value, (list, tuple)):
        out = bytearray(control(T_ARRAY, len(value)))
        for item in value:
            out += encode(item)
        return bytes(out)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return control(T_UTF8, len(raw)) + raw
    if isinstance(value, bytes):
        return control(T_BYTES, len(value)) + value
    if isinstance(value, float):
        return control(T_DOUBLE, 8) + struct.pack(">d", value)
    if isinstance(value, int):
        if kind is None:
            if value < 0:
                kind = T_INT32
            elif value < (1 << 32):
                kind = T_UINT32
            elif value < (1 << 64):
                kind = T_UINT64
            else:
                kind = T_UINT128
        if kind == T_INT32:
            if not -(1 << 31) <= value < (1 << 31):
                raise ValueError(f"{value} does not fit an int32")
            raw = uint_bytes(value & 0xFFFFFFFF, 4)
            return control(T_INT32, len(raw)) + raw
        width = {T_UINT16: 2, T_UINT32: 4, T_UINT64: 8, T_UINT128: 16}[kind]
        if not 0 <= value < (1 << (8 * width)):
            raise ValueError(f"{value} does not fit a {8 * width}-bit unsigned integer")
        raw = uint_bytes(value, width)
        return control(kind, len(raw)) + raw
    raise TypeError(f"cannot encode {type(value).__name__} in an mmdb")


# Metadata keys whose integer type the spec fixes (readers check the types).
METADATA_TYPES = {
    "node_count": T_UINT32,
    "record_size": T_UINT16,
    "ip_version": T_UINT16,
    "binary_format_major_version": T_UINT16,
    "binary_format_minor_version": T_UINT16,
    "build_epoch": T_UINT64,
}


def metadata_kind(key):
    return METADATA_TYPES.get(key)


# ------------------------------------------------------------------ the tree


def insert(root, net, leaf):
    """Points every address of net (an IPv6Network) at leaf, splitting leaves on the way."""
    bits = int(net.network_address)
    node = root
    for depth in range(net.prefixlen):
        bit = (bits >> (127 - depth)) & 1
        if depth == net.prefixlen - 1:
            node.child[bit] = leaf
            return
        nxt = node.child[bit]
        if not isinstance(nxt, Node):
            # None or a less specific network: push it down into both halves.
            nxt = Node(nxt, nxt)
            node.child[bit] = nxt
        node = nxt
    raise ValueError("a /0 network cannot be stored")


def descend(root, bits, depth):
    """The Node reached by following the top depth bits of bits, or None."""
    node = root
    for d in range(depth):
        node = node.child[(bits >> (127 - d)) & 1]
        if not isinstance(node, Node):
            return None
    return node


def alias_ipv4_mapped(root):
    """Makes ::ffff:0:0/96 lead to the IPv4 subtree at ::/96 (the tree becomes a DAG)."""
    v4 = descend(root, 0, 95)
    if v4 is None or v4.child[0] is None:
        return
    target = v4.child[0]
    mapped = 0xFFFF << 32
    node = root
    for depth in range(95):
        bit = (mapped >> (127 - depth)) & 1
        nxt = node.child[bit]
        if nxt is None:
            nxt = Node()
            node.child[bit] = nxt
        elif not isinstance(nxt, Node):
            return  # an explicit network already covers ::ffff:0:0/96
        node = nxt
    if node.child[1] is None:
        node.child[1] = target


def number(root):
    """Numbers the nodes breadth-first (root = 0); returns the list in order."""
    order, seen, i = [root], {id(root)}, 0
    while i < len(order):
        for c in order[i].child:
            if isinstance(c, Node) and id(c) not in seen:
                seen.add(id(c))
                order.append(c)
        i += 1
    return order


def pack_node(left, right, record_size):
    if record_size == 24:
        return left.to_bytes(3, "big") + right.to_bytes(3, "big")
    if record_size == 28:
        middle = ((left >> 24) << 4) | (right >> 24)
        return (left & 0xFFFFFF).to_bytes(3, "big") + bytes([middle]) + (right & 0xFFFFFF).to_bytes(3, "big")
    return left.to_bytes(4, "big") + right.to_bytes(4, "big")


def build(networks, record_size, shape, database_type, description):
    """networks: list of (IPv6Network, value). Returns the .mmdb bytes."""
    root = Node()
    data = bytearray()
    offsets = {}  # encoded value -> offset in the data section
    # Less specific first, so more specific networks split and override them.
    for net, value in sorted(networks, key=lambda nv: nv[0].prefixlen):
        if isinstance(value, str):
            value = {"country": {"iso_code": value}} if shape == "maxmind" else {"country_code": value}
        raw = encode(value)
        if raw not in offsets:
            offsets[raw] = len(data)
            data += raw
        insert(root, net, Leaf(offsets[raw]))
    alias_ipv4_mapped(root)

    nodes = number(root)
    node_count = len(nodes)
    index = {id(n): i for i, n in enumerate(nodes)}
    limit = 1 << record_size

    def record(c):
        if c is None:
            return node_count
        if isinstance(c, Node):
            return index[id(c)]
        return node_count + 16 + c.value

    out = bytearray()
    for n in nodes:
        left, right = record(n.child[0]), record(n.child[1])
        if left >= limit or right >= limit:
            raise ValueError(f"record size {record_size} is too small for this database")
        out += pack_node(left, right, record_size)
    out += b"\x00" * 16
    out += data
    out += METADATA_MARKER
    out += encode(
        {
            "binary_format_major_version": 2,
            "binary_format_minor_version": 0,
            "build_epoch": int(time.time()),
            "database_type": database_type,
            "description": {"en": description},
            "ip_version": 6,
            "languages": ["en"],
            "node_count": node_count,
            "record_size": record_size,
        }
    )
    return bytes(out)


# ----------------------------------------------------------------- the input


def to_v6(cidr):
    """An IPv6Network for cidr; IPv4 networks move to ::a.b.c.d/(96 + len)."""
    net = ipaddress.ip_network(cidr.strip(), strict=False)
    if net.version == 4:
        net = ipaddress.IPv6Network((int(net.network_address), 96 + net.prefixlen))
    if net.prefixlen == 0:
        raise ValueError(f"'{cidr}': a /0 network is not supported")
    return net


def read_pairs(args):
    pairs = []
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            doc = json.load(f)
        items = doc.items() if isinstance(doc, dict) else doc
        for item in items:
            cidr, value = item
            pairs.append((cidr, value))
    for arg in args.pairs:
        cidr, sep, cc = arg.partition("=")
        if not sep or not cc:
            raise ValueError(f"'{arg}': expected CIDR=CC")
        pairs.append((cidr, cc))
    return [(to_v6(cidr), value) for cidr, value in pairs]


def main(argv):
    p = argparse.ArgumentParser(description="Write a small MaxMind DB file for tests.")
    p.add_argument("-o", "--output", required=True, help="the .mmdb file to write")
    p.add_argument("--shape", choices=("maxmind", "ipld"), default="maxmind",
                   help="record shape for CIDR=CC pairs (default maxmind)")
    p.add_argument("--record-size", type=int, choices=(24, 28, 32), default=24)
    p.add_argument("--json", help="JSON file of networks: {CIDR: VALUE} or [[CIDR, VALUE], ...]")
    p.add_argument("--database-type", help="metadata database_type")
    p.add_argument("--description", default="secscore test database")
    p.add_argument("pairs", nargs="*", metavar="CIDR=CC")
    args = p.parse_args(argv)
    dbtype = args.database_type or ("GeoLite2-Country" if args.shape == "maxmind" else "ipld-country")
    try:
        networks = read_pairs(args)
        blob = build(networks, args.record_size, args.shape, dbtype, args.description)
    except (OSError, ValueError, TypeError) as e:
        print(f"mkmmdb: {e}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
