/**
 * Group commit: appends that arrive while earlier transactions are in flight are written
 * together in the next one. Under load this trades nothing for throughput (one fsync for many
 * appends); when idle, an append is flushed at once.
 */
export class GroupCommitQueue<Item, Result> {
  private readonly queue: {
    item: Item;
    resolve: (r: Result) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: Item[]) => Promise<(Result | Error)[]>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {}

  push(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.flush(batch.map((b) => b.item))
        .then(
          (results) =>
            batch.forEach((b, i) => {
              const result = results[i];
              if (result instanceof Error) b.reject(result);
              else b.resolve(result as Result);
            }),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
