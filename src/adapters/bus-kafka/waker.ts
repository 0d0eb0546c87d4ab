/** Lets one background loop sleep until a timeout or until someone has news for it. */
export class Waker {
  #wakeUp: (() => void) | null = null;
  #pending = false;

  /** Resolves after `ms`, or at once if wake() was called since the last wait. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = null;
        resolve();
      }, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  wake(): void {
    const wakeUp = this.#wakeUp;
    this.#wakeUp = null;
    if (wakeUp === null) this.#pending = true;
    else wakeUp();
  }
}
