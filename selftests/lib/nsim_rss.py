#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Predict the RX queue the reference driver (netdevsim with
CONFIG_NETDEVSIM_HDS, drivers/net/netdevsim/hds_steer.c) picks by RSS for
TCP or UDP flows, from `ethtool -x IF` output: Toeplitz over source address,
destination address, source port, destination port (the Microsoft RSS input
order), the hash modulo the 128-entry indirection table, an entry at or
above the number of RX queues taken modulo that number.

  nsim_rss.py --queues N --src ADDR --dst ADDR --dport P --sports P1,P2,... < ethtool-x.txt
      prints "SPORT QUEUE" for each flow (one per source port): the queue
      it lands on
  nsim_rss.py --selftest
      checks the hash against the Microsoft RSS verification vectors
"""
import argparse
import ipaddress
import re
import sys

INDIR_SIZE = 128


def toeplitz(key, data):
    """32-bit Toeplitz hash of data (bytes) under key (bytes, len(data) + 4 or more)."""
    kbits = int.from_bytes(key, 'big')
    klen = len(key) * 8
    result = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                pos = i * 8 + b
                result ^= (kbits >> (klen - 32 - pos)) & 0xffffffff
    return result


def flow_input(src, dst, sport, dport):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version != d.version:
        raise ValueError('source and destination of different families')
    return s.packed + d.packed + sport.to_bytes(2, 'big') + dport.to_bytes(2, 'big')


def parse_ethtool_x(text):
    """(indirection table, key) from `ethtool -x` output."""
    indir, key, lines = [], None, text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'^\s*(\d+):((\s+\d+)+)\s*$', line)
        if m and key is None:
            indir.extend(int(v) for v in m.group(2).split())
        if line.startswith('RSS hash key:') and i + 1 < len(lines):
            key = bytes(int(v, 16) for v in lines[i + 1].strip().split(':'))
    if len(indir) != INDIR_SIZE or not key:
        raise ValueError(f'ethtool -x: {len(indir)} table entries, key {key!r}')
    return indir, key


def queue_of(indir, key, nq, src, dst, sport, dport):
    h = toeplitz(key, flow_input(src, dst, sport, dport))
    q = indir[h % INDIR_SIZE]
    return q if q < nq else q % nq


def selftest():
    key = bytes.fromhex('6d5a56da255b0ec24167253d43a38fb0d0ca2bcb'
                        'ae7b30b477cb2da38030f20c6a42b73bbeac01fa')
    # (src, sport, dst, dport, IPv4 or IPv6 with TCP)
    vectors = [
        ('66.9.149.187', 2794, '161.142.100.80', 1766, 0x51ccc178),
        ('199.92.111.2', 14230, '65.69.140.83', 4739, 0xc626b0ea),
        ('24.19.198.95', 12898, '12.22.207.184', 38024, 0x5c2b394a),
        ('38.27.205.30', 48228, '209.142.163.6', 2217, 0xafc7327f),
        ('153.39.163.191', 44251, '202.188.127.2', 1303, 0x10e828a2),
        ('3ffe:2501:200:1fff::7', 2794, '3ffe:2501:200:3::1', 1766, 0x40207d3d),
        ('3ffe:501:8::260:97ff:fe40:efab', 14230, 'ff02::1', 4739, 0xdde51bbf),
        ('3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251,
         'fe80::200:f8ff:fe21:67cf', 38024, 0x02d1feef),
    ]
    bad = 0
    for src, sport, dst, dport, want in vectors:
        got = toeplitz(key, flow_input(src, dst, sport, dport))
        if got != want:
            print(f'FAIL {src}:{sport} -> {dst}:{dport}: {got:#010x}, want {want:#010x}')
            bad += 1
    print(f'nsim_rss: {len(vectors) - bad} of {len(vectors)} Toeplitz vectors match')
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--selftest', action='store_true')
    ap.add_argument('--queues', type=int)
    ap.add_argument('--src')
    ap.add_argument('--dst')
    ap.add_argument('--dport', type=int)
    ap.add_argument('--sports', help='P1,P2,...: one flow per source port')
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    if None in (args.queues, args.src, args.dst, args.dport, args.sports):
        ap.error('--queues, --src, --dst, --dport and --sports are needed')
    indir, key = parse_ethtool_x(sys.stdin.read())
    for sport in (int(v) for v in args.sports.split(',')):
        print(sport, queue_of(indir, key, args.queues, args.src, args.dst, sport, args.dport))
    return 0


if __name__ == '__main__':
    sys.exit(main())
