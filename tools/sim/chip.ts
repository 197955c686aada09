// A simulated Ethernet chip on a wire port with its real driver over the model's SPI: what the firmware
// sees is exactly the FrameDevice it gets on a board.
import { Clock } from '../../hal/interfaces';
import { FrameDevice } from '../../tcp/ports';
import { WirePort } from '../../hal/sim/virtual-wire';
import { W5500Model } from '../../hal/sim/w5500-model';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { W5500 } from '../../hal/drivers/w5500';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { ChipKind } from './options';

export interface SimChip {
  kind: ChipKind;
  /** The driver: what the firmware uses. */
  device: FrameDevice;
  /** Moves frames that arrived on the wire into the chip's RX memory and completes transmissions. */
  service(): void;
  /** Rule violations the model caught the driver in (should stay 0). */
  violations(): number;
  /** Frames the chip dropped for lack of RX memory (the firmware did not read fast enough). */
  overflowDrops(): number;
  /** The model's statistics and the first rule violations it saw. */
  modelStats(): { [name: string]: number | string };
}

function statsOf(stats: object, violations: string[]): { [name: string]: number | string } {
  const out: { [name: string]: number | string } = Object.assign({}, stats) as { [name: string]: number };
  for (let i = 0; i < violations.length && i < 5; i++) out['violation-' + i] = violations[i];
  return out;
}

/** Builds the chip model and its driver, and brings the chip up (reset, MAC, receive on). */
export function createSimChip(kind: ChipKind, clock: Clock, port: WirePort, mac: Uint8Array): SimChip {
  if (kind === 'w5500') {
    const model = new W5500Model({ clock, port });
    const driver = new W5500({ spi: model.spi, clock, mac, resetPin: model.resetPin, intPin: model.intPin });
    driver.init();
    return {
      kind,
      device: driver,
      service: () => model.service(),
      violations: () => model.violationCount,
      overflowDrops: () => model.stats.rxOverflowDrops,
      modelStats: () => statsOf(model.stats, model.violations),
    };
  }
  const model = new Enc28j60Model({ clock, port });
  const driver = new Enc28j60({ spi: model.spi, clock, mac, resetPin: model.resetPin, intPin: model.intPin });
  driver.init();
  return {
    kind,
    device: driver,
    service: () => model.service(),
    violations: () => model.violationCount,
    overflowDrops: () => model.stats.rxDroppedFull,
    modelStats: () => statsOf(model.stats, model.violations),
  };
}
