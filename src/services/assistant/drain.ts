/**
 * The loop of a queue worker (the LINE event worker, the push worker): take batches until one
 * handles nothing. A drain asked for while one runs does not start beside it: it joins the
 * running one and makes it go round once more at the end, since what was queued meanwhile may
 * have come after its last batch looked. A failure is logged, not thrown: the next drain (a new
 * event, the poll) tries again.
 */

export interface DrainOptions {
  /** Claims and handles one batch; resolves to how many it handled (0: the queue is empty). */
  batch: () => Promise<number>;
  /** Runs once the queue is empty (the push worker schedules its next retry). */
  afterwards?: () => Promise<void>;
  /** Logs a failure of the drain. */
  failed: (err: unknown) => void;
}

/** A worker's drain: at most one runs at a time, and none ends with work asked for during it left undone. */
export class Drain {
  readonly #o: DrainOptions;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(o: DrainOptions) {
    this.#o = o;
  }

  /** The drain in progress, if one is (to wait for on stop). */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Drains the queue; resolves when it is empty, or when the drain failed. */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          while ((await this.#o.batch()) > 0);
        } while (this.#again);
        await this.#o.afterwards?.();
      } catch (err) {
        this.#o.failed(err);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
