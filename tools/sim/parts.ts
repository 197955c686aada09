// The pieces the simulator assembles, behind small interfaces so the runner (simulator.ts) stays
// independent of how each is built: the simulated board (chip model + driver + firmware), the
// host-side peer stack (for port forwards), the TAP link, and the pcap recorder.
import { Clock } from '../../hal/interfaces';
import { RandomSource } from '../../tcp/ports';
import { WirePort } from '../../hal/sim/virtual-wire';
import { TcpSocketApi } from '../../tcp/socket-api';
import { ChipKind } from './options';

export interface DeviceCounters {
  segmentsIn: number;
  segmentsOut: number;
  retransmits: number;
  drops: number;
  /** The device's TCP connections open now, and accepted (passive opens) since start. */
  connections: number;
  accepted: number;
}

/** The simulated board: a chip model on a wire port, its driver, and the default firmware over them. */
export interface DevicePart {
  /** Runs the chip model and the firmware's stack once; returns the next deadline (ms, may be Infinity). */
  poll(nowMs: number): number;
  /** True while the chip holds received frames the firmware has not read yet. */
  busy(): boolean;
  /** The device's IPv4 address (0 while unconfigured, e.g. waiting for DHCP) and prefix length. */
  address(): { address: number; prefix: number; gateway: number };
  counters(): DeviceCounters;
  /** Everything countable, by group (driver, chip model, interface, TCP), for diagnostics. */
  details(): { [group: string]: { [name: string]: number | string } };
  stop(): void;
}

export interface DevicePartOptions {
  chip: ChipKind;
  clock: Clock;
  port: WirePort;
  mac: Uint8Array;
  ip: { address: number; prefix: number } | null;
  gateway: number;
  dhcp: boolean;
  random: RandomSource;
  log(line: string): void;
}

/** The host-side peer: a second stack on the other end of the virtual wire, client of the forwards. */
export interface PeerPart {
  poll(nowMs: number): number;
  busy(): boolean;
  /** Opens a TCP connection to `host:port` through the peer stack. */
  connect(host: string, port: number): TcpSocketApi;
  stop(): void;
}

export interface PeerPartOptions {
  clock: Clock;
  port: WirePort;
  mac: Uint8Array;
  address: number;
  prefix: number;
  random: RandomSource;
}

/** A Linux TAP device bridged onto a wire port. */
export interface TapPart {
  /** Frames have come in from the TAP and wait to be put on the wire. */
  busy(): boolean;
  stop(): Promise<void>;
}

export interface TapPartOptions {
  name: string;
  port: WirePort;
  /** Called when a frame from the kernel was put on the wire (the loop should run). */
  onFrame(): void;
  log(line: string): void;
}

/** Records frames to a classic pcap file. */
export interface PcapPart {
  record(frame: Uint8Array, atMs: number): void;
  close(): Promise<void>;
}

export interface SimParts {
  createDevice(o: DevicePartOptions): DevicePart;
  createPeer(o: PeerPartOptions): PeerPart;
  openTap(o: TapPartOptions): Promise<TapPart>;
  openPcap(path: string): PcapPart;
}
