import { SingleBar } from 'cli-progress';
import { type Writer } from '../cli/io.js';

/** A progress display on stderr while poolctl waits; nothing at all when stderr is no terminal. */
export interface Progress {
  /** How far: `value` of the total, with an optional word after the count. */
  update(value: number, status?: string): void;
  /** No count can be had (the projection is away): a spinner and a sentence instead. */
  indeterminate(label: string): void;
  stop(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createProgress(
  stream: Writer,
  options: { label: string; total: number; unit: string },
): Progress {
  if (!stream.isTTY) return { update: () => {}, indeterminate: () => {}, stop: () => {} };

  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: `${options.label} [{bar}] {value}/{total} ${options.unit} {status}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    // The bar is for the wait; the outcome printed after it is the record.
    clearOnComplete: true,
    fps: 10,
  });
  bar.start(options.total, 0, { status: '' });
  let barRunning = true;
  let spinner: NodeJS.Timeout | undefined;

  return {
    update: (value, status = '') => {
      if (barRunning) bar.update(value, { status });
    },
    indeterminate: (label) => {
      if (barRunning) bar.stop();
      barRunning = false;
      if (spinner) return;
      let frame = 0;
      const draw = () => stream.write(`\r${SPINNER[frame++ % SPINNER.length]} ${label}`);
      draw();
      spinner = setInterval(draw, 100);
    },
    stop: () => {
      if (barRunning) bar.stop();
      barRunning = false;
      if (spinner) {
        clearInterval(spinner);
        spinner = undefined;
        stream.write('\r\x1b[2K');
      }
    },
  };
}
