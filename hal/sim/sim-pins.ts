import { InputPin, OutputPin } from '../interfaces';

/** A simulated input line driven by a chip model (e.g. an active-low interrupt output). */
export class SimInputPin implements InputPin {
  private level = true;
  private watchers: Array<() => void> = [];

  read(): boolean {
    return this.level;
  }

  /** Called by the model that drives the line; falling edges notify watchers. */
  drive(high: boolean): void {
    const wasHigh = this.level;
    this.level = high;
    if (wasHigh && !high) for (const w of this.watchers.slice()) w();
  }

  watchFalling(onEdge: () => void): () => void {
    this.watchers.push(onEdge);
    return () => {
      const i = this.watchers.indexOf(onEdge);
      if (i >= 0) this.watchers.splice(i, 1);
    };
  }
}

/** A simulated output line read by a chip model (e.g. an active-low reset input). */
export class SimOutputPin implements OutputPin {
  private level = true;
  /** Called on every change of level. */
  onChange: ((high: boolean) => void) | null = null;

  write(high: boolean): void {
    if (high === this.level) return;
    this.level = high;
    if (this.onChange) this.onChange(high);
  }

  read(): boolean {
    return this.level;
  }
}
