#!/usr/bin/env bash
# Captures real Linux traffic for the golden-frame tests (test/wire/golden-*.test.ts).
#
# Two network namespaces joined by a veth pair, nothing else reachable:
#   etcpip-gold-srv  veth "gsrv" 02:00:5e:10:00:01  10.77.0.1/24  dnsmasq (DHCP + DNS), socat listeners
#   etcpip-gold-cli  veth "gcli" 02:00:5e:10:00:02  10.77.0.2/24  ping, socat, udhcpc, dig
# tcpdump in the server namespace records everything on the link; the capture is then split per
# protocol into test/fixtures/<name>.pcap, and tshark's reading of each frame is stored next to it as
# <name>.tsv (one column per field listed below), which the tests compare our parsers against.
#
# Needs root, iproute2, ethtool, tcpdump, tshark, dnsmasq, socat, iputils-ping, udhcpc, dnsutils (dig).
# Run: sudo tools/capture-golden.sh   (rewrites test/fixtures/*.pcap and *.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures
SRV=etcpip-gold-srv
CLI=etcpip-gold-cli
WORK=$(mktemp -d /tmp/etcpip-gold.XXXXXX)
for tool in ip ethtool tcpdump tshark dnsmasq socat ping udhcpc dig; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install iproute2 ethtool tcpdump tshark dnsmasq-base socat iputils-ping udhcpc dnsutils)"; exit 1; }
done

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  ip netns del "$SRV" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cleanup_ns() { ip netns del "$SRV" 2>/dev/null || true; ip netns del "$CLI" 2>/dev/null || true; }
cleanup_ns

ip netns add "$SRV"
ip netns add "$CLI"
ip link add gsrv netns "$SRV" address 02:00:5e:10:00:01 type veth peer name gcli netns "$CLI" address 02:00:5e:10:00:02
S() { ip netns exec "$SRV" "$@"; }
C() { ip netns exec "$CLI" "$@"; }
# Background jobs started directly (not through a function), so $! is the process itself and the
# cleanup can end it by its id: `ip netns exec` execs the command in place.
bg_srv() { ip netns exec "$SRV" "$@" & PIDS+=($!); }
S ip addr add 10.77.0.1/24 dev gsrv
S ip link set gsrv up
S ip link set lo up
C ip link set lo up
C ip link set gcli up
# Checksum offload would leave partial checksums in the capture of locally sent frames.
S ethtool -K gsrv tx off >/dev/null
C ethtool -K gcli tx off >/dev/null
# The kernel defaults we want in the SYN: SACK, timestamps, window scaling.
C sysctl -q -w net.ipv4.tcp_sack=1 net.ipv4.tcp_timestamps=1 net.ipv4.tcp_window_scaling=1

bg_srv tcpdump -Z root -i gsrv -U -s 0 -w "$WORK/all.pcap" >/dev/null 2>&1
sleep 1

# --- DHCP: dnsmasq serves 10.77.0.50-60; udhcpc (busybox) in the client namespace asks for a lease.
cat >"$WORK/dnsmasq.conf" <<CONF
interface=gsrv
bind-interfaces
no-resolv
no-hosts
local=/example.test/
dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h
dhcp-option=option:router,10.77.0.1
dhcp-option=option:dns-server,10.77.0.1,10.77.0.3
dhcp-leasefile=$WORK/leases
host-record=www.example.test,10.77.0.10
host-record=multi.example.test,10.77.0.11
cname=alias.example.test,www.example.test
local-ttl=300
CONF
bg_srv dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" --pid-file="$WORK/dnsmasq.pid" --user=root --group=root >"$WORK/dnsmasq.log" 2>&1
sleep 1
C timeout 20 udhcpc -i gcli -f -q -n -t 3 -x hostname:etcpip-gold -s /bin/true >"$WORK/udhcpc.log" 2>&1 || { cat "$WORK/udhcpc.log"; exit 1; }
C ip addr add 10.77.0.2/24 dev gcli

# --- ARP + ICMP echo (even and odd payload sizes), and an ICMP port unreachable (UDP to a closed port).
C ip neigh flush dev gcli || true
C ping -c 1 -s 56 -W 2 10.77.0.1 >/dev/null
C ping -c 1 -s 33 -W 2 10.77.0.1 >/dev/null
C ip neigh flush dev gcli || true
S ip neigh flush dev gsrv || true
C ping -c 1 -s 0 -W 2 10.77.0.1 >/dev/null
# 2000 bytes of data do not fit the 1500-byte MTU: the kernel fragments the echo (RFC 791 §2.3).
C ping -c 1 -s 2000 -W 2 10.77.0.1 >/dev/null

