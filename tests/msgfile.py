"""Outlook .msg files for the tests, written from scratch: no library writes them, and no example file ships here.

A .msg is a Compound File Binary ([MS-CFB]) holding MAPI properties as [MS-OXMSG] lays them out:
a `__substg1.0_<id><type>` stream per variable-size property (strings in UTF-16), a
`__properties_version1.0` stream of fixed-size ones, a `__nameid_version1.0` storage, and one
`__attach_version1.0_#<n>` storage per attachment. `outlook_msg()` writes the smallest such file
extract-msg reads as an email: version 3 CFB, every stream under the 4,096-byte cut-off and so in
the mini stream. extract-msg's own tests read example files saved by Outlook; this writes one instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR, MINI = 512, 64
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Node:
    """A storage (children) or a stream (data) of the compound file."""

    name: str
    data: bytes | None = None
    children: list[Node] = field(default_factory=list)


def _ordered(nodes: list[Node]) -> list[Node]:
    return sorted(nodes, key=lambda n: (len(n.name), n.name.upper()))  # [MS-CFB] 2.6.4's order of siblings


def compound_file(root: Node) -> bytes:
    """The bytes of a version 3 compound file holding `root`'s tree (every stream under 4,096 bytes)."""
    entries: list[Node] = []

    def number(node: Node) -> None:
        entries.append(node)
        for child in node.children:
            number(child)

    number(root)
    index = {id(n): i for i, n in enumerate(entries)}
    mini, minifat, starts = bytearray(), [], {}
    for node in entries:
        if node.data:
            assert len(node.data) < 4096, "this writer keeps every stream in the mini stream"
            first, count = len(mini) // MINI, -(-len(node.data) // MINI)
            starts[id(node)] = first
            minifat += [first + k + 1 for k in range(count - 1)] + [END]
            mini += node.data + b"\0" * (count * MINI - len(node.data))
    directory_sectors = -(-len(entries) * 128 // SECTOR)
    minifat_sectors = -(-len(minifat) * 4 // SECTOR)
    mini_sectors = -(-len(mini) // SECTOR)
    fat_sectors = 1
    while fat_sectors * SECTOR // 4 < fat_sectors + directory_sectors + minifat_sectors + mini_sectors:
        fat_sectors += 1
    fat: list[int] = [FATSECT] * fat_sectors

    def chain(count: int) -> int:
        first = len(fat)
        fat.extend([len(fat) + k + 1 for k in range(count - 1)] + [END])
        return first

    directory_at, minifat_at, mini_at = chain(directory_sectors), chain(minifat_sectors), chain(mini_sectors)
    fat += [FREE] * (fat_sectors * SECTOR // 4 - len(fat))

    def siblings(nodes: list[Node]) -> int:
        """The root of a balanced tree of siblings, with each entry's left and right set."""
        if not nodes:
            return NOSTREAM
        middle = len(nodes) // 2
        links[id(nodes[middle])] = (siblings(nodes[:middle]), siblings(nodes[middle + 1:]))
        return index[id(nodes[middle])]

    links: dict[int, tuple[int, int]] = {}
    children = {id(n): siblings(_ordered(n.children)) for n in entries if n.data is None}
    directory = bytearray()
    for i, node in enumerate(entries):
        name = node.name.encode("utf-16-le") + b"\0\0"
        kind = 5 if i == 0 else 1 if node.data is None else 2
        left, right = links.get(id(node), (NOSTREAM, NOSTREAM))
        start, size = (mini_at if mini else END, len(mini)) if i == 0 else (starts.get(id(node), END), len(node.data or b""))
        directory += struct.pack("<64sHBBIII16sIQQIQ", name, len(name), kind, 1, left, right,
                                 children.get(id(node), NOSTREAM), b"\0" * 16, 0, 0, 0, start, size)
    directory += b"\0" * (directory_sectors * SECTOR - len(directory))
    for k in range(len(entries), directory_sectors * 4):  # unused entries: empty, no siblings
        struct.pack_into("<III", directory, k * 128 + 68, NOSTREAM, NOSTREAM, NOSTREAM)
    difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII109I", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3, 0xFFFE,
                         9, 6, b"\0" * 6, 0, fat_sectors, directory_at, 0, 4096,
                         minifat_at if minifat else END, minifat_sectors, END, 0, *difat)
    body = struct.pack(f"<{len(fat)}I", *fat) + bytes(directory) + struct.pack(f"<{len(minifat)}I", *minifat)
    body += b"\0" * (minifat_sectors * SECTOR - len(minifat) * 4) + bytes(mini) + b"\0" * (mini_sectors * SECTOR - len(mini))
    return header + body


def _text(prop: int, value: str) -> Node:
    return Node(f"__substg1.0_{prop:04X}001F", value.encode("utf-16-le"))


def _fixed(header: bytes, props: list[tuple[int, int, int]]) -> Node:
    """`__properties_version1.0`: its header, then (tag, flags, 8-byte value) entries."""
    return Node("__properties_version1.0", header + b"".join(struct.pack("<IIQ", tag, 6, value) for tag, _, value in
                                                            [(t, f, v) for t, f, v in props]))


def outlook_msg(*, subject: str, body: str, sender: str, address: str, headers: str,
                attachment: tuple[str, bytes] | None = None) -> bytes:
    """An Outlook email (IPM.Note) as a .msg: subject, plain body, sender, transport headers, one attachment."""
    strings = {0x001A: "IPM.Note", 0x0037: subject, 0x1000: body, 0x0C1A: sender, 0x0C1F: address, 0x0C1E: "SMTP",
               0x007D: headers}
    top = [_text(prop, value) for prop, value in strings.items()]
    props = [((prop << 16) | 0x1F, 6, len(value.encode("utf-16-le")) + 2) for prop, value in strings.items()]
    nameid = Node("__nameid_version1.0", children=[Node("__substg1.0_00020102", b""), Node("__substg1.0_00030102", b""),
                                                   Node("__substg1.0_00040102", b"")])
    count = 0
    if attachment is not None:
        name, data = attachment
        count = 1
        top.append(Node("__attach_version1.0_#00000000", children=[
            _fixed(b"\0" * 8, [(0x37050003, 6, 1), (0x37070000 | 0x1F, 6, len(name.encode("utf-16-le")) + 2)]),
            _text(0x3707, name), _text(0x3704, name[:8]), Node("__substg1.0_37010102", data)]))
    header = struct.pack("<8sIIII8s", b"\0" * 8, 0, count, 0, count, b"\0" * 8)
    return compound_file(Node("Root Entry", children=[*top, nameid, _fixed(header, props)]))
