/** Who hears of changed orders: each open event stream of the department's screens. */
type Subscriber = (accessionNumbers: string[]) => void;

/**
 * The orders that changed, as the screens are told of them (issue #6: the worklist, calendar and order
 * list update when someone else books, checks in or completes an exam). On SQLite the RIS publishes
 * here after each commit; on PostgreSQL every node publishes what its LISTEN connection hears, so a
 * change made on one node reaches the screens of all.
 */
export class OrderChangeFeed {
  private readonly subscribers = new Set<Subscriber>();

  /** Hears every change from now on; returns how to stop. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(accessionNumbers: string[]): void {
    if (accessionNumbers.length === 0) return;
    for (const subscriber of this.subscribers) subscriber(accessionNumbers);
  }
}