# --- UDP: a datagram to a socat listener and its echo, odd length payload.
bg_srv timeout 5 socat -T 2 UDP4-RECVFROM:7001 SYSTEM:'cat' >/dev/null 2>&1
sleep 0.5
printf 'hello udp!!' | C timeout 5 socat -T 1 - UDP4:10.77.0.1:7001 >/dev/null 2>&1 || true
printf 'x' | C timeout 3 socat -T 1 - UDP4:10.77.0.1:7009 >/dev/null 2>&1 || true

# --- TCP: handshake with options, data both ways, FIN; and a RST for a closed port.
bg_srv timeout 5 socat TCP4-LISTEN:7002,reuseaddr SYSTEM:'echo hello-from-server; cat' >/dev/null 2>&1
sleep 0.5
printf 'hello tcp\n' | C timeout 5 socat -t 1 - TCP4:10.77.0.1:7002 >/dev/null 2>&1 || true
C timeout 3 socat - TCP4:10.77.0.1:7003 </dev/null >/dev/null 2>&1 || true

# --- DNS: A, CNAME chain (compression pointers), NXDOMAIN; dig without EDNS and with it.
C dig +tries=1 +time=2 +noadflag +noedns @10.77.0.1 www.example.test A >/dev/null
C dig +tries=1 +time=2 +noadflag @10.77.0.1 alias.example.test A >/dev/null
C dig +tries=1 +time=2 +noadflag +noedns @10.77.0.1 nothing.example.test A >/dev/null

sleep 1
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
PIDS=()
sleep 0.5

mkdir -p "$OUT"
split() { # name filter
  tcpdump -Z root -r "$WORK/all.pcap" -w "$OUT/$1.pcap" "$2" 2>/dev/null
}
split arp 'arp'
split icmp 'icmp'
split udp 'udp and not port 53 and not port 67 and not port 68'
split tcp 'tcp'
split dhcp 'udp and (port 67 or port 68)'
split dns 'udp and port 53'

# What tshark reads in every frame, one line per frame, tab-separated, multiple values comma-separated.
FIELDS=(frame.number frame.len eth.dst eth.src eth.type
  arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4
  ip.hdr_len ip.len ip.dsfield ip.id ip.flags.df ip.flags.mf ip.frag_offset ip.ttl ip.proto ip.checksum ip.src ip.dst
  icmp.type icmp.code icmp.checksum icmp.ident icmp.seq
  udp.srcport udp.dstport udp.length udp.checksum
  tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.window_size_value tcp.checksum tcp.urgent_pointer
  tcp.options.mss_val tcp.options.wscale.shift tcp.options.sack_perm tcp.options.timestamp.tsval tcp.options.timestamp.tsecr tcp.len
  dhcp.type dhcp.id dhcp.secs dhcp.flags dhcp.ip.client dhcp.ip.your dhcp.ip.server dhcp.ip.relay dhcp.hw.mac_addr
  dhcp.option.dhcp dhcp.option.dhcp_server_id dhcp.option.requested_ip_address dhcp.option.ip_address_lease_time
  dhcp.option.renewal_time_value dhcp.option.rebinding_time_value dhcp.option.subnet_mask dhcp.option.router
  dhcp.option.domain_name_server dhcp.option.hostname dhcp.option.request_list_item
  dns.id dns.flags.response dns.flags.truncated dns.flags.rcode dns.count.queries dns.count.answers dns.qry.name
  dns.resp.name dns.resp.type dns.resp.ttl dns.a dns.cname)
ARGS=()
for f in "${FIELDS[@]}"; do ARGS+=(-e "$f"); done
for name in arp icmp udp tcp dhcp dns; do
  tshark -r "$OUT/$name.pcap" -n -o tcp.relative_sequence_numbers:FALSE -o ip.defragment:FALSE -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, "${ARGS[@]}" >"$OUT/$name.tsv" 2>/dev/null
  echo "$name: $(($(wc -l <"$OUT/$name.tsv") - 1)) frames"
done
