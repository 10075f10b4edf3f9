/**
 * The units a prefetching run (`--prefetch N`) started ahead of a free slot, and when each counts
 * as running. Each gets a ticket, in the order they were prefetched: code-point order of their
 * ids (SPEC §3). Workers hand slots out in ticket order (activities/agent/slot-handover.ts), so a
 * slot handed to ticket 7 means tickets 1 to 6 had theirs first, even when the completions that
 * say so have not arrived yet: they are booked as started, in ticket order, before it. The run's
 * events show the launches in the order the workers made them, whatever order the completions
 * come in.
 *
 * Once that order is not known to hold (a slot went out of ticket order, a waiting unit gave up or
 * was called back, a handover's answer was lost), a unit is booked when a completion names it.
 */
export class PrefetchedUnits {
  /** Prefetched units not yet booked as started, in ticket order (a Set keeps insertion order). */
  private readonly waitingUnits = new Set<string>();
  private readonly tickets = new Map<string, number>();
  private issued = 0;
  private byTickets = true;

  constructor(private readonly book: (unitId: string) => void) {}

  get waiting(): ReadonlySet<string> {
    return this.waitingUnits;
  }

  /** Whether the first waiting unit's ticket is among the first `ticketsOut`. */
  firstWaitingIsOut(ticketsOut: number): boolean {
    const [first] = this.waitingUnits;
    return first !== undefined && (this.tickets.get(first) ?? Infinity) <= ticketsOut;
  }

  /** Whether units are still booked in ticket order (else by name). */
  get inTicketOrder(): boolean {
    return this.byTickets;
  }

  /** How many tickets this execution gave out so far. */
  get ticketsIssued(): number {
    return this.issued;
  }

  /** The unit waits for a slot from now on; returns its ticket. */
  issue(unitId: string): number {
    this.issued += 1;
    this.tickets.set(unitId, this.issued);
    this.waitingUnits.add(unitId);
    return this.issued;
  }

  /**
   * A slot went to `unitId`: a completion says so, or the unit's own attempt ended after starting
   * its agent. In ticket order, every unit with an earlier ticket had its slot before it.
   */
  handedTo(unitId: string, inTicketOrder: boolean): void {
    const ticket = this.tickets.get(unitId);
    if (!inTicketOrder || !this.byTickets || ticket === undefined) {
      this.byTickets = false;
      this.bookNamed(unitId);
      return;
    }
    for (const waiting of this.waitingUnits) {
      if ((this.tickets.get(waiting) ?? Infinity) > ticket) break;
      this.bookNamed(waiting);
    }
  }

  /**
   * A worker handed slots out in ticket order up to `nextTicket`: every earlier ticket had one.
   * Returns how many units that booked.
   */
  handedBefore(nextTicket: number): number {
    if (!this.byTickets) return 0;
    let booked = 0;
    for (const waiting of this.waitingUnits) {
      if ((this.tickets.get(waiting) ?? Infinity) >= nextTicket) break;
      this.bookNamed(waiting);
      booked += 1;
    }
    return booked;
  }

  /**
   * A waiting unit's first attempt ended without starting its agent (it gave up, or was called
   * back). Returns false when the unit was not waiting.
   */
  returned(unitId: string): boolean {
    if (!this.waitingUnits.delete(unitId)) return false;
    this.byTickets = false;
    return true;
  }

  /** A waiting unit is being called back (an operator's cancel): its ticket may never be served. */
  callingBack(unitId: string): void {
    if (this.waitingUnits.has(unitId)) this.byTickets = false;
  }

  /** Whether a slot went to a waiting unit is not known: book by name from now on. */
  orderUnknown(): void {
    this.byTickets = false;
  }

  private bookNamed(unitId: string): void {
    if (this.waitingUnits.delete(unitId)) this.book(unitId);
  }
}
