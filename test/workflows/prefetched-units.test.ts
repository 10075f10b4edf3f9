/** When a prefetched unit counts as started: in ticket order while the workers kept it, else by name. */
import { PrefetchedUnits } from '../../src/workflows/prefetched-units';

function prefetch(...unitIds: string[]): { units: PrefetchedUnits; booked: string[] } {
  const booked: string[] = [];
  const units = new PrefetchedUnits((unitId) => booked.push(unitId));
  for (const unitId of unitIds) units.issue(unitId);
  return { units, booked };
}

describe('prefetched units', () => {
  it('numbers the units in the order they were prefetched', () => {
    const { units } = prefetch('a', 'b');
    expect(units.ticketsIssued).toBe(2);
    expect(units.issue('c')).toBe(3);
    expect([...units.waiting]).toEqual(['a', 'b', 'c']);
  });

  it('books a unit handed a slot in ticket order after every unit with an earlier ticket', () => {
    const { units, booked } = prefetch('a', 'b', 'c', 'd');
    units.handedTo('c', true);
    expect(booked).toEqual(['a', 'b', 'c']);
    // The completions that name the earlier units change nothing.
    units.handedTo('a', true);
    units.handedTo('b', true);
    expect(booked).toEqual(['a', 'b', 'c']);
    expect([...units.waiting]).toEqual(['d']);
  });

  it('books by name once a slot went out of ticket order', () => {
    const { units, booked } = prefetch('a', 'b', 'c', 'd', 'e');
    units.handedTo('b', true);
    units.handedTo('e', false);
    expect(booked).toEqual(['a', 'b', 'e']);
    units.handedTo('d', true);
    expect(booked).toEqual(['a', 'b', 'e', 'd']);
    expect([...units.waiting]).toEqual(['c']);
  });

  it('books by name once whether a slot was handed over is not known', () => {
    const { units, booked } = prefetch('a', 'b', 'c');
    units.orderUnknown();
    units.handedTo('c', true);
    expect(booked).toEqual(['c']);
  });

  it('goes by name once a waiting unit gave up or is called back', () => {
    const gaveUp = prefetch('a', 'b', 'c');
    expect(gaveUp.units.returned('a')).toBe(true);
    expect(gaveUp.units.returned('a')).toBe(false);
    gaveUp.units.handedTo('c', true);
    expect(gaveUp.booked).toEqual(['c']);

    const calledBack = prefetch('a', 'b', 'c');
    calledBack.units.callingBack('a');
    calledBack.units.handedTo('c', true);
    expect(calledBack.booked).toEqual(['c']);
  });

  it('goes by name when a completion names a unit it never prefetched', () => {
    const { units, booked } = prefetch('a', 'b');
    units.handedTo('z', true);
    units.handedTo('b', true);
    expect(booked).toEqual(['b']);
  });

  it('books every unit whose ticket comes before the next one a worker would hand a slot to', () => {
    const { units, booked } = prefetch('a', 'b', 'c');
    expect(units.handedBefore(3)).toBe(2);
    expect(booked).toEqual(['a', 'b']);
    expect(units.handedBefore(3)).toBe(0);
    expect(units.firstWaitingIsOut(2)).toBe(false);
    expect(units.firstWaitingIsOut(3)).toBe(true);
    units.orderUnknown();
    expect(units.inTicketOrder).toBe(false);
    units.handedBefore(4);
    expect(booked).toEqual(['a', 'b']);
  });
});
